"""The daemon's controller (``daemon/controller.py``): requests in, typed replies out, drafts saved.

The recording state is the engine's: a stand-in engine (its states, a real draft of a sample's text at
each stop, no microphone) or ``NoCapture``. What the controller keeps itself (a stop being finished and
saved, drafts kept in memory, the last draft and error, ignored starts) is tested here.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from dictanote.app import Dictation, LiveResult, LiveStatus, LiveTimings, SessionStart
from dictanote.core.errors import CaptureError, DictanoteError, StoreError
from dictanote.core.types import StoredDraft
from dictanote.daemon import Request
from dictanote.daemon.controller import Controller, ControllerOptions
from dictanote.daemon.replies import (
    CancelReply,
    IgnoredStartReply,
    NoDraftReply,
    StartReply,
    StopReply,
)
from tests.util import load_samples

Shown = list[tuple[str, str]]


class _TextEngine:
    """Stands in for ``LiveDictation`` (its states and answers); each stop yields a real draft of ``text``."""

    def __init__(self, dictation: Dictation, text: str, format_id: str) -> None:
        self.dictation, self.text, self.format_id = dictation, text, format_id
        self.state = "armed"
        self.private = False
        self.calls: list[str] = []
        self.stopped_on: list[str] = []  # the thread each stop ran on
        self.start_error: DictanoteError | None = None
        self.session = SessionStart()
        self.dictation_format: str | None = None

    def start(
        self, *, private: bool = False, format_id: str | None = None, client_id: str | None = None
    ) -> bool:
        if self.start_error is not None:
            raise self.start_error
        if self.state in ("recording", "finishing"):
            return False
        self.private, self.state = private, "recording"
        self.calls.append("start")
        self.session = SessionStart(client_id, started=dt.datetime.now(dt.timezone.utc))
        self.dictation_format = format_id
        return True

    def stop(self) -> LiveResult | None:
        self.stopped_on.append(threading.current_thread().name)
        if self.state != "recording":
            return None
        fmt = "psychotherapy" if self.private else self.dictation_format or self.format_id
        result = self.dictation.from_text(self.text, fmt, start=self.session)
        self.state = "armed"
        return LiveResult(result, self.private, "stop", LiveTimings(1.0, 0.1, 0.05, 1))

    def cancel(self) -> bool:
        if self.state != "recording":
            return False
        self.state = "armed"
        return True

    def status(self) -> LiveStatus:
        busy = self.state in ("recording", "finishing")
        return LiveStatus(
            state=self.state,  # type: ignore[arg-type]
            elapsed_s=4.25 if busy else 0.0,
            level=0.5,
            device="fake mic",
            private=self.private if busy else False,
            format=self.format_id if busy else None,
            max_seconds=600.0,
        )

    def live_text(self) -> str:
        """The first five words "heard" while recording (the real engine's committed chunks)."""
        return " ".join(self.text.split()[:5]) if self.state == "recording" else ""

    def arm(self) -> None:
        self.calls.append("arm")
        if self.state == "idle":
            self.state = "armed"

    def disarm(self) -> None:
        self.calls.append("disarm")
        self.cancel()
        self.state = "idle"

    def close(self) -> None:
        self.calls.append("close")


def _notifier() -> tuple[Callable[..., None], Shown]:
    shown: Shown = []

    def notify(title: str, body: str, urgent: bool = False) -> None:
        shown.append((title, body))

    return notify, shown


def _controller() -> tuple[Controller, Shown]:
    def save(_outcome: object) -> Any:
        raise AssertionError("nothing is saved without capture")

    notify, shown = _notifier()
    return Controller(None, save, notify), shown


def _saving_controller(
    dictation: Dictation,
    sample_id: str = "birp-unheaded",
    save: Callable[[LiveResult], StoredDraft] | None = None,
    options: ControllerOptions | None = None,
) -> tuple[Controller, _TextEngine, Shown]:
    sample = next(s for s in load_samples() if s.id == sample_id)
    notify, shown = _notifier()
    engine = _TextEngine(dictation, sample.text, sample.format)

    def save_to_store(outcome: LiveResult) -> StoredDraft:
        return dictation.save(outcome.result, source="daemon")

    return Controller(engine, save or save_to_store, notify, options), engine, shown


# --- states ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("commands", "states"),
    [
        (["start", "stop"], ["recording", "idle"]),
        (["toggle", "toggle"], ["recording", "idle"]),
        (["start", "start", "status"], ["recording", "recording", "recording"]),
        (["start", "cancel", "status"], ["recording", "idle", "idle"]),
        (["stop", "cancel", "status"], ["idle", "idle", "idle"]),
    ],
)
def test_daemon_controller_state_follows_commands(commands: list[str], states: list[str]) -> None:
    controller, _ = _controller()
    seen = [controller.handle(Request(cmd)).to_dict()["state"] for cmd in commands]
    assert seen == states


