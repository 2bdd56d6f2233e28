"""Typing a note into the focused window: into a real Tk text window on Xvfb, read back; a stand-in
tool that shows what reaches a typing tool (stdin, never argv; block by block); the one-line errors.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dictanote.core.config import Config
from dictanote.store import Store
from tests.export.notes import draft_in, finalize, format_of, run_export

WINDOW_TIMEOUT_S = 20.0

# A Tk window with one text box, focused; it writes what the box holds to a file whenever that changes.
TEXT_WINDOW = """
import os, sys, tkinter
out = sys.argv[1]
root = tkinter.Tk()
root.title("EHR field")
box = tkinter.Text(root)
box.pack()
seen = [None]
def save():
    text = box.get("1.0", "end-1c")
    if text != seen[0]:
        seen[0] = text
        with open(out + ".tmp", "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(out + ".tmp", out)
    root.after(20, save)
def ready():
    root.focus_force()
    box.focus_set()
    root.update()
    print("ready", flush=True)
root.after(0, save)
root.after(50, ready)
root.mainloop()
"""


@contextmanager
def text_window(holds: Path) -> Iterator[None]:
    """A focused Tk text window on $DISPLAY whose text lands in ``holds``; needs python3-tk."""
    window = subprocess.Popen(
        [sys.executable, "-c", TEXT_WINDOW, str(holds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert window.stdout is not None
        if window.stdout.readline().strip() != "ready":
            _, err = window.communicate(timeout=10)
            pytest.fail(f"no Tk window (python3-tk missing? setup.sh --test installs it): {err.strip()}")
        yield
    finally:
        window.terminate()
        window.communicate(timeout=10)


def read_back(holds: Path, expected: str) -> str:
    """What the window holds once it holds ``expected`` (or when the wait runs out)."""
    deadline = time.monotonic() + WINDOW_TIMEOUT_S
    text = ""
    while time.monotonic() < deadline:
        text = holds.read_text(encoding="utf-8") if holds.exists() else ""
        if text == expected:
            break
        time.sleep(0.05)
    return text


def exports_recorded(config: Config, *, private: bool = False) -> list[tuple[int, object]]:
    with Store.open(config.paths.data_dir) as store:
        entries = store.audit_entries(private=private)
    return [(e.object_id, e.detail.get("kind")) for e in entries if e.action == "exported"]


@pytest.mark.clipboard
def test_typing_types_the_note_into_the_focused_window(
    config: Config, soap_note: int, xvfb: str, tmp_path: Path
) -> None:
    expected = run_export(str(soap_note), "--as", "text").stdout
    holds = tmp_path / "typed.txt"
    with text_window(holds):
        done = run_export(str(soap_note), "--type", "--delay", "0", "--field-delay", "0.01")
        typed = read_back(holds, expected)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and "Slept" not in done.stderr
    assert "typed note" in done.stderr and "xdotool" in done.stderr
    assert typed == expected
    assert exports_recorded(config) == [(soap_note, "text"), (soap_note, "text")]


STAND_IN = """#!/bin/sh
# A typing tool that keeps what it was given: its arguments and, apart, what came on stdin.
echo "$@" >> "{where}/argv"
n=$(/usr/bin/wc -l < "{where}/argv")
/bin/cat > "{where}/stdin.$n"
"""


def stand_in_tool(tmp_path: Path, name: str) -> Path:
    """A directory holding a stand-in ``name`` that records its argv and its stdin in ``tmp_path``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    exe = bin_dir / name
    exe.write_text(STAND_IN.format(where=tmp_path), encoding="utf-8")
    exe.chmod(0o700)
    return bin_dir


@pytest.mark.parametrize(
    ("session", "tool"),
    [({"DISPLAY": ":0", "WAYLAND_DISPLAY": ""}, "xdotool"), ({"WAYLAND_DISPLAY": "wayland-0"}, "wtype")],
)
@pytest.mark.parametrize("record", ["clinical", "private"])
def test_typing_feeds_the_tool_on_stdin_block_by_block(
    config: Config, tmp_path: Path, session: dict[str, str], tool: str, record: str
) -> None:
    fmt = "psychotherapy" if record == "private" else "soap"
    field = "reflections" if record == "private" else "plan"
    note_id = finalize(config, draft_in(format_of(config, fmt), **{field: "Canary walrus plan."}))
    private = ("--private",) if record == "private" else ()
    expected = run_export(str(note_id), "--as", "text", *private).stdout
    path = f"{stand_in_tool(tmp_path, tool)}:/usr/bin:/bin"
    done = run_export(
        str(note_id),
        "--type",
        "--delay",
        "0",
        "--field-delay",
        "0.01",
        *private,
        env={**session, "PATH": path},
    )
    assert done.returncode == 0, done.stderr
    argv = (tmp_path / "argv").read_text(encoding="utf-8").splitlines()
    typed = [(tmp_path / f"stdin.{n}").read_text(encoding="utf-8") for n in range(1, len(argv) + 1)]
    assert "".join(typed) == expected
    assert len(typed) == expected.count("\n\n") + 1  # one call per section or paragraph
    assert all("walrus" not in line for line in argv)  # never on a command line that `ps` shows
    assert "walrus" not in done.stderr + done.stdout
    assert exports_recorded(config, private=record == "private")[-1] == (note_id, "text")


@pytest.mark.parametrize(
    ("session", "message"),
    [
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": ""}, "X11: install xdotool"),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "Wayland: install wtype or ydotool"),
        ({"DISPLAY": "", "WAYLAND_DISPLAY": ""}, "no graphical session"),
    ],
)
def test_typing_without_a_tool_says_so_in_one_line(
    config: Config, soap_note: int, tmp_path: Path, session: dict[str, str], message: str
) -> None:
    (tmp_path / "empty").mkdir()
    done = run_export(
        str(soap_note), "--type", "--delay", "0", env={**session, "PATH": str(tmp_path / "empty")}
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
    assert "no typing tool found" in done.stderr and done.stdout == ""
    assert exports_recorded(config) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--as", "fhir", "--type"), "--type types text or markdown, not fhir"),
        (("--type", "--copy"), "--type and --copy: choose one"),
        (("--as", "text", "--delay", "1"), "--delay and --field-delay need --type"),
        (("--as", "text", "--field-delay", "1"), "--delay and --field-delay need --type"),
        (("--type", "--delay", "-1"), "--delay"),
        ((), "Missing option '--as'"),
    ],
)
def test_typing_options_that_do_not_go_together(
    config: Config, soap_note: int, args: tuple[str, ...], message: str
) -> None:
    done = run_export(str(soap_note), *args)
    assert done.returncode == 2
    assert message in done.stderr, done.stderr
    assert done.stdout == ""
    assert exports_recorded(config) == []


