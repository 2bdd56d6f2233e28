"""The clipboard, on a real X server (Xvfb): copy, timed restore, interruption, a newer copy left alone."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from dictanote.core.config import Config
from tests.export.notes import (
    export_argv,
    run_export,
)


def _x_env(display: str) -> dict[str, str]:
    return {"DISPLAY": display, "WAYLAND_DISPLAY": ""}


def _clip(display: str) -> str:
    done = subprocess.run(
        ["xclip", "-selection", "clipboard", "-out"],
        env={**os.environ, **_x_env(display)},
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
    )
    return done.stdout if done.returncode == 0 else ""


def _set_clip(display: str, text: str) -> None:
    subprocess.run(
        ["xclip", "-selection", "clipboard", "-in"],
        input=text,
        env={**os.environ, **_x_env(display)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        timeout=5,
        check=True,
    )


def _spawn(display: str, *args: str) -> subprocess.Popen[str]:
    """``dictanote notes export ARGS`` running in the background, its stderr readable line by line."""
    return subprocess.Popen(
        export_argv(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **_x_env(display)},
    )


def _wait_for_copy(proc: subprocess.Popen[str]) -> str:
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert "copied" in line, line + proc.stderr.read()
    return line


@pytest.mark.clipboard
def test_clipboard_copy_puts_the_note_there(config: Config, soap_note: int, xvfb: str) -> None:
    done = run_export(str(soap_note), "--as", "markdown", "--copy", env=_x_env(xvfb))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # on the clipboard, not in the terminal
    assert "copied" in done.stderr and "Slept" not in done.stderr
    assert _clip(xvfb) == run_export(str(soap_note), "--as", "markdown").stdout


@pytest.mark.clipboard
def test_clipboard_restores_the_previous_text(config: Config, soap_note: int, xvfb: str) -> None:
    _set_clip(xvfb, "what the clinician had copied before")
    proc = _spawn(xvfb, str(soap_note), "--as", "text", "--copy", "--restore-after", "1")
    _wait_for_copy(proc)
    assert "Slept through most nights." in _clip(xvfb)  # held while the command waits
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "previous clipboard restored" in err
    assert _clip(xvfb) == "what the clinician had copied before"


@pytest.mark.clipboard
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_clipboard_restores_when_interrupted(
    config: Config, soap_note: int, xvfb: str, sig: signal.Signals
) -> None:
    _set_clip(xvfb, "earlier words")
    proc = _spawn(xvfb, str(soap_note), "--as", "text", "--copy", "--restore-after", "60")
    _wait_for_copy(proc)
    started = time.monotonic()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=20)
    assert time.monotonic() - started < 10
    assert proc.returncode == 130, err
    assert _clip(xvfb) == "earlier words"


@pytest.mark.clipboard
def test_clipboard_leaves_a_newer_copy_alone(config: Config, soap_note: int, xvfb: str) -> None:
    _set_clip(xvfb, "earlier words")
    proc = _spawn(xvfb, str(soap_note), "--as", "text", "--copy", "--restore-after", "1")
    _wait_for_copy(proc)
    _set_clip(xvfb, "copied by the user meanwhile")
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "left as it is" in err
    assert _clip(xvfb) == "copied by the user meanwhile"


@pytest.mark.clipboard
def test_clipboard_empty_before_is_cleared_after(config: Config, soap_note: int, xvfb: str) -> None:
    proc = _spawn(xvfb, str(soap_note), "--as", "text", "--copy", "--restore-after", "0.5")
    _wait_for_copy(proc)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "clipboard cleared" in err
    assert _clip(xvfb) == ""


@pytest.mark.parametrize(
    ("session", "tools", "found"),
    [
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, ("wl-copy", "wl-paste", "xclip"), "wl-copy"),
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, ("xclip",), "xclip"),  # XWayland
        ({"DISPLAY": ":0"}, ("xclip", "xsel"), "xclip"),
        ({"DISPLAY": ":0"}, ("xsel",), "xsel"),
        ({"DISPLAY": ":0"}, (), "install xclip or xsel"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, ("wl-copy",), "install wl-clipboard"),
        ({}, ("xclip", "wl-copy", "wl-paste"), "no graphical session"),
    ],
)
def test_clipboard_tool_follows_the_session(
    tmp_path: Path, session: dict[str, str], tools: tuple[str, ...], found: str
) -> None:
    from dictanote.core.errors import ClipboardUnavailableError
    from dictanote.export.clipboard import find_clipboard

    for tool in tools:
        exe = tmp_path / tool
        exe.write_text("#!/bin/sh\n", encoding="utf-8")
        exe.chmod(0o700)
    environ = {"PATH": str(tmp_path), **session}
    if found.startswith(("install", "no ")):
        with pytest.raises(ClipboardUnavailableError, match=found):
            find_clipboard(environ)
    else:
        assert find_clipboard(environ).name == found