def test_daemon_controller_ignored_start_is_reported_in_status() -> None:
    controller, _ = _controller()
    controller.handle(Request("start", private=True))
    reply = controller.handle(Request("start")).to_dict()
    assert reply["ignored"] is True and reply["reason"] == "already recording"
    status = controller.handle(Request("status")).to_dict()
    assert status["last_ignored_start"] is not None
    assert status["private"] is True
    # One time format in the package: UTC to the second, with a Z (it was +00:00 before).
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", status["last_ignored_start"])


def test_daemon_controller_without_capture_records_nothing() -> None:
    controller, shown = _controller()
    assert controller.capture is False
    assert controller.start(private=True) == StartReply(private=True)
    status = controller.status()
    assert status.capture is None and status.private is True and status.elapsed_s >= 0
    reply = controller.stop()
    assert isinstance(reply, NoDraftReply) and reply.recorded_s is not None
    assert reply.to_dict()["reason"] == "capture is off (--no-capture); nothing was recorded"
    assert controller.state == "idle" and shown == []


@pytest.mark.parametrize(
    ("engine_state", "state", "armed"),
    [
        ("idle", "idle", False),
        ("armed", "idle", True),
        ("recording", "recording", True),
        ("finishing", "finishing", True),
    ],
)
def test_daemon_controller_state_is_the_engines(
    dictation: Dictation, engine_state: str, state: str, armed: bool
) -> None:
    controller, engine, _ = _saving_controller(dictation)
    engine.state = engine_state
    status = controller.status().to_dict()
    assert (status["state"], status["armed"], status["capture"]) == (state, armed, True)
    assert status["device"] == "fake mic" and status["max_seconds"] == 600.0
    if state != "idle":
        assert status["elapsed_s"] == 4.2 and status["format"] == "birp"


def test_daemon_controller_start_refused_by_the_engine_is_ignored(dictation: Dictation) -> None:
    # No mirror to fall out of step: whatever the engine says it holds, a start is ignored.
    controller, engine, _ = _saving_controller(dictation)
    engine.state = "recording"  # e.g. a dictation that ended by itself and is not yet stopped
    assert controller.start() == IgnoredStartReply("recording")
    assert controller.status().last_ignored_start is not None
    assert controller.toggle().to_dict()["draft"]["id"] == 1  # a toggle stops it


@pytest.mark.parametrize(
    ("commands", "private", "live_text"),
    [
        ([], False, ""),  # idle: asked for, the text is there and empty
        (["start"], False, "Client arrived on time and"),
        (["start"], True, "Client arrived on time and"),  # a private note too: the owner's own socket
        (["start", "stop"], False, ""),
    ],
)
def test_daemon_controller_status_carries_the_live_text_only_when_asked(
    dictation: Dictation, commands: list[str], private: bool, live_text: str
) -> None:
    controller, engine, _ = _saving_controller(dictation)
    engine.text = "Client arrived on time and engaged well. Plan to meet next week."
    for cmd in commands:
        controller.handle(Request(cmd, private=private and cmd == "start"))
    asked = controller.handle(Request("status", text=True)).to_dict()
    assert (asked["live_text"], asked["live_chars"]) == (live_text, len(live_text))
    plain = controller.handle(Request("status")).to_dict()
    assert "live_text" not in plain and "live_chars" not in plain


def test_daemon_controller_without_capture_has_no_live_text() -> None:
    controller, _ = _controller()
    controller.start()
    assert controller.status(text=True).to_dict()["live_text"] == ""


# --- saving ---------------------------------------------------------------------------


def test_daemon_controller_unsaved_draft_stays_in_memory_and_is_saved_next_time(
    config: Any, dictation: Dictation
) -> None:
    controller, _, shown = _saving_controller(dictation, "birp-unheaded")
    config.paths.data_dir.parent.mkdir(parents=True, exist_ok=True)
    config.paths.data_dir.write_text("not a directory")  # the store cannot open
    controller.handle(Request("start"))
    with pytest.raises(StoreError):
        controller.handle(Request("stop"))
    status = controller.handle(Request("status")).to_dict()
    assert status["state"] == "idle" and status["unsaved"] == 1
    assert status["last_error"].startswith("the draft could not be saved (kept in memory, will retry)")
    config.paths.data_dir.unlink()
    controller.handle(Request("start"))
    reply = controller.handle(Request("stop")).to_dict()
    assert reply["draft"]["id"] == 2 and controller.handle(Request("status")).to_dict()["unsaved"] == 0
    with dictation.open_store() as store:
        saved = store.list_drafts()
    assert [(d.id, d.source, d.draft.format) for d in saved] == [(1, "daemon", "birp"), (2, "daemon", "birp")]
    assert [body for _, body in shown][-2:] == [
        "Draft 1 (BIRP) saved: 4 of 4 fields",
        "Draft 2 (BIRP) saved: 4 of 4 fields",
    ]


