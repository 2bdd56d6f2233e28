"""The daemon's replies as typed values: the controller and the server build these and nothing else.

One frozen dataclass per kind of answer (ping, start, ignored start, stop with or without a draft,
cancel, status, error); ``to_dict()`` gives the object sent as one JSON line, keys in a fixed order,
seconds rounded there. Replies carry states, ids, counts and timings, never note text, with one exception:
a ``status`` asked for ``text`` carries the committed text of the dictation in progress (its last
``LIVE_TEXT_MAX`` characters), for the owner's own screen. Standard library only: no socket, nothing heavy
(the client side may import this).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from .protocol import LIVE_TEXT_MAX, PROTOCOL_VERSION

if TYPE_CHECKING:
    from ..app import StopReason

# What the daemon says it is doing. The engine's "armed" (microphone open, waiting) is "idle" here.
DaemonState = Literal["idle", "recording", "finishing"]


class Reply(Protocol):
    """Anything the daemon answers with: it becomes one JSON object with a boolean ``ok``."""

    def to_dict(self) -> dict[str, Any]:
        """The reply as it goes over the socket."""
        ...


@dataclass(frozen=True)
class PingReply:
    """The answer to ``ping``: which daemon this is (a second daemon names its pid when it refuses)."""

    pid: int
    version: str
    protocol: int = PROTOCOL_VERSION

    def to_dict(self) -> dict[str, Any]:
        """``{"ok": true, "pid", "version", "protocol"}``."""
        return {"ok": True, "pid": self.pid, "version": self.version, "protocol": self.protocol}


@dataclass(frozen=True)
class StartReply:
    """A dictation began."""

    private: bool = False

    def to_dict(self) -> dict[str, Any]:
        """``{"ok": true, "state": "recording", "private"}``."""
        return {"ok": True, "state": "recording", "private": self.private}


@dataclass(frozen=True)
class IgnoredStartReply:
    """A start while a dictation was in progress: nothing changed, and the client exits 0."""

    state: DaemonState

    def to_dict(self) -> dict[str, Any]:
        """``{"ok": true, "ignored": true, "state", "reason": "already <state>"}``."""
        return {"ok": True, "ignored": True, "state": self.state, "reason": f"already {self.state}"}


@dataclass(frozen=True)
class DraftSummary:
    """What the daemon may say about a saved draft: ids and counts, never text."""

    id: int
    record: str
    format: str
    label: str
    fields_filled: int
    fields_total: int
    companion: bool
    saved_at: str

    def to_dict(self) -> dict[str, Any]:
        """The summary as it goes over the socket."""
        return {
            "id": self.id,
            "record": self.record,
            "format": self.format,
            "label": self.label,
            "fields_filled": self.fields_filled,
            "fields_total": self.fields_total,
            "private_companion": self.companion,
            "saved_at": self.saved_at,
        }

    def message(self) -> str:
        """The notification line, e.g. "Draft 12 (SOAP) and a private note saved: 4 of 4 fields"."""
        kind = "Private draft" if self.record == "private" else "Draft"
        companion = " and a private note" if self.companion else ""
        counts = f"{self.fields_filled} of {self.fields_total} fields"
        return f"{kind} {self.id} ({self.label}){companion} saved: {counts}"


@dataclass(frozen=True)
class StopTiming:
    """Where the time of a stop went, in seconds: the engine's ``LiveTimings`` plus saving.

    ``stop_to_saved_s`` runs from the stop request until the draft was in the store.
    """

    recorded_s: float
    stop_to_draft_s: float
    tail_s: float
    chunks: int
    stop_to_saved_s: float

    def to_dict(self) -> dict[str, Any]:
        """The timing as it goes over the socket (recorded to 10 ms, the rest to the millisecond)."""
        return {
            "recorded_s": round(self.recorded_s, 2),
            "stop_to_draft_s": round(self.stop_to_draft_s, 3),
            "tail_s": round(self.tail_s, 3),
            "chunks": self.chunks,
            "stop_to_saved_s": round(self.stop_to_saved_s, 3),
        }


@dataclass(frozen=True)
class StopReply:
    """A dictation finished and its draft is saved: the summary, why recording ended, warnings, timing."""

    draft: DraftSummary
    stopped_by: StopReason
    timing: StopTiming
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """``{"ok": true, "state": "idle", "draft", "stopped_by", "warnings", "timing"}``."""
        return {
            "ok": True,
            "state": "idle",
            "draft": self.draft.to_dict(),
            "stopped_by": self.stopped_by,
            "warnings": list(self.warnings),
            "timing": self.timing.to_dict(),
        }


@dataclass(frozen=True)
class NoDraftReply:
    """A stop that saved nothing, and why; ``recorded_s`` is how long ``--no-capture`` "recorded"."""

    state: DaemonState
    reason: str
    recorded_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """``{"ok": true, "state", "draft": null, "reason"}``, plus ``timing`` with ``recorded_s``."""
        data: dict[str, Any] = {"ok": True, "state": self.state, "draft": None, "reason": self.reason}
        if self.recorded_s is not None:
            data["timing"] = {"recorded_s": round(self.recorded_s, 2)}
        return data


@dataclass(frozen=True)
class CancelReply:
    """The answer to ``cancel``: whether a dictation was dropped (nothing of it is kept)."""

    state: DaemonState
    cancelled: bool

    def to_dict(self) -> dict[str, Any]:
        """``{"ok": true, "state", "cancelled"}``."""
        return {"ok": True, "state": self.state, "cancelled": self.cancelled}


@dataclass(frozen=True)
class CaptureStatus:
    """The capture engine's side of ``status`` (absent with ``--no-capture``).

    ``armed``: the input stream is open. ``level``: the last block's level, 0..1. ``format``: the
    dictation in progress's note format, or None.
    """

    armed: bool
    level: float
    chunks_done: int
    chunks_pending: int
    device: str | None
    format: str | None
    max_seconds: float

    def to_dict(self) -> dict[str, Any]:
        """The engine's keys of the status reply."""
        return {
            "armed": self.armed,
            "level": self.level,
            "chunks_done": self.chunks_done,
            "chunks_pending": self.chunks_pending,
            "device": self.device,
            "format": self.format,
            "max_seconds": self.max_seconds,
        }


