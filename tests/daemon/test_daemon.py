"""The daemon's protocol, socket and lifecycle, with a real daemon process where it matters.

The lifecycle tests run ``dictanote daemon --no-capture``: the real socket,
lock, state machine and signal handling, with no audio device (what capture
and saving do is tested end to end in tests/integration/test_daemon_e2e.py).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from dictanote.core.errors import DaemonAlreadyRunningError, DaemonError, DaemonNotRunningError, StoreError
from dictanote.daemon import Request, send, socket_path
from dictanote.daemon.client import ping
from dictanote.daemon.controller import Controller, DraftSummary
from dictanote.daemon.hotkey import HotkeyActions, HotkeyOptions, Hotkeys, unavailable_reason
from dictanote.daemon.notify import Notifier, notify_command
from dictanote.daemon.protocol import MAX_LINE, encode_line, parse_reply, parse_request
from dictanote.daemon.server import ControlSocket, Server, ensure_runtime_dir, serve_connection
from tests.util import load_samples, run_cli

# --- protocol -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b'{"cmd": "start"}', Request("start")),
        (b'{"cmd": "start", "private": true}', Request("start", private=True)),
        (b'{"cmd": "toggle", "private": true}', Request("toggle", private=True)),
        (b'{"cmd": "stop", "private": false}', Request("stop")),
        (b'{"cmd": "status"}', Request("status")),
        (b'{"cmd": "cancel"}', Request("cancel")),
        (b'{"cmd": "ping"}', Request("ping")),
        (b'  {"cmd":"stop"}  ', Request("stop")),
    ],
)
def test_daemon_protocol_parses_requests(line: bytes, expected: Request) -> None:
    assert parse_request(line) == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"start", "not a JSON line"),
        (b"\xff\xfe", "not a JSON line"),
        (b'["start"]', "must be a JSON object, got list"),
        (b'{"cmd": "record"}', "unknown command 'record'; available commands: start, stop, toggle"),
        (b"{}", "unknown command None"),
        (b'{"cmd": "start", "private": "yes"}', "'private' must be true or false"),
        (b'{"cmd": "stop", "private": true}', "'private' applies to start and toggle only"),
        (b'{"cmd": "start", "text": "x"}', "unknown request key 'text'; allowed keys: cmd, private"),
        (b'{"cmd": "' + b"x" * MAX_LINE + b'"}', "the limit is 65536"),
    ],
)
def test_daemon_protocol_rejects_bad_requests_by_name(line: bytes, message: str) -> None:
    with pytest.raises(DaemonError, match=re.escape(message)):
        parse_request(line)


@pytest.mark.parametrize("request_", [Request("start", private=True), Request("status")])
def test_daemon_protocol_request_round_trips_as_one_line(request_: Request) -> None:
    line = request_.encode()
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert parse_request(line) == request_


@pytest.mark.parametrize("line", [b'{"state": "idle"}', b'{"ok": "yes"}', b"[]", b"garbage", b'{"ok": 1}'])
def test_daemon_protocol_rejects_replies_without_ok(line: bytes) -> None:
    with pytest.raises(DaemonError):
        parse_reply(line)


def test_daemon_protocol_socket_path_too_long_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(DaemonError, match="set XDG_RUNTIME_DIR to a shorter directory"):
        socket_path(tmp_path / ("x" * 120))


# --- clients without a daemon ---------------------------------------------------


@pytest.mark.parametrize("args", [["status"], ["toggle"], ["start", "--private"], ["stop"], ["cancel"]])
def test_daemon_client_without_daemon_exits_6_with_one_line(args: list[str]) -> None:
    result = run_cli(*args)
    assert result.returncode == 6, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "dictanote: error: no dictanote daemon is running; start it with `dictanote daemon` "
        "(or as a systemd user service, see docs/daemon.md)"
    ]
    assert result.stdout == ""


def test_daemon_client_without_daemon_raises_not_running(isolated_dirs: dict[str, Path]) -> None:
    path = socket_path(isolated_dirs["runtime"] / "dictanote")
    with pytest.raises(DaemonNotRunningError):
        send(path, Request("status"))
    assert ping(path) is None


def test_daemon_client_imports_nothing_heavy() -> None:
    code = (
        "import sys, dictanote.cli, dictanote.daemon.client, dictanote.daemon.commands\n"
        "heavy = ['numpy', 'faster_whisper', 'ctranslate2', 'spacy', 'sounddevice', 'pynput', "
        "'jinja2', 'onnxruntime', 'av', 'sqlite3', 'dictanote.pipeline', 'dictanote.live']\n"
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_daemon_client_toggle_is_instant() -> None:
    started = time.perf_counter()
    result = run_cli("toggle")
    assert result.returncode == 6
    # A fresh interpreter plus click: far below a second even on a busy 2-core machine.
    assert time.perf_counter() - started < 2.0


# --- socket and lock, in process ----------------------------------------------------


def test_daemon_server_runtime_dir_and_socket_are_owner_only(isolated_dirs: dict[str, Path]) -> None:
    runtime = isolated_dirs["runtime"] / "dictanote"
    runtime.mkdir(parents=True, mode=0o755)
    runtime.chmod(0o755)
    control = ControlSocket(runtime)
    control.open()
    try:
        assert stat.S_IMODE(runtime.stat().st_mode) == 0o700
        info = control.path.stat()
        assert stat.S_ISSOCK(info.st_mode)
        assert stat.S_IMODE(info.st_mode) == 0o600
        assert control.sock is not None and not control.sock.get_inheritable()
    finally:
        control.close()
    assert not control.path.exists()


def test_daemon_server_second_socket_in_process_is_refused(isolated_dirs: dict[str, Path]) -> None:
    runtime = ensure_runtime_dir(isolated_dirs["runtime"] / "dictanote")
    first = ControlSocket(runtime)
    first.open()
    try:
        with pytest.raises(DaemonAlreadyRunningError):
            ControlSocket(runtime).open()
    finally:
        first.close()


def _serve_once(handler: Any, line: bytes) -> dict[str, Any]:
    left, right = socket.socketpair()
    with left:
        worker = threading.Thread(target=serve_connection, args=(right, handler))
        worker.start()
        left.sendall(line)
        left.shutdown(socket.SHUT_WR)
        data = left.makefile("rb").readline()
        worker.join(5)
    return parse_reply(data)


def test_daemon_server_catch_all_replies_ok_false_and_keeps_serving() -> None:
    calls: list[str] = []

    def handler(request: Request) -> dict[str, Any]:
        calls.append(request.cmd)
        if request.cmd == "start":
            raise RuntimeError("boom")
        return {"ok": True, "state": "idle"}

    reply = _serve_once(handler, b'{"cmd": "start"}\n')
    assert reply == {"ok": False, "error": "internal error in the daemon (RuntimeError); see its log"}
    reply = _serve_once(handler, b'{"cmd": "stop", "private": true}\n')
    assert reply["ok"] is False and reply["exit_code"] == 6
    assert _serve_once(handler, b'{"cmd": "status"}\n') == {"ok": True, "state": "idle"}
    assert calls == ["start", "status"]


# --- the state machine (no capture engine) ------------------------------------------


def _controller() -> tuple[Controller, list[tuple[str, str]]]:
    shown: list[tuple[str, str]] = []

    def save(_outcome: object) -> Any:
        raise AssertionError("nothing is saved without capture")

    def notify(title: str, body: str, urgent: bool = False) -> None:
        shown.append((title, body))

    return Controller(None, save, notify), shown


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
    seen = [controller.handle(Request(cmd))["state"] for cmd in commands]
    assert seen == states


def test_daemon_controller_ignored_start_is_reported_in_status() -> None:
    controller, _ = _controller()
    controller.handle(Request("start", private=True))
    reply = controller.handle(Request("start"))
    assert reply["ignored"] is True and reply["reason"] == "already recording"
    status = controller.handle(Request("status"))
    assert status["last_ignored_start"] is not None
    assert status["private"] is True


@pytest.mark.parametrize(
    ("summary", "message"),
    [
        (
            DraftSummary(12, "clinical", "soap", "SOAP", 4, 4, False, "t"),
            "Draft 12 (SOAP) ready: 4 of 4 fields",
        ),
        (
            DraftSummary(3, "clinical", "birp", "BIRP", 2, 4, True, "t"),
            "Draft 3 (BIRP) ready: 2 of 4 fields, plus a private note",
        ),
        (
            DraftSummary(5, "private", "psychotherapy", "Psychotherapy (private)", 1, 3, False, "t"),
            "Private draft 5 (Psychotherapy (private)) ready: 1 of 3 fields",
        ),
    ],
)
def test_daemon_controller_notification_names_ids_and_counts(summary: DraftSummary, message: str) -> None:
    assert summary.message() == message


class _TextEngine:
    """Stands in for the microphone only: each stop yields a real draft of a sample's text."""

    def __init__(self, config: Any, text: str, format_id: str) -> None:
        self.config, self.text, self.format_id = config, text, format_id
        self.private = False
        self.state = "armed"

    def start(self, *, private: bool = False) -> bool:
        self.private, self.state = private, "recording"
        return True

    def stop(self) -> Any:
        from dictanote.app import Dictation, LiveResult, LiveTimings

        self.state = "armed"
        fmt = "psychotherapy" if self.private else self.format_id
        result = Dictation(self.config).from_text(self.text, fmt)
        return LiveResult(result, self.private, "stop", LiveTimings(1.0, 0.1, 0.05, 1))

    def cancel(self) -> bool:
        self.state = "armed"
        return True

    def status(self) -> Any:
        from dictanote.app import LiveStatus

        return LiveStatus(state=self.state)  # type: ignore[arg-type]

    def arm(self) -> None: ...
    def disarm(self) -> None: ...
    def close(self) -> None: ...


