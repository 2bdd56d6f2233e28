"""The daemon's dictations: protocol requests in, typed replies out, every finished dictation saved.

Drives one engine (``LiveDictation``, or ``NoCapture`` with ``--no-capture``) and reads the recording
state from it; it keeps only what the engine does not know: a stop being finished and saved, drafts the
store refused (kept in memory and retried, never written elsewhere), the last draft, the last error,
ignored starts and the hotkey's status. Tells the user through notifications. Replies carry ids,
counts, states and timings, never note text; only a ``status`` that asks for it carries the committed text
of the dictation in progress (for ``status --follow``), and nothing here logs or keeps that text.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import __version__
from ..core.errors import DictanoteError
from ..core.policy import utc_now
from .engine import Engine, NoCapture
from .protocol import Request
from .replies import (
    CancelReply,
    CaptureStatus,
    DaemonState,
    DraftSummary,
    IgnoredStartReply,
    NoDraftReply,
    PingReply,
    Reply,
    StartReply,
    StatusReply,
    StopReply,
    StopTiming,
)

if TYPE_CHECKING:
    from ..app import LiveResult, LiveStatus, StopReason
    from ..core.types import StoredDraft

log = logging.getLogger(__name__)

Notify = Callable[..., None]
Saver = Callable[["LiveResult"], "StoredDraft"]
# A start's format and client ids in, as the daemon will use them out (the format's id, the client's
# id as the list spells it); raises ``UnknownFormatError`` or ``RecordNotFoundError`` (exit 2).
Chooser = Callable[[str | None, str | None], tuple[str | None, str | None]]

# The engine's four states as the daemon reports them: "armed" is idle with the microphone open.
ENGINE_STATES: dict[str, DaemonState] = {
    "idle": "idle",
    "armed": "idle",
    "recording": "recording",
    "finishing": "finishing",
}
CAPTURE_OFF = "capture is off (--no-capture); nothing was recorded"


@dataclass(frozen=True)
class ControllerOptions:
    """How the daemon treats the capture engine between dictations.

    ``stay_armed``: keep the input stream open while idle (pre-roll ready; ``--arm``);
    otherwise the stream opens at ``start`` and closes after each dictation.
    """

    stay_armed: bool = False


def summarize(outcome: LiveResult, stored: StoredDraft) -> DraftSummary:
    """The saved draft's id, format and how many of its fields hold something."""
    draft = stored.draft
    private = outcome.result.draft.private  # the stored draft is without it: it went to the private record
    label = outcome.result.format.label if outcome.result.format.id == draft.format else draft.format
    if label.endswith(" note"):
        label = label[: -len(" note")]
    label = label.replace(" note (", " (")
    return DraftSummary(
        id=stored.id,
        record=stored.record,
        format=draft.format,
        label=label,
        fields_filled=sum(1 for f in draft.fields if f.sentences),
        fields_total=len(draft.fields),
        companion=private is not None and any(f.sentences for f in private.fields),
        saved_at=stored.created_at,
    )


