"""Desktop notifications (``daemon/notify.py``): ids and counts only, never a failure of the daemon."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from dictanote.daemon.notify import Notifier, notify_command


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