def test_daemon_controller_private_dictation_goes_to_the_private_record(dictation: Dictation) -> None:
    controller, _, shown = _saving_controller(dictation, "psychotherapy-unheaded")
    controller.handle(Request("toggle", private=True))
    reply = controller.handle(Request("toggle")).to_dict()
    assert reply["draft"]["record"] == "private" and reply["draft"]["format"] == "psychotherapy"
    with dictation.open_store() as store:
        assert store.list_drafts() == []
        assert [d.id for d in store.list_drafts(private=True)] == [reply["draft"]["id"]]
    assert shown[-1][1].startswith("Private draft 1 (Psychotherapy (private)) saved: ")


def test_daemon_controller_stop_replies_with_summary_reason_and_timing(dictation: Dictation) -> None:
    controller, _, _ = _saving_controller(dictation)
    controller.start()
    reply = controller.stop()
    assert isinstance(reply, StopReply)
    assert (reply.draft.id, reply.draft.label, reply.draft.fields_filled) == (1, "BIRP", 4)
    assert reply.draft.saved_at.endswith("Z") and reply.stopped_by == "stop" and reply.warnings == ()
    assert (reply.timing.recorded_s, reply.timing.chunks) == (1.0, 1) and reply.timing.stop_to_saved_s > 0
    assert controller.status().last_draft == reply.draft


def test_daemon_controller_is_finishing_while_the_draft_is_saved(dictation: Dictation) -> None:
    saving, release = threading.Event(), threading.Event()

    def slow_save(outcome: LiveResult) -> StoredDraft:
        saving.set()
        release.wait(10)
        return dictation.save(outcome.result, source="daemon")

    controller, engine, _ = _saving_controller(dictation, save=slow_save)
    controller.start(private=False)
    replies: list[Any] = []
    stopper = threading.Thread(target=lambda: replies.append(controller.stop()))
    stopper.start()
    try:
        assert saving.wait(10)
        assert engine.state == "armed"  # the engine is done; saving is the daemon's own phase
        status = controller.status()
        assert status.state == "finishing" and status.elapsed_s == 4.25
        assert controller.start() == IgnoredStartReply("finishing")
        assert controller.cancel() == CancelReply("finishing", cancelled=False)
        assert controller.stop() == NoDraftReply("finishing", "not recording (finishing)")
    finally:
        release.set()
        stopper.join(10)
    assert isinstance(replies[0], StopReply) and controller.state == "idle"
    assert controller.status().last_ignored_start is not None


def test_daemon_controller_autostop_finishes_on_a_thread_of_its_own(dictation: Dictation) -> None:
    controller, engine, _ = _saving_controller(dictation)
    controller.start()
    controller.on_autostop("cap")
    deadline = time.monotonic() + 10
    while controller.status().last_draft is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert controller.status().last_draft is not None and controller.state == "idle"
    assert engine.stopped_on == ["dictanote-autostop"]


def test_daemon_controller_failed_start_is_told_and_keeps_its_exit_code(dictation: Dictation) -> None:
    controller, engine, shown = _saving_controller(dictation)
    engine.start_error = CaptureError("no audio input device found")
    with pytest.raises(CaptureError) as raised:
        controller.handle(Request("toggle"))
    assert raised.value.exit_code == 5
    status = controller.status()
    assert status.state == "idle"
    assert status.last_error == "cannot start recording: no audio input device found"
    assert shown[-1] == ("dictanote: dictation failed", "cannot start recording: no audio input device found")


@pytest.mark.parametrize(("stay_armed", "disarmed"), [(True, False), (False, True)])
def test_daemon_controller_closes_the_microphone_after_each_dictation_unless_armed(
    dictation: Dictation, stay_armed: bool, disarmed: bool
) -> None:
    options = ControllerOptions(stay_armed=stay_armed)
    for finish in ("stop", "cancel"):
        controller, engine, _ = _saving_controller(dictation, options=options)
        controller.arm()
        controller.start()
        controller.handle(Request(finish))
        assert ("disarm" in engine.calls) is disarmed
        assert ("arm" in engine.calls) is stay_armed


def test_daemon_controller_shutdown_finishes_and_saves_the_dictation(dictation: Dictation) -> None:
    controller, engine, _ = _saving_controller(dictation)
    controller.start()
    reply = controller.shutdown()
    assert isinstance(reply, StopReply) and reply.draft.id == 1
    assert engine.calls[-1] == "close"
    with dictation.open_store() as store:
        assert [d.id for d in store.list_drafts()] == [1]