def _saving_controller(config: Any, sample_id: str) -> tuple[Controller, list[tuple[str, str]]]:
    from dictanote.app import Dictation

    sample = next(s for s in load_samples() if s.id == sample_id)
    shown: list[tuple[str, str]] = []

    def notify(title: str, body: str, urgent: bool = False) -> None:
        shown.append((title, body))

    engine = _TextEngine(config, sample.text, sample.format)
    controller = Controller(
        engine, lambda outcome: Dictation(config).save(outcome.result, source="daemon"), notify
    )  # type: ignore[arg-type]
    return controller, shown


def test_daemon_controller_unsaved_draft_stays_in_memory_and_is_saved_next_time(config: Any) -> None:
    from dictanote.app import Dictation

    controller, shown = _saving_controller(config, "birp-unheaded")
    config.paths.data_dir.parent.mkdir(parents=True, exist_ok=True)
    config.paths.data_dir.write_text("not a directory")  # the store cannot open
    controller.handle(Request("start"))
    with pytest.raises(StoreError):
        controller.handle(Request("stop"))
    status = controller.handle(Request("status"))
    assert status["state"] == "idle" and status["unsaved"] == 1
    assert status["last_error"].startswith("the draft could not be saved (kept in memory, will retry)")
    config.paths.data_dir.unlink()
    controller.handle(Request("start"))
    reply = controller.handle(Request("stop"))
    assert reply["draft"]["id"] == 2 and controller.handle(Request("status"))["unsaved"] == 0
    with Dictation(config).open_store() as store:
        saved = store.list_drafts()
    assert [(d.id, d.source, d.draft.format) for d in saved] == [(1, "daemon", "birp"), (2, "daemon", "birp")]
    assert [body for _, body in shown][-2:] == [
        "Draft 1 (BIRP) ready: 4 of 4 fields",
        "Draft 2 (BIRP) ready: 4 of 4 fields",
    ]


