"""`dictanote start|stop|toggle|cancel|status`: what each says, how fast it is, what it imports.

First against a stand-in for the socket client (every reply the daemon can give), then as a
desktop shortcut runs them: the installed console script with no daemon, and against a real
``dictanote daemon --no-capture``. The daemon's own modules are tested in tests/daemon/; capture
and saving end to end in tests/integration/test_daemon_e2e.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from dictanote.cli import daemon as commands
from dictanote.cli.root import main
from tests.util import local_zone, run_cli

DRAFT = {"id": 12, "label": "SOAP", "record": "clinical", "fields_filled": 3, "fields_total": 4}


@dataclass
class StandIn:
    """Answers every request with ``answer`` (a wire-format reply) and keeps what was sent."""

    answer: dict[str, Any] = field(default_factory=dict)
    sent: list[tuple[Path, str, bool]] = field(default_factory=list)

    chosen: list[dict[str, str | None]] = field(default_factory=list)  # a start's format and client

    def __call__(self, path: Path, cmd: str, private: bool = False, **choice: str | None) -> dict[str, Any]:
        self.sent.append((path, cmd, private))
        self.chosen.append(choice)
        return dict(self.answer)


@pytest.fixture
def daemon(monkeypatch: pytest.MonkeyPatch) -> StandIn:
    """The socket client of the commands, replaced by a stand-in."""
    stand_in = StandIn()
    monkeypatch.setattr(commands, "command", stand_in)
    return stand_in


@pytest.mark.parametrize(
    ("args", "answer", "out"),
    [
        (["start"], {"ok": True, "state": "recording", "private": False}, "recording\n"),
        (["start", "--private"], {"ok": True, "private": True}, "recording (private note)\n"),
        (
            ["start"],
            {"ok": True, "ignored": True, "reason": "already recording"},
            "already recording; start ignored\n",
        ),
        (["stop"], {"ok": True, "reason": "nothing was recording"}, "nothing was recording\n"),
        (
            ["stop"],
            {"ok": True, "draft": DRAFT, "timing": {"stop_to_saved_s": 0.84}},
            "Draft 12 (SOAP) saved: 3 of 4 fields (0.8 s after stop)\n",
        ),
        (
            ["toggle"],
            {"ok": True, "draft": {**DRAFT, "record": "private", "private_companion": False}},
            "Private draft 12 (SOAP) saved: 3 of 4 fields\n",
        ),
        (
            ["toggle"],
            {"ok": True, "draft": {**DRAFT, "private_companion": True}},
            "Draft 12 (SOAP) and a private note saved: 3 of 4 fields\n",
        ),
        (
            ["toggle", "--private"],
            {"ok": True, "state": "recording", "private": True},
            "recording (private note)\n",
        ),
        (["cancel"], {"ok": True, "cancelled": True}, "cancelled; nothing was saved\n"),
        (["cancel"], {"ok": True, "cancelled": False, "state": "idle"}, "nothing to cancel (idle)\n"),
        (["status"], {"ok": True, "state": "idle"}, "idle\n"),
        (
            ["status"],
            {"ok": True, "state": "recording", "elapsed_s": 75.2, "private": True, "capture": False},
            "recording 01:15 (private note); capture off\n",
        ),
        (
            ["status"],
            {
                "ok": True,
                "state": "idle",
                "last_draft": {**DRAFT, "saved_at": "2026-11-29T10:00:00Z"},
                "unsaved": 1,
                "last_error": "the microphone went away",
                "hotkey": "<ctrl>+<alt>+d",
            },
            "idle; last draft 12 (SOAP, 3 of 4 fields) at 2026-11-29 10:00 UTC; 1 draft(s) not yet saved "
            "(will retry); last error: the microphone went away; hotkey <ctrl>+<alt>+d\n",
        ),
    ],
)
def test_cli_daemon_clients_say_what_the_daemon_answered(
    daemon: StandIn,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    answer: dict[str, Any],
    out: str,
) -> None:
    daemon.answer = answer
    assert main(args) == 0
    assert capsys.readouterr().out == out
    assert [(cmd, private) for _, cmd, private in daemon.sent] == [(args[0], "--private" in args)]


def test_cli_daemon_stop_prints_warnings_on_stderr(
    daemon: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    daemon.answer = {
        "ok": True,
        "draft": DRAFT,
        "warnings": ["the microphone went away; what was heard is kept"],
    }
    assert main(["stop"]) == 0
    out, err = capsys.readouterr()
    assert out == "Draft 12 (SOAP) saved: 3 of 4 fields\n"
    assert err == "dictanote: warning: the microphone went away; what was heard is kept\n"


def test_cli_daemon_status_json_is_the_reply_without_ok(
    daemon: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    daemon.answer = {"ok": True, "state": "idle"}
    assert main(["status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"state": "idle"}


def test_cli_daemon_socket_is_in_the_settings_runtime_dir(
    daemon: StandIn, isolated_dirs: dict[str, Path]
) -> None:
    daemon.answer = {"ok": True, "state": "idle"}
    assert main(["status"]) == 0
    assert daemon.sent[0][0] == isolated_dirs["runtime"] / "dictanote" / "daemon.sock"


# --- status --follow against a scripted daemon ------------------------------------

IDLE = {"ok": True, "state": "idle", "last_draft": None, "last_error": None, "live_text": "", "live_chars": 0}
SAVED = {**DRAFT, "saved_at": "2026-11-29T10:00:00Z"}


def _recording(elapsed: float, text: str, **extra: Any) -> dict[str, Any]:
    return {
        **IDLE,
        "state": "recording",
        "elapsed_s": elapsed,
        "live_text": text,
        "live_chars": len(text),
    } | extra


@pytest.mark.parametrize(
    ("replies", "code", "out", "err"),
    [
        (  # waits for a dictation, prints what each poll adds, then the saved draft
            [
                IDLE,
                _recording(0.4, ""),
                _recording(1.5, "Client reports"),
                _recording(2.4, "Client reports low mood.", private=True),
                _recording(2.6, "Client reports low mood."),
                {**IDLE, "state": "finishing", "elapsed_s": 3.1},
                {**IDLE, "last_draft": SAVED},
            ],
            0,
            "idle; waiting for a dictation (Ctrl-C to leave)\nrecording 00:00\nClient reports\nlow mood.\nfinishing 00:03\n"
            "Draft 12 (SOAP) saved: 3 of 4 fields\n",
            "",
        ),
        (  # already recording; a draft from before is not this dictation's
            [_recording(61.0, "Denies SI.", last_draft=SAVED), {**IDLE, "last_draft": SAVED}],
            0,
            "recording 01:01\nDenies SI.\nthe dictation ended; nothing was saved\n",
            "",
        ),
        (  # a whole dictation between two polls: the new draft ends the wait
            [IDLE, {**IDLE, "last_draft": SAVED}],
            0,
            "idle; waiting for a dictation (Ctrl-C to leave)\nDraft 12 (SOAP) saved: 3 of 4 fields\n",
            "",
        ),
        (
            [
                _recording(2.0, "", chunks_pending=2),
                {**IDLE, "last_error": "finishing the dictation failed: x"},
            ],
            6,
            "recording 00:02, 2 chunk(s) to transcribe\n",
            "dictanote: error: the dictation ended without a draft: finishing the dictation failed: x\n",
        ),
    ],
)
def test_cli_daemon_status_follow_prints_the_dictation_as_it_grows(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    replies: list[dict[str, Any]],
    code: int,
    out: str,
    err: str,
) -> None:
    asked: list[tuple[str, bool]] = []

    def command(path: Path, cmd: str, private: bool = False, text: bool = False) -> dict[str, Any]:
        asked.append((cmd, text))
        return dict(replies[len(asked) - 1])

    monkeypatch.setattr(commands, "command", command)
    monkeypatch.setattr(commands, "FOLLOW_INTERVAL_S", 0.0)
    assert main(["status", "--follow"]) == code
    assert capsys.readouterr() == (out, err)
    assert asked == [("status", True)] * len(replies)


def test_cli_daemon_status_follow_with_json_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--follow", "--json"]) == 2
    assert "--follow prints lines as they come" in capsys.readouterr().err


# --- clients without a daemon ---------------------------------------------------


@pytest.mark.parametrize("args", [["status"], ["toggle"], ["start", "--private"], ["stop"], ["cancel"]])
def test_cli_daemon_client_without_daemon_exits_6_with_one_line(args: list[str]) -> None:
    result = run_cli(*args)
    assert result.returncode == 6, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "dictanote: error: no dictanote daemon is running; start it with `dictanote daemon` "
        "(or as a systemd user service, see docs/daemon.md)"
    ]
    assert result.stdout == ""


def test_cli_daemon_client_imports_nothing_heavy() -> None:
    code = (
        "import sys, dictanote.cli, dictanote.cli.daemon, dictanote.daemon.client\n"
        "heavy = ['numpy', 'faster_whisper', 'ctranslate2', 'spacy', 'sounddevice', 'pynput', "
        "'jinja2', 'onnxruntime', 'av', 'sqlite3', 'dictanote.app']\n"
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cli_daemon_client_toggle_is_instant() -> None:
    started = time.perf_counter()
    result = run_cli("toggle")
    assert result.returncode == 6
    # A fresh interpreter plus click: far below a second even on a busy 2-core machine.
    assert time.perf_counter() - started < 2.0


# --- a real daemon process ------------------------------------------------------------


def test_cli_daemon_lifecycle_drives_states_through_the_cli(start_daemon: Any) -> None:
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


def test_cli_daemon_status_follow_runs_until_the_dictation_ends_and_leaves_on_ctrl_c(
    start_daemon: Any,
) -> None:
    start_daemon("--no-capture")
    exe = shutil.which("dictanote", path=str(Path(sys.executable).parent)) or "dictanote"

    def follow() -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [exe, "status", "--follow"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        assert proc.stdout.readline() == "idle; waiting for a dictation (Ctrl-C to leave)\n"
        return proc

    following = follow()
    assert run_cli("start", "--private").returncode == 0
    assert following.stdout is not None
    assert re.fullmatch(r"recording \d\d:\d\d \(private note\)\n", following.stdout.readline())
    assert run_cli("stop").returncode == 0
    out, err = following.communicate(timeout=30)
    assert (following.returncode, out, err) == (0, "the dictation ended; nothing was saved\n", "")

    interrupted = follow()
    interrupted.send_signal(signal.SIGINT)
    out, err = interrupted.communicate(timeout=30)
    assert (interrupted.returncode, out, err.strip()) == (130, "", "dictanote: interrupted")


def test_cli_daemon_status_follow_on_a_terminal_redraws_in_place(start_daemon: Any) -> None:
    import pty

    start_daemon("--no-capture")
    exe = shutil.which("dictanote", path=str(Path(sys.executable).parent)) or "dictanote"
    terminal, side = pty.openpty()
    with subprocess.Popen([exe, "status", "--follow"], stdout=side, stderr=side) as following:
        os.close(side)
        shown = os.read(terminal, 4096)
        assert shown == b"\r\x1b[2Kidle; waiting for a dictation (Ctrl-C to leave)"
        assert run_cli("start", "--private").returncode == 0
        while b"recording" not in shown:
            shown += os.read(terminal, 4096)
        assert run_cli("stop").returncode == 0
        assert following.wait(30) == 0
    while not shown.endswith(b"\n"):
        shown += os.read(terminal, 4096)
    os.close(terminal)
    # Each state overwrites the line before it; the line is blanked before the outcome is printed.
    assert re.fullmatch(
        rb"\r\x1b\[2Kidle; waiting for a dictation \(Ctrl-C to leave\)"
        rb"(\r\x1b\[2Krecording \d\d:\d\d \(private note\))+"
        rb"\r\x1b\[2K\rthe dictation ended; nothing was saved\r\n",
        shown,
    ), shown


def _waiting_on_a_socket(proc: subprocess.Popen[bytes]) -> bool:
    """``proc`` holds a connected Unix socket: it is queued at the daemon, waiting for the reply."""
    try:
        fds = [os.readlink(f) for f in Path(f"/proc/{proc.pid}/fd").iterdir()]
    except OSError:  # it has just exited
        return False
    inodes = {f[len("socket:[") : -1] for f in fds if f.startswith("socket:[")}
    with open("/proc/net/unix", encoding="ascii") as table:
        return any(len(row) > 6 and row[6] in inodes and row[5] == "03" for row in map(str.split, table))


@pytest.mark.skipif(not Path("/proc/net/unix").exists(), reason="watches the clients' sockets in /proc")
def test_cli_daemon_many_concurrent_status_calls_all_answer(start_daemon: Any) -> None:
    daemon = start_daemon("--no-capture")
    exe = shutil.which("dictanote", path=str(Path(sys.executable).parent)) or "dictanote"
    daemon.proc.send_signal(signal.SIGSTOP)  # busy: nobody accepts while 40 shortcuts fire at once
    try:
        procs = [
            subprocess.Popen([exe, "status"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(40)
        ]
        # Until every client has failed or queued, or well over the old backlog of 16 have queued
        # (so that none waits past its 10 s reply timeout on a slow machine).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            waiting = sum(_waiting_on_a_socket(p) for p in procs if p.poll() is None)
            if waiting >= 24 or waiting + sum(p.poll() is not None for p in procs) == len(procs):
                break
            time.sleep(0.05)
    finally:
        daemon.proc.send_signal(signal.SIGCONT)
    results = [p.communicate(timeout=60) for p in procs]
    failed = [
        (p.returncode, err.decode()) for p, (_, err) in zip(procs, results, strict=True) if p.returncode
    ]
    assert failed == []
    assert {out.decode().strip() for out, _ in results} == {"idle; capture off"}


def test_cli_daemon_status_says_times_in_local_time(
    daemon: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    daemon.answer = {
        "ok": True,
        "state": "idle",
        "last_draft": SAVED,
        "last_ignored_start": "2026-11-29T10:00:05Z",
    }
    with local_zone("America/New_York"):
        assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "fields) at 2026-11-29 05:00 EST" in out and "a start was ignored at 2026-11-29 05:00 EST" in out


def test_cli_daemon_help_says_arm_keeps_the_microphone_open(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["daemon", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--arm / --no-arm Keep the microphone open between dictations" in text
    assert "the system's microphone indicator shows it" in text and "[default: no-arm]" in text


@pytest.mark.parametrize(
    ("args", "chosen"),
    [
        (["start"], {"format_id": None, "client_id": None}),
        (["start", "--client", "C1", "--format", "progress"], {"format_id": "progress", "client_id": "C1"}),
        (["toggle", "-f", "soap", "--client", "mr-2"], {"format_id": "soap", "client_id": "mr-2"}),
    ],
)
def test_cli_daemon_start_and_toggle_send_the_format_and_client(
    daemon: StandIn, args: list[str], chosen: dict[str, str | None]
) -> None:
    daemon.answer = {"ok": True, "state": "recording", "private": False}
    assert main(args) == 0
    assert daemon.chosen == [chosen]


def test_cli_daemon_start_with_unknown_client_or_format_exits_2(start_daemon: Any) -> None:
    daemon = start_daemon("--no-capture")
    assert run_cli("clients", "add", "C1", "--name", "M.R.").returncode == 0
    for args, message in (
        (("--client", "nobody"), "no client 'nobody'; `dictanote clients list --all` shows them"),
        (("--format", "xyz"), "no note format 'xyz'"),
    ):
        for cmd in ("start", "toggle"):
            refused = run_cli(cmd, *args)
            assert refused.returncode == 2, refused.stderr
            [line] = refused.stderr.strip().splitlines()
            assert line.startswith(f"dictanote: error: the daemon refused '{cmd}': ") and message in line
            assert daemon.request("status")["state"] == "idle"
    assert run_cli("toggle", "--client", "c1", "--format", "progress").stdout.strip() == "recording"
    assert daemon.finish() == 0
    assert "nobody" not in daemon.log_text()  # the id typed is never logged
