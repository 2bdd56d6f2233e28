"""The error tree: every class's exit code (the CLI) and HTTP status (the review server)."""

from __future__ import annotations

import pytest

from dictanote.core import errors
from dictanote.core.errors import DictanoteError

# class name -> (exit code, HTTP status); a new error class adds a row.
TABLE = {
    "DictanoteError": (1, 500),
    "BadInputError": (2, 400),
    "AudioInputError": (2, 400),
    "AudioNotFoundError": (2, 400),
    "NotAFileError": (2, 400),
    "NotAudioError": (2, 400),
    "CorruptAudioError": (2, 400),
    "EmptyAudioError": (2, 400),
    "ModelNotFoundError": (2, 400),
    "ModelUnreadableError": (2, 400),
    "UnknownFormatError": (2, 400),
    "FormatFileError": (2, 400),
    "NoteTemplateError": (2, 400),
    "TextInputError": (2, 400),
    "ConfigError": (2, 400),
    "DraftDataError": (2, 400),
    "RecordNotFoundError": (2, 404),
    "EditConflictError": (2, 409),
    "NotConfirmedError": (2, 400),
    "DeviceNotFoundError": (2, 400),
    "ClipboardUnavailableError": (2, 400),
    "TypingUnavailableError": (2, 400),
    "OutputFileError": (2, 400),
    "TranscriptionError": (3, 500),
    "StoreError": (4, 500),
    "StoreBusyError": (4, 503),
    "AuditChainError": (4, 500),
    "CaptureError": (5, 500),
    "DaemonError": (6, 500),
    "DaemonNotRunningError": (6, 500),
    "DaemonAlreadyRunningError": (6, 500),
}


def _tree(cls: type[DictanoteError]) -> list[type[DictanoteError]]:
    return [cls, *(c for sub in cls.__subclasses__() for c in _tree(sub))]


@pytest.mark.parametrize(("name", "codes"), sorted(TABLE.items()))
def test_errors_exit_code_and_http_status(name: str, codes: tuple[int, int]) -> None:
    cls = getattr(errors, name)
    assert issubclass(cls, DictanoteError)
    assert (cls.exit_code, cls.http_status) == codes
    raised = cls("message")
    assert (raised.exit_code, raised.http_status) == codes


def test_errors_table_covers_every_class() -> None:
    declared = {c.__name__ for c in _tree(DictanoteError) if c.__module__ == errors.__name__}
    assert declared == set(TABLE)


def test_errors_every_class_is_in_the_docstring_tree() -> None:
    doc = errors.__doc__ or ""
    missing = [name for name in TABLE if f"── {name}" not in doc and f"    {name} " not in doc]
    assert not missing, missing