def test_daemon_controller_private_dictation_goes_to_the_private_record(config: Any) -> None:
    from dictanote.app import Dictation

    controller, shown = _saving_controller(config, "psychotherapy-unheaded")
    controller.handle(Request("toggle", private=True))
    reply = controller.handle(Request("toggle"))
    assert reply["draft"]["record"] == "private" and reply["draft"]["format"] == "psychotherapy"
    with Dictation(config).open_store() as store:
        assert store.list_drafts() == []
        assert [d.id for d in store.list_drafts(private=True)] == [reply["draft"]["id"]]
    assert shown[-1][1].startswith("Private draft 1 (Psychotherapy (private)) ready: ")


# --- notifications ------------------------------------------------------------------


def test_daemon_notify_runs_notify_send_without_note_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = tmp_path / "argv.json"
    script = tmp_path / "bin" / "notify-send"
    script.parent.mkdir()
    script.write_text(
        f"#!{sys.executable}\nimport json, sys\nopen({str(record)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(script.parent))
    monkeypatch.setattr(sys, "platform", "linux")
    notifier = Notifier()
    notifier("dictanote", "Draft 12 (SOAP) ready: 4 of 4 fields")
    notifier.wait()
    assert json.loads(record.read_text()) == [
        "--app-name",
        "dictanote",
        "--urgency",
        "normal",
        "dictanote",
        "Draft 12 (SOAP) ready: 4 of 4 fields",
    ]


def test_daemon_notify_without_a_notifier_logs_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(sys, "platform", "linux")
    assert notify_command("t", "b") is None
    notifier = Notifier()
    notifier("dictanote", "one")
    notifier("dictanote", "two")
    assert sum("no notify-send" in r.message for r in caplog.records) == 1


def test_daemon_notify_osascript_quotes_text(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "osascript"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "platform", "darwin")
    argv = notify_command('say "hi"', "a\\b")
    assert argv == [str(fake), "-e", 'display notification "a\\\\b" with title "say \\"hi\\""']


# --- hotkey --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "reason"),
    [
        ({"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "Wayland"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "Wayland"),
        ({}, "no X display"),
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}, None),
    ],
)
def test_daemon_hotkey_knows_when_keys_cannot_be_grabbed(
    environ: dict[str, str], reason: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    found = unavailable_reason(environ)
    assert (found is None) if reason is None else (found is not None and reason in found)


def test_daemon_hotkey_without_display_says_so_once_and_does_not_raise(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    keys = Hotkeys(HotkeyOptions(keys="<ctrl>+<alt>+d"), HotkeyActions(print, print, print))
    status = keys.start()
    keys.stop()
    assert status.startswith("unavailable: no X display")
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "dictanote toggle" in warnings[0].message


# --- a real daemon process ------------------------------------------------------------


def test_daemon_lifecycle_drives_states_through_the_cli(start_daemon: Any) -> None:
    daemon = start_daemon("--no-capture")
    assert run_cli("status").stdout.strip() == "idle; capture off"
    assert run_cli("start").stdout.strip() == "recording"
    again = run_cli("start")
    assert again.returncode == 0 and again.stdout.strip() == "already recording; start ignored"
    status = json.loads(run_cli("status", "--json").stdout)
    assert status["state"] == "recording" and status["last_ignored_start"]
    assert run_cli("toggle").stdout.strip() == "capture is off (--no-capture); nothing was recorded"
    assert run_cli("toggle", "--private").stdout.strip() == "recording (private note)"
    assert run_cli("cancel").stdout.strip() == "cancelled; nothing was saved"
    assert run_cli("cancel").stdout.strip() == "nothing to cancel (idle)"
    assert daemon.finish() == 0


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"hello\n", "not a JSON line"),
        (b'{"cmd": "explode"}\n', "unknown command 'explode'"),
        (b'{"cmd": "stop", "private": true}\n', "'private' applies to start and toggle only"),
        (b"x" * (MAX_LINE + 10), "longer than 65536 bytes"),
        (encode_line({"cmd": "status", "text": "x"}), "unknown request key 'text'"),
    ],
)
def test_daemon_lifecycle_bad_requests_get_ok_false_and_daemon_keeps_serving(
    start_daemon: Any, raw: bytes, error: str
) -> None:
    daemon = start_daemon("--no-capture")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(str(daemon.socket))
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)
        reply = parse_reply(sock.makefile("rb").readline())
    assert reply["ok"] is False and error in reply["error"]
    assert daemon.request("status")["ok"] is True


