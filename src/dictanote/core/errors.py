"""The one exception tree of dictanote.

Each adapter translates its library's exceptions into these at its boundary
(``raise ... from exc``); the CLI turns them into a one-line message and an exit
code, the review server into an HTTP status, each in one place. Messages say what
was given, what exists, and how to fix it.

    DictanoteError                 exit 1, HTTP 500
    ├── BadInputError              exit 2, HTTP 400: the user can fix it
    │   ├── AudioInputError
    │   │   ├── AudioNotFoundError
    │   │   ├── NotAFileError
    │   │   ├── NotAudioError
    │   │   ├── CorruptAudioError
    │   │   └── EmptyAudioError
    │   ├── ModelNotFoundError
    │   ├── ModelUnreadableError
    │   ├── UnknownFormatError
    │   ├── FormatFileError
    │   │   └── NoteTemplateError
    │   ├── TextInputError
    │   ├── ConfigError
    │   ├── DraftDataError
    │   ├── RecordNotFoundError            HTTP 404
    │   ├── EditConflictError              HTTP 409
    │   ├── NotConfirmedError
    │   ├── DeviceNotFoundError
    │   ├── ClipboardUnavailableError
    │   ├── TypingUnavailableError
    │   └── OutputFileError
    ├── TranscriptionError         exit 3: the model failed on good input
    ├── StoreError                 exit 4: the note store could not be read or written
    │   ├── StoreBusyError                 HTTP 503
    │   └── AuditChainError
    ├── CaptureError               exit 5: the input device failed while recording
    └── DaemonError                exit 6: the capture daemon is not there or misbehaved
        ├── DaemonNotRunningError
        └── DaemonAlreadyRunningError

A class without its own exit code or HTTP status has its parent's.
"""

from __future__ import annotations


class DictanoteError(Exception):
    """Base of every error dictanote reports to the user."""

    exit_code = 1
    http_status = 500


class BadInputError(DictanoteError):
    """The input or the invocation is wrong and the user can fix it."""

    exit_code = 2
    http_status = 400


class AudioInputError(BadInputError):
    """An audio file could not be used."""


class AudioNotFoundError(AudioInputError):
    """The audio path does not exist."""


class NotAFileError(AudioInputError):
    """The audio path is a directory or another non-file."""


class NotAudioError(AudioInputError):
    """The file holds no audio stream we can decode."""


class CorruptAudioError(AudioInputError):
    """The audio file is truncated or damaged."""


class EmptyAudioError(AudioInputError):
    """The audio file is zero bytes or holds no samples."""


class ModelNotFoundError(BadInputError):
    """No Whisper model of the requested name or path exists."""


class ModelUnreadableError(BadInputError):
    """A Whisper model directory exists but cannot be loaded."""


class UnknownFormatError(BadInputError):
    """No note format has the requested id."""


class FormatFileError(BadInputError):
    """A note format file is malformed."""


class NoteTemplateError(FormatFileError):
    """A note or page template cannot be loaded or fails while laying out a note."""


class TextInputError(BadInputError):
    """A text input (a transcript to segment) cannot be read."""


class ConfigError(BadInputError):
    """A configuration file or setting is invalid."""


class TranscriptionError(DictanoteError):
    """The speech model failed on input that looked valid."""

    exit_code = 3


class DraftDataError(BadInputError):
    """A draft's data (from the store, an editor or the review page) is malformed."""


class RecordNotFoundError(BadInputError):
    """No draft or note has the requested id."""

    http_status = 404


class EditConflictError(BadInputError):
    """The draft changed since it was opened; reload before saving again."""

    http_status = 409


class NotConfirmedError(BadInputError):
    """The user answered no when asked to confirm; nothing was changed."""


class DeviceNotFoundError(BadInputError):
    """No audio input device matches the requested name or index."""


class ClipboardUnavailableError(BadInputError):
    """No clipboard can be reached from here."""


class TypingUnavailableError(BadInputError):
    """No tool can type into the focused window from here, or the one found failed."""


class OutputFileError(BadInputError):
    """An output file (an export) cannot be written where the user asked."""


class StoreError(DictanoteError):
    """The note store could not be read or written; nothing already saved was lost."""

    exit_code = 4


class StoreBusyError(StoreError):
    """Another dictanote process holds the store's write lock for too long."""

    http_status = 503


class AuditChainError(StoreError):
    """The audit log's hash chain is broken: an entry was altered or deleted."""


class CaptureError(DictanoteError):
    """The audio input failed while recording."""

    exit_code = 5


class DaemonError(DictanoteError):
    """The capture daemon could not be reached or refused a request."""

    exit_code = 6


class DaemonNotRunningError(DaemonError):
    """No capture daemon is listening on the control socket."""


class DaemonAlreadyRunningError(DaemonError):
    """A capture daemon is already running for this user."""