@pytest.mark.parametrize(
    ("session", "tools", "found"),
    [
        ({"DISPLAY": ":0"}, ("xdotool",), "xdotool"),
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, ("wtype", "ydotool", "xdotool"), "wtype"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, ("ydotool",), "ydotool"),
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, ("xdotool",), "install wtype or ydotool"),
        ({"DISPLAY": ":0"}, ("wtype", "ydotool"), "install xdotool"),
        ({}, ("xdotool", "wtype"), "no graphical session"),
    ],
)
def test_typing_tool_follows_the_session(
    tmp_path: Path, session: dict[str, str], tools: tuple[str, ...], found: str
) -> None:
    from dictanote.core.errors import TypingUnavailableError
    from dictanote.export.typing import find_typist

    for tool in tools:
        exe = tmp_path / tool
        exe.write_text("#!/bin/sh\n", encoding="utf-8")
        exe.chmod(0o700)
    environ = {"PATH": str(tmp_path), **session}
    if found.startswith(("install", "no ")):
        with pytest.raises(TypingUnavailableError, match=found):
            find_typist(environ)
    else:
        typist = find_typist(environ)
        assert typist.name == found
        assert "-" in typist.command or "/dev/stdin" in typist.command  # the text comes on stdin


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SOAP\n\nSUBJECTIVE\nSlept.\n", ["SOAP\n\n", "SUBJECTIVE\nSlept.\n"]),
        ("one\ntwo\n", ["one\ntwo\n"]),
        ("a\n\n\nb\n\nc", ["a\n\n\n", "b\n\n", "c"]),
        ("\n\nlead", ["\n\n", "lead"]),
        ("", []),
    ],
)
def test_typing_blocks_cut_after_blank_lines(text: str, expected: list[str]) -> None:
    from dictanote.export.typing import blocks

    assert blocks(text) == expected
    assert "".join(blocks(text)) == text
