"""The daemon's command-line clients (``dictanote toggle|start|stop|cancel|status``), as a shortcut runs them.

Output lines, exit codes and start-up time, through the installed console script; the lifecycle test
drives a real ``dictanote daemon --no-capture``. The modules have their own files beside this one
(test_protocol, test_replies, test_client, test_server, test_controller, test_engine, test_service,
test_hotkey, test_notify); what capture and saving do end to end is in
tests/integration/test_daemon_e2e.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

import pytest

from tests.util import run_cli

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


def test_daemon_client_imports_nothing_heavy() -> None:
    code = (
        "import sys, dictanote.cli, dictanote.cli.daemon, dictanote.daemon.client\n"
        "heavy = ['numpy', 'faster_whisper', 'ctranslate2', 'spacy', 'sounddevice', 'pynput', "
        "'jinja2', 'onnxruntime', 'av', 'sqlite3', 'dictanote.app']\n"
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