def test_daemon_controller_shutdown_saves_drafts_kept_in_memory(config: Any, dictation: Dictation) -> None:
    controller, _, shown = _saving_controller(dictation)
    config.paths.data_dir.parent.mkdir(parents=True, exist_ok=True)
    config.paths.data_dir.write_text("not a directory")
    controller.start()
    with pytest.raises(StoreError):
        controller.stop()
    config.paths.data_dir.unlink()
    assert controller.shutdown() is None
    assert controller.status().unsaved == 0 and shown[-1][1] == "Draft 1 (BIRP) saved: 4 of 4 fields"


def test_daemon_controller_notification_says_a_private_note_was_saved_too(dictation: Dictation) -> None:
    notify, shown = _notifier()
    text = "Subjective. Slept well this week. Private note, I felt protective of her."
    engine = _TextEngine(dictation, text, "soap")
    controller = Controller(engine, lambda outcome: dictation.save(outcome.result, source="daemon"), notify)
    controller.start()
    reply = controller.stop().to_dict()
    assert reply["draft"]["private_companion"] is True
    assert shown[-1][1].startswith("Draft 1 (SOAP) and a private note saved: "), shown[-1][1]


# --- the format and client of each dictation ------------------------------------------------


def _choosing_controller(dictation: Dictation) -> tuple[Controller, _TextEngine, Shown]:
    """A controller that checks each start's format and client as the daemon does (service._chooser)."""
    from dictanote.daemon.service import _chooser

    sample = next(s for s in load_samples() if s.id == "soap-unheaded")
    notify, shown = _notifier()
    engine = _TextEngine(dictation, sample.text, "soap")
    controller = Controller(
        engine,
        lambda outcome: dictation.save(outcome.result, source="daemon"),
        notify,
        None,
        _chooser(dictation),
    )
    return controller, engine, shown


def test_daemon_controller_each_start_has_its_own_format_and_client(dictation: Dictation) -> None:
    with dictation.open_store() as store:
        store.add_client("C1", name="M.R.")
    controller, engine, _ = _choosing_controller(dictation)
    before = dt.datetime.now().astimezone()
    assert controller.handle(Request("toggle", format_id="progress", client_id="c1")) == StartReply()
    assert engine.dictation_format == "progress" and engine.session.client_id == "C1"  # as the list has it
    first = controller.handle(Request("toggle", format_id="dap", client_id="nobody")).to_dict()  # a stop
    assert first["draft"]["format"] == "progress"
    controller.handle(Request("start", format_id="soap"))
    second = controller.handle(Request("stop")).to_dict()
    with dictation.open_store() as store:
        drafts = {d.id: d.draft for d in store.list_drafts()}
    progress, soap = drafts[first["draft"]["id"]], drafts[second["draft"]["id"]]
    assert (progress.format, progress.session.client_id, soap.format, soap.session.client_id) == (
        "progress",
        "C1",
        "soap",
        None,
    )
    assert progress.session.date == before.strftime("%Y-%m-%d") and progress.session.time is not None
    assert progress.session.time >= before.strftime("%H:%M")


@pytest.mark.parametrize(
    ("request_", "error", "message"),
    [
        (Request("start", client_id="nobody"), "RecordNotFoundError", "no client 'nobody'"),
        (Request("toggle", client_id="NOBODY", private=True), "RecordNotFoundError", "no client 'NOBODY'"),
        (Request("toggle", format_id="xyz"), "UnknownFormatError", "no note format 'xyz'"),
    ],
)
def test_daemon_controller_unknown_client_or_format_refused_before_the_engine_starts(
    dictation: Dictation, caplog: pytest.LogCaptureFixture, request_: Request, error: str, message: str
) -> None:
    controller, engine, shown = _choosing_controller(dictation)
    with caplog.at_level("DEBUG"), pytest.raises(DictanoteError, match=re.escape(message)) as raised:
        controller.handle(request_)
    assert (type(raised.value).__name__, raised.value.exit_code) == (error, 2)
    assert "start" not in engine.calls and engine.state == "armed"  # the microphone never opened
    assert controller.state == "idle" and shown == []
    assert "nobody" not in caplog.text.lower()  # a client id is never logged


def test_daemon_controller_no_capture_status_shows_the_dictations_format() -> None:
    controller, _ = _controller()
    controller.handle(Request("start", format_id="girp", client_id="C1"))
    assert controller.engine.status().format == "girp"
    controller.handle(Request("cancel"))
    assert controller.engine.status().format is None
