"""`dictanote notes export`, in process: where the export goes, and when its audit entry is written.

The export kinds, files and a real clipboard under Xvfb are tested in tests/export/.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import dictanote.export
from dictanote.app import Dictation, DraftResult
from dictanote.cli import export as command
from dictanote.cli.root import main
from tests.util import make_draft


@pytest.fixture
def note_id(dictation: Dictation) -> int:
    """A signed DAP note in the user's store."""
    draft = make_draft("dap", {"data": ["Client arrived early."], "plan": ["Meet next week."]})
    stored = dictation.save(DraftResult(draft, dictation.format("dap"), ()), source="test")
    with dictation.open_store() as store:
        return store.finalize_draft(stored.id, expected_version=None, signed_by="A. Lee").id


def _exports(dictation: Dictation) -> int:
    with dictation.open_store() as store:
        return sum(e.action == "exported" for e in store.audit_entries())


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch, dictation: Dictation) -> list[str]:
    """What happened, in order: the clipboard copied, held and given back, the wait, and each export recorded."""
    seen: list[str] = []

    def mark(what: str) -> None:
        seen.append(f"{what} (exports recorded: {_exports(dictation)})")

    @contextmanager
    def held(clipboard: Any, text: str, tell: Any) -> Iterator[None]:
        mark("held")
        yield
        mark("given back")

    clipboard = SimpleNamespace(copy=lambda text: mark("copied"))
    monkeypatch.setattr(dictanote.export, "find_clipboard", lambda: clipboard)
    monkeypatch.setattr(dictanote.export, "held", held)
    monkeypatch.setattr(command, "time", SimpleNamespace(sleep=lambda s: mark(f"waited {s:g} s")))
    return seen


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--copy"], ["copied (exports recorded: 0)"]),
        (
            ["--copy", "--restore-after", "5"],
            [
                "held (exports recorded: 0)",
                "waited 5 s (exports recorded: 1)",
                "given back (exports recorded: 1)",
            ],
        ),
    ],
)
def test_cli_export_is_recorded_after_the_copy_and_before_the_wait(
    events: list[str], dictation: Dictation, note_id: int, args: list[str], expected: list[str]
) -> None:
    assert main(["notes", "export", str(note_id), "--as", "text", *args]) == 0
    assert events == expected
    assert _exports(dictation) == 1


def test_cli_export_to_stdout_is_the_note_and_is_recorded(
    dictation: Dictation, note_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["notes", "export", str(note_id), "--as", "markdown"]) == 0
    out, err = capsys.readouterr()
    assert "Client arrived early." in out and err == ""
    assert _exports(dictation) == 1


def test_cli_export_that_could_not_be_written_is_not_recorded(
    dictation: Dictation, note_id: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "note.txt"
    assert main(["notes", "export", str(note_id), "--as", "text", "-o", str(target)]) == 2
    assert "the directory" in capsys.readouterr().err
    assert _exports(dictation) == 0


def test_cli_export_restore_after_needs_copy(
    events: list[str], note_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["notes", "export", str(note_id), "--as", "text", "--restore-after", "3"]) == 2
    assert capsys.readouterr().err == "dictanote: error: --restore-after needs --copy (see --help)\n"
    assert events == []