def test_daemon_lifecycle_silent_client_times_out_without_blocking_others(start_daemon: Any) -> None:
    daemon = start_daemon("--no-capture")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as idle_client:
        idle_client.connect(str(daemon.socket))  # says nothing
        assert daemon.request("start")["state"] == "recording"
        assert daemon.request("status")["state"] == "recording"


def test_daemon_lifecycle_second_daemon_is_refused(start_daemon: Any) -> None:
    first = start_daemon("--no-capture")
    result = run_cli("daemon", "--no-capture", "--no-notify")
    assert result.returncode == 6
    assert result.stderr.strip().splitlines() == [
        f"dictanote: error: a dictanote daemon is already running (pid {first.proc.pid}); use "
        f"`dictanote toggle`, or stop it with `kill {first.proc.pid}` (or `systemctl --user stop dictanote`)"
    ]
    assert first.request("ping")["pid"] == first.proc.pid


def test_daemon_lifecycle_stale_socket_is_replaced(start_daemon: Any, isolated_dirs: dict[str, Path]) -> None:
    runtime = ensure_runtime_dir(isolated_dirs["runtime"] / "dictanote")
    stale = socket_path(runtime)
    crashed = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    crashed.bind(str(stale))  # bound, never listening, then gone: what a killed daemon leaves
    crashed.close()
    assert stale.exists() and ping(stale) is None
    daemon = start_daemon("--no-capture")
    assert "replacing a stale socket" in daemon.log_text()
    assert daemon.request("ping")["pid"] == daemon.proc.pid