class Controller:
    """One dictation at a time, driven by requests from the socket and the hotkey.

    ``engine`` is set once, before serving (``None``: ``NoCapture``). ``choose`` checks a start's
    format and client before the engine starts (None: taken as given). Every public method is
    thread-safe; only ``stop`` waits (for the tail to be transcribed and the draft saved).
    """

    def __init__(
        self,
        engine: Engine | None,
        save: Saver,
        notify: Notify,
        options: ControllerOptions | None = None,
        choose: Chooser | None = None,
    ) -> None:
        self.engine: Engine = engine if engine is not None else NoCapture()
        self.save = save
        self.choose: Chooser = choose or (lambda format_id, client_id: (format_id, client_id))
        self.notify = notify
        self.options = options or ControllerOptions()
        self.last_draft: DraftSummary | None = None
        self.last_error: str | None = None
        self.last_ignored_start: str | None = None
        self.unsaved: list[LiveResult] = []
        self.hotkey_status: str | None = None
        # The dictation a stop is finishing (tail, draft, save), as it was when the stop came.
        self._finishing: LiveStatus | None = None
        self._cond = threading.Condition()

    @property
    def capture(self) -> bool:
        """Whether the daemon captures audio (False with ``--no-capture``)."""
        return not isinstance(self.engine, NoCapture)

    @property
    def state(self) -> DaemonState:
        """Idle, recording or finishing: the engine's state, or finishing while a stop saves."""
        with self._cond:
            return self._state(self.engine.status())

    # --- requests -----------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        """The reply to one request; raises only ``DictanoteError`` (the server replies ok false)."""
        if request.cmd == "ping":
            return PingReply(pid=os.getpid(), version=__version__)
        if request.cmd == "status":
            return self.status(text=request.text)
        if request.cmd == "start":
            return self.start(request.private, request.format_id, request.client_id)
        if request.cmd == "stop":
            return self.stop()
        if request.cmd == "cancel":
            return self.cancel()
        return self.toggle(request.private, request.format_id, request.client_id)

    def toggle(
        self, private: bool = False, format_id: str | None = None, client_id: str | None = None
    ) -> Reply:
        """Stop if recording, start otherwise (a start while a draft is finishing is ignored).

        ``format_id`` and ``client_id`` apply only to a start.
        """
        if self.state == "recording":
            return self.stop()
        return self.start(private, format_id, client_id)

    def start(
        self, private: bool = False, format_id: str | None = None, client_id: str | None = None
    ) -> StartReply | IgnoredStartReply:
        """Begin a dictation of ``format_id`` (None: the daemon's) about ``client_id`` (None: not chosen).

        A start while one is in progress is ignored and remembered. An unknown format or client is
        refused before the microphone opens (``UnknownFormatError``, ``RecordNotFoundError``: exit 2).
        """
        with self._cond:
            if self._finishing is None and not self.engine.status().busy:
                try:
                    format_id, client_id = self.choose(format_id, client_id)
                except DictanoteError as exc:  # its message may name the client: never logged
                    log.info("start refused: %s", type(exc).__name__)
                    raise
                try:
                    started = self.engine.start(private=private, format_id=format_id, client_id=client_id)
                except DictanoteError as exc:  # no microphone, device gone: say so, stay idle
                    self._failed("cannot start recording", exc)
                    raise
                if started:
                    log.info("recording started (private=%s, format=%s)", private, format_id or "default")
                    return StartReply(private=private)
            # The daemon's own record: the engine cannot see a start refused while a draft is saved.
            self.last_ignored_start = utc_now()
            state = self._state(self.engine.status())
        log.info("start ignored: %s", state)
        return IgnoredStartReply(state)

    def stop(self, reason: StopReason = "stop") -> StopReply | NoDraftReply:
        """Finish the dictation: transcribe the tail, save the draft, notify; reply with its summary."""
        with self._cond:
            live = self.engine.status()
            state = self._state(live)
            if state != "recording":
                return NoDraftReply(state, f"not recording ({state})")
            self._finishing = live
        try:
            return self._finish(live, reason)
        finally:
            # After a failure the engine may still hold the dictation: `stop` retries, `cancel` drops it.
            with self._cond:
                self._finishing = None
                self._disarm_if_idle()
                self._cond.notify_all()

    def cancel(self) -> CancelReply:
        """Drop the dictation in progress: nothing is transcribed or saved."""
        with self._cond:
            if self._finishing is not None or not self.engine.cancel():
                return CancelReply(self._state(self.engine.status()), cancelled=False)
            self._disarm_if_idle()
        log.info("recording cancelled")
        return CancelReply("idle", cancelled=True)

    def status(self, text: bool = False) -> StatusReply:
        """The state, the dictation in progress, the last draft and error, and the engine's side.

        ``text``: include the committed text of the dictation in progress ("" when there is none, or
        while it is finishing). A private note's text is included too: the socket is its owner's alone.
        """
        with self._cond:
            live = self.engine.status()
            heard = self.engine.live_text() if text else None
            current = self._finishing or live  # while finishing, the dictation being finished
            return StatusReply(
                state=self._state(live),
                elapsed_s=current.elapsed_s,
                private=current.private,
                last_draft=self.last_draft,
                last_error=self.last_error,
                last_ignored_start=self.last_ignored_start,
                unsaved=len(self.unsaved),
                hotkey=self.hotkey_status,
                pid=os.getpid(),
                capture=_capture_status(live) if self.capture else None,
                live_text=heard,
            )

    # --- events from the engine's threads -------------------------------------

    def on_warning(self, message: str) -> None:
        """Relay an engine warning (near the length cap, device trouble) to the desktop."""
        log.warning("capture: %s", message)
        self.notify("dictanote", message, urgent=True)

    def on_autostop(self, reason: StopReason) -> None:
        """Recording ended by itself; finish it on a thread of our own (never the engine's)."""
        log.info("recording ended by itself: %s", reason)
        threading.Thread(
            target=self._stop_quietly, args=(reason,), name="dictanote-autostop", daemon=True
        ).start()

    def _stop_quietly(self, reason: StopReason) -> None:
        try:
            self.stop(reason)
        except DictanoteError:
            pass  # already logged and notified by _finish
        except Exception:  # a thread of our own: log it, keep the daemon up
            log.exception("finishing an automatically stopped dictation failed")

    # --- lifecycle -------------------------------------------------------------

    def arm(self) -> None:
        """Open the input stream now, if the daemon keeps it open between dictations."""
        if self.options.stay_armed:
            self.engine.arm()

    def shutdown(self) -> StopReply | NoDraftReply | None:
        """Finish (and save) a dictation in progress, wait for one finishing, release the engine."""
        reply = None
        if self.state == "recording":
            log.info("shutting down: finishing the dictation in progress")
            try:
                reply = self.stop()
            except DictanoteError:
                reply = None
        with self._cond:
            self._cond.wait_for(lambda: self._finishing is None, timeout=300)
        if self.unsaved:
            self._save_pending()
        self.engine.close()
        return reply

    # --- internals ---------------------------------------------------------------

    def _state(self, live: LiveStatus) -> DaemonState:
        return "finishing" if self._finishing is not None else ENGINE_STATES[live.state]

    def _disarm_if_idle(self) -> None:
        """Close the input stream after a dictation unless it stays open (lock held)."""
        if not self.options.stay_armed and not self.engine.status().busy:
            self.engine.disarm()

    def _finish(self, live: LiveStatus, reason: StopReason) -> StopReply | NoDraftReply:
        started = time.perf_counter()
        try:
            outcome = self.engine.stop()  # the engine retries a failed chunk itself
        except DictanoteError as exc:
            self._failed("finishing the dictation failed", exc)
            raise
        if outcome is None:
            if not self.capture:
                return NoDraftReply("idle", CAPTURE_OFF, recorded_s=live.elapsed_s)
            return NoDraftReply("idle", "nothing was recording")
        self._save_pending()
        try:
            stored = self.save(outcome)
        except DictanoteError as exc:
            with self._cond:
                self.unsaved.append(outcome)  # kept in memory, retried at the next stop and at exit
            self._failed("the draft could not be saved (kept in memory, will retry)", exc)
            raise
        return self._saved(outcome, stored, reason, time.perf_counter() - started)

    def _saved(
        self, outcome: LiveResult, stored: StoredDraft, reason: StopReason, total_s: float
    ) -> StopReply:
        summary = summarize(outcome, stored)
        with self._cond:
            self.last_draft = summary
            self.last_error = None
        log.info(
            "draft %d saved (%s, %d of %d fields) %.2f s after stop",
            summary.id,
            summary.record,
            summary.fields_filled,
            summary.fields_total,
            total_s,
        )
        self.notify("dictanote", summary.message())
        for warning in outcome.warnings:
            self.notify("dictanote", warning, urgent=True)
        t = outcome.timings
        return StopReply(
            draft=summary,
            stopped_by=outcome.stopped_by if reason == "stop" else reason,
            timing=StopTiming(t.recorded_s, t.stop_to_draft_s, t.tail_s, t.chunks, total_s),
            warnings=outcome.warnings,
        )

    def _save_pending(self) -> None:
        while self.unsaved:
            outcome = self.unsaved[0]
            try:
                stored = self.save(outcome)
            except DictanoteError as exc:
                log.warning("an earlier draft still cannot be saved: %s", type(exc).__name__)
                return
            summary = summarize(outcome, stored)
            with self._cond:
                self.unsaved.pop(0)
                self.last_draft = summary
            self.notify("dictanote", summary.message())

    def _failed(self, what: str, exc: DictanoteError) -> None:
        # Our errors' messages are written for the user and never carry note text.
        message = f"{what}: {exc}"
        with self._cond:
            self.last_error = message
        log.error("%s", message)
        self.notify("dictanote: dictation failed", message, urgent=True)


def _capture_status(live: LiveStatus) -> CaptureStatus:
    return CaptureStatus(
        armed=live.state != "idle",
        level=live.level,
        chunks_done=live.chunks_done,
        chunks_pending=live.chunks_pending,
        device=live.device,
        format=live.format,
        max_seconds=live.max_seconds,
    )