@dataclass(frozen=True)
class StatusReply:
    """What the daemon is doing, for ``dictanote status``.

    ``elapsed_s`` and ``private`` describe the dictation in progress (0 and False while idle).
    ``last_ignored_start`` is a UTC time (``...Z``) or None; ``unsaved`` counts drafts kept in memory
    because the store refused them; ``hotkey`` is the built-in hotkey's one-line status, or None.
    ``live_text``: the dictation's committed text when the request asked for it (else None, and absent
    from the reply); it goes out as its last ``LIVE_TEXT_MAX`` characters (``live_text``) and its whole
    length (``live_chars``), so that a client can tell what is new.
    """

    state: DaemonState
    elapsed_s: float
    private: bool
    last_draft: DraftSummary | None
    last_error: str | None
    last_ignored_start: str | None
    unsaved: int
    hotkey: str | None
    pid: int
    capture: CaptureStatus | None = None
    live_text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The status as it goes over the socket; ``capture`` is a flag, the engine's keys follow it."""
        data: dict[str, Any] = {
            "ok": True,
            "state": self.state,
            "elapsed_s": round(self.elapsed_s, 1),
            "private": self.private,
            "capture": self.capture is not None,
            "last_draft": self.last_draft.to_dict() if self.last_draft else None,
            "last_error": self.last_error,
            "last_ignored_start": self.last_ignored_start,
            "unsaved": self.unsaved,
            "hotkey": self.hotkey,
            "pid": self.pid,
        }
        if self.capture is not None:
            data.update(self.capture.to_dict())
        if self.live_text is not None:
            data["live_text"] = self.live_text[-LIVE_TEXT_MAX:]
            data["live_chars"] = len(self.live_text)
        return data


@dataclass(frozen=True)
class ErrorReply:
    """A request that failed: the message for the user and the exit code the client should use."""

    error: str
    exit_code: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """``{"ok": false, "error"}``, plus ``exit_code`` when there is one."""
        data: dict[str, Any] = {"ok": False, "error": self.error}
        if self.exit_code is not None:
            data["exit_code"] = self.exit_code
        return data