def test_daemon_lifecycle_killed_daemon_leaves_a_socket_the_next_one_replaces(start_daemon: Any) -> None:
    first = start_daemon("--no-capture")
    first.proc.kill()
    first.proc.wait(10)
    assert first.socket.exists()
    second = start_daemon("--no-capture")
    assert second.request("status")["state"] == "idle"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_daemon_lifecycle_signal_exits_cleanly_and_removes_socket(start_daemon: Any, sig: int) -> None:
    daemon = start_daemon("--no-capture")
    assert daemon.request("start")["state"] == "recording"
    assert daemon.finish(sig) == 0
    assert not daemon.socket.exists()
    assert "Traceback" not in daemon.log_text()


def test_daemon_lifecycle_server_answers_status_while_another_request_waits(
    isolated_dirs: dict[str, Path],
) -> None:
    release = threading.Event()

    def handler(request: Request) -> dict[str, Any]:
        if request.cmd == "stop":
            release.wait(10)  # a slow stop: transcribing the tail, saving
        return {"ok": True, "cmd": request.cmd}

    control = ControlSocket(ensure_runtime_dir(isolated_dirs["runtime"] / "dictanote"))
    control.open()
    server = Server(control, handler)
    loop = threading.Thread(target=server.serve_forever)
    loop.start()
    try:
        slow: list[dict[str, Any]] = []
        stopper = threading.Thread(target=lambda: slow.append(send(control.path, Request("stop"))))
        stopper.start()
        assert send(control.path, Request("status"), timeout=5)["cmd"] == "status"
        release.set()
        stopper.join(10)
        assert slow == [{"ok": True, "cmd": "stop"}]
    finally:
        server.request_shutdown()
        loop.join(10)
        server.join_workers()
        server.close()
    assert not control.path.exists() and os.listdir(control.runtime_dir) == []


# --- the built-in hotkey under a real X server (Xvfb + xdotool) -------------------------


def _xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=10)


def _wait_state(daemon: Any, state: str, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status = daemon.request("status")
        if status["state"] == state or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


@pytest.mark.clipboard
def test_daemon_hotkey_toggles_and_private_key_under_x(start_daemon: Any, xvfb: str) -> None:
    daemon = start_daemon("--no-capture", "--hotkey", "<ctrl>+<alt>+d", "--private-hotkey", "<ctrl>+<alt>+p")
    assert daemon.request("status")["hotkey"].startswith("active: <ctrl>+<alt>+d (toggle)")
    _xdotool("key", "ctrl+alt+d")
    assert _wait_state(daemon, "recording")["private"] is False
    _xdotool("key", "ctrl+alt+d")
    assert _wait_state(daemon, "idle")["state"] == "idle"
    _xdotool("key", "ctrl+alt+p")
    assert _wait_state(daemon, "recording")["private"] is True
    assert run_cli("stop").returncode == 0


@pytest.mark.clipboard
def test_daemon_hotkey_push_to_talk_records_while_held(start_daemon: Any, xvfb: str) -> None:
    daemon = start_daemon("--no-capture", "--hotkey", "<ctrl>+<shift>+<space>", "--push-to-talk")
    _xdotool("keydown", "ctrl+shift+space")
    try:
        assert _wait_state(daemon, "recording")["state"] == "recording"
        time.sleep(0.3)
        assert daemon.request("status")["state"] == "recording"  # still held
    finally:
        _xdotool("keyup", "ctrl+shift+space")
    assert _wait_state(daemon, "idle")["state"] == "idle"


def test_daemon_hotkey_unavailable_keeps_the_socket_working(
    start_daemon: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    daemon = start_daemon("--no-capture", "--hotkey", "<ctrl>+<alt>+d")
    status = daemon.request("status")
    assert status["hotkey"].startswith("unavailable: a Wayland session")
    assert daemon.request("toggle")["state"] == "recording"
    assert daemon.log_text().count("no built-in hotkey") == 1
