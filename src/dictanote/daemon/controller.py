"""The daemon's dictation state machine: idle -> recording -> finishing -> idle.

Turns protocol requests into calls on one ``LiveDictation`` (or on nothing, with
``--no-capture``), saves every finished dictation to the inbox, and tells the
user through notifications. A draft that cannot be saved stays in memory and
is retried, never written elsewhere. Replies carry ids, counts, states and
timings only, never note text.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..core.errors import DictanoteError
from .protocol import PROTOCOL_VERSION, Request

if TYPE_CHECKING:
    from ..app import LiveDictation, LiveResult, StopReason
    from ..core.types import StoredDraft

log = logging.getLogger(__name__)

Notify = Callable[..., None]
Saver = Callable[["LiveResult"], "StoredDraft"]


@dataclass(frozen=True)
class ControllerOptions:
    """How the daemon treats the capture engine between dictations.

    ``stay_armed``: keep the input stream open while idle (pre-roll ready);
    otherwise the stream opens at ``start`` and closes after each dictation.
    """

    stay_armed: bool = True


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
        """The notification line, e.g. "Draft 12 (SOAP) ready: 4 of 4 fields"."""
        extra = ", plus a private note" if self.companion else ""
        private = "Private draft" if self.record == "private" else "Draft"
        return (
            f"{private} {self.id} ({self.label}) ready: "
            f"{self.fields_filled} of {self.fields_total} fields{extra}"
        )


def summarize(outcome: LiveResult, stored: StoredDraft) -> DraftSummary:
    """The saved draft's id, format and how many of its fields hold something."""
    draft = stored.draft
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
        companion=draft.private is not None and any(f.sentences for f in draft.private.fields),
        saved_at=stored.created_at,
    )


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Controller:
    """One dictation at a time, driven by requests from the socket and the hotkey."""

    def __init__(
        self,
        engine: LiveDictation | None,
        save: Saver,
        notify: Notify,
        options: ControllerOptions | None = None,
    ) -> None:
        self.engine = engine
        self.save = save
        self.notify = notify
        self.options = options or ControllerOptions()
        self.state = "idle"
        self.private = False
        self.started_at: float | None = None
        self.last_draft: DraftSummary | None = None
        self.last_error: str | None = None
        self.last_ignored_start: str | None = None
        self.unsaved: list[LiveResult] = []
        self.hotkey_status: str | None = None
        self._cond = threading.Condition()

    # --- requests -----------------------------------------------------------

    def handle(self, request: Request) -> dict[str, Any]:
        """The reply to one request; raises only ``DictanoteError`` (the server replies ok false)."""
        if request.cmd == "ping":
            return {"ok": True, "pid": os.getpid(), "version": __version__, "protocol": PROTOCOL_VERSION}
        if request.cmd == "status":
            return self.status()
        if request.cmd == "start":
            return self.start(private=request.private)
        if request.cmd == "stop":
            return self.stop()
        if request.cmd == "cancel":
            return self.cancel()
        with self._cond:
            recording = self.state == "recording"
        return self.stop() if recording else self.start(private=request.private)

    def start(self, private: bool = False) -> dict[str, Any]:
        """Begin a dictation; a start while one is in progress is ignored and remembered."""
        with self._cond:
            if self.state != "idle":
                self.last_ignored_start = _now()
                log.info("start ignored: %s", self.state)
                return {"ok": True, "ignored": True, "state": self.state, "reason": f"already {self.state}"}
            if self.engine is not None:
                try:
                    started = self.engine.start(private=private)
                except DictanoteError as exc:  # no microphone, device gone: say so, stay idle
                    self._failed("cannot start recording", exc)
                    raise
                if not started:  # the engine had one going (an autostop race): say so
                    self.last_ignored_start = _now()
                    return {"ok": True, "ignored": True, "state": "recording", "reason": "already recording"}
            self.state = "recording"
            self.private = private
            self.started_at = time.monotonic()
        log.info("recording started (private=%s)", private)
        return {"ok": True, "state": "recording", "private": private}

    def stop(self, reason: StopReason = "stop") -> dict[str, Any]:
        """Finish the dictation: transcribe the tail, save the draft, notify; reply with its id."""
        with self._cond:
            if self.state != "recording":
                return {
                    "ok": True,
                    "state": self.state,
                    "draft": None,
                    "reason": f"not recording ({self.state})",
                }
            self.state = "finishing"
            elapsed = self._elapsed()
        held = False
        try:
            return self._finish(elapsed, reason)
        except DictanoteError:
            held = self._audio_held()
            raise
        finally:
            with self._cond:
                # If the engine still holds the dictation after a failure: `stop` retries, `cancel` drops it.
                self.state = "recording" if held else "idle"
                if not held:
                    self.started_at = None
                self._cond.notify_all()
            if not held:
                self._maybe_disarm()

    def cancel(self) -> dict[str, Any]:
        """Drop the dictation in progress: nothing is transcribed or saved."""
        with self._cond:
            if self.state != "recording":
                return {"ok": True, "state": self.state, "cancelled": False}
            if self.engine is not None:
                self.engine.cancel()
            self.state = "idle"
            self.started_at = None
            self._cond.notify_all()
        self._maybe_disarm()
        log.info("recording cancelled")
        return {"ok": True, "state": "idle", "cancelled": True}

    def status(self) -> dict[str, Any]:
        """State, elapsed time, the last draft and what the engine reports."""
        with self._cond:
            reply: dict[str, Any] = {
                "ok": True,
                "state": self.state,
                "elapsed_s": round(self._elapsed(), 1),
                "private": self.private if self.state != "idle" else False,
                "capture": self.engine is not None,
                "last_draft": self.last_draft.to_dict() if self.last_draft else None,
                "last_error": self.last_error,
                "last_ignored_start": self.last_ignored_start,
                "unsaved": len(self.unsaved),
                "hotkey": self.hotkey_status,
                "pid": os.getpid(),
            }
        if self.engine is not None:
            engine = self.engine.status().to_dict()
            reply["armed"] = engine["state"] != "idle"
            for key in ("level", "chunks_done", "chunks_pending", "device", "format", "max_seconds"):
                reply[key] = engine[key]
        return reply

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
        if self.engine is not None and self.options.stay_armed:
            self.engine.arm()

    def shutdown(self) -> dict[str, Any] | None:
        """Finish (and save) a dictation in progress, wait for one finishing, release the engine."""
        reply = None
        with self._cond:
            recording = self.state == "recording"
        if recording:
            log.info("shutting down: finishing the dictation in progress")
            try:
                reply = self.stop()
            except DictanoteError:
                reply = None
        with self._cond:
            self._cond.wait_for(lambda: self.state != "finishing", timeout=300)
        if self.unsaved:
            self._save_pending()
        if self.engine is not None:
            self.engine.close()
        return reply

    # --- internals ---------------------------------------------------------------

    def _elapsed(self) -> float:
        return time.monotonic() - self.started_at if self.started_at is not None else 0.0

    def _audio_held(self) -> bool:
        if self.engine is None:
            return False
        try:
            return self.engine.status().busy
        except DictanoteError:
            return False

    def _maybe_disarm(self) -> None:
        if self.engine is not None and not self.options.stay_armed:
            self.engine.disarm()

    def _finish(self, elapsed: float, reason: StopReason) -> dict[str, Any]:
        if self.engine is None:
            return {
                "ok": True,
                "state": "idle",
                "draft": None,
                "reason": "capture is off (--no-capture); nothing was recorded",
                "timing": {"recorded_s": round(elapsed, 2)},
            }
        started = time.perf_counter()
        try:
            outcome = self.engine.stop()  # the engine retries a failed chunk itself
        except DictanoteError as exc:
            self._failed("finishing the dictation failed", exc)
            raise
        if outcome is None:
            return {"ok": True, "state": "idle", "draft": None, "reason": "nothing was recording"}
        self._save_pending()
        try:
            stored = self.save(outcome)
        except DictanoteError as exc:
            self.unsaved.append(outcome)  # kept in memory, retried at the next stop and at exit
            self._failed("the draft could not be saved (kept in memory, will retry)", exc)
            raise
        summary = summarize(outcome, stored)
        total_s = time.perf_counter() - started
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
        return {
            "ok": True,
            "state": "idle",
            "draft": summary.to_dict(),
            "stopped_by": outcome.stopped_by if reason == "stop" else reason,
            "warnings": list(outcome.warnings),
            "timing": {
                "recorded_s": round(t.recorded_s, 2),
                "stop_to_draft_s": round(t.stop_to_draft_s, 3),
                "tail_s": round(t.tail_s, 3),
                "chunks": t.chunks,
                "stop_to_saved_s": round(total_s, 3),
            },
        }

    def _save_pending(self) -> None:
        while self.unsaved:
            outcome = self.unsaved[0]
            try:
                stored = self.save(outcome)
            except DictanoteError as exc:
                log.warning("an earlier draft still cannot be saved: %s", type(exc).__name__)
                return
            self.unsaved.pop(0)
            summary = summarize(outcome, stored)
            self.last_draft = summary
            self.notify("dictanote", summary.message())

    def _failed(self, what: str, exc: DictanoteError) -> None:
        # Our errors' messages are written for the user and never carry note text.
        message = f"{what}: {exc}"
        with self._cond:
            self.last_error = message
        log.error("%s", message)
        self.notify("dictanote: dictation failed", message, urgent=True)
