"""The built-in hotkey (``daemon/hotkey.py``): when keys can be grabbed, and a real X server driving it."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import pytest

from dictanote.daemon.hotkey import HotkeyActions, HotkeyOptions, Hotkeys, unavailable_reason
from tests.util import run_cli


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
