"""What the daemon's controller drives: the ``Engine`` protocol (``LiveDictation`` has it) and ``NoCapture``.

``NoCapture`` is the engine of ``dictanote daemon --no-capture``: it opens no device, loads no model
and never yields a draft, but goes from idle to recording and back like the real one, so that the
controller reads one state machine whichever engine it has (and a key binding can be tried without a
microphone). Nothing here saves, notifies or speaks the protocol.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Protocol

from ..app import LiveStatus

if TYPE_CHECKING:
    from ..app import LiveResult


class Engine(Protocol):
    """A capture engine as the controller uses it (see ``LiveDictation`` for the full contract)."""

    def start(
        self, *, private: bool = False, format_id: str | None = None, client_id: str | None = None
    ) -> bool:
        """Begin a dictation (of ``format_id``, about ``client_id``: both checked by the caller);
        False (and nothing changes) when one is in progress."""
        ...

    def stop(self) -> LiveResult | None:
        """Finish the dictation and return its draft; None when nothing was recording."""
        ...

    def cancel(self) -> bool:
        """Drop the dictation in progress; False if there was none."""
        ...

    def status(self) -> LiveStatus:
        """A snapshot: the state (idle, armed, recording, finishing) and the dictation in progress."""
        ...

    def live_text(self) -> str:
        """The committed text of the dictation in progress ("" when there is none); never logged."""
        ...

    def arm(self) -> None:
        """Open the input stream (pre-roll starts filling)."""
        ...

    def disarm(self) -> None:
        """Close the input stream; a dictation in progress is cancelled."""
        ...

    def close(self) -> None:
        """Release everything; the engine cannot be used afterwards."""
        ...


class NoCapture:
    """An engine that records nothing: idle or "recording" (for how long, private or not), no draft."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started_at: float | None = None
        self._private = False
        self._format_id: str | None = None

    def start(
        self, *, private: bool = False, format_id: str | None = None, client_id: str | None = None
    ) -> bool:
        """Enter "recording" (of ``format_id``; the client is not kept); False when already there."""
        with self._lock:
            if self._started_at is not None:
                return False
            self._started_at, self._private, self._format_id = time.monotonic(), private, format_id
            return True

    def stop(self) -> None:
        """Back to idle; there is never a draft."""
        self.cancel()

    def cancel(self) -> bool:
        """Back to idle; False if it was idle."""
        with self._lock:
            was_recording = self._started_at is not None
            self._started_at, self._private, self._format_id = None, False, None
            return was_recording

    def status(self) -> LiveStatus:
        """Idle, or recording since ``start`` (wall-clock seconds) and whether it is private."""
        with self._lock:
            if self._started_at is None:
                return LiveStatus(state="idle")
            elapsed = round(time.monotonic() - self._started_at, 2)
            return LiveStatus(
                state="recording", elapsed_s=elapsed, private=self._private, format=self._format_id
            )

    def live_text(self) -> str:
        """Nothing is ever heard."""
        return ""

    def arm(self) -> None:
        """Nothing to open."""

    def disarm(self) -> None:
        """Nothing to close; a "dictation" in progress is dropped, as the real engine drops one."""
        self.cancel()

    def close(self) -> None:
        """Nothing to release (a "dictation" in progress is dropped)."""
        self.cancel()
