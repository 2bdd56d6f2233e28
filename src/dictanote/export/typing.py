"""Typing an export into the focused window, through the tools each desktop has: xdotool, wtype, ydotool.

Owns finding a typing tool for this session and feeding it the text, block by block with an
optional pause between blocks for slow web forms. The text goes to the tool on stdin, never on
its command line (where ``ps`` shows it), and is never logged: only counts are.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..core.errors import TypingUnavailableError
from .tools import feed

log = logging.getLogger(__name__)
BASE_TIMEOUT_S = 20.0
PER_CHARACTER_S = 0.1  # the tools wait ~12 ms between keys; a slow X server may take longer
BLANK_LINES_RE = re.compile(r"(?<=\n\n)(?=[^\n])")  # the start of each block after a blank line


@dataclass(frozen=True)
class Typist:
    """A typing tool: its name and the command that types what it reads on stdin."""

    name: str
    command: tuple[str, ...]

    def type_text(self, text: str) -> None:
        """Type ``text`` into the focused window; TypingUnavailableError if the tool fails."""
        try:
            status = feed(self.command, text, BASE_TIMEOUT_S + PER_CHARACTER_S * len(text))
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise TypingUnavailableError(f"{self.name} could not type: {exc}") from exc
        if status != 0:
            raise TypingUnavailableError(
                f"{self.name} failed (exit {status}); is the display reachable? "
                "Use --copy or --output instead"
            )
        log.info("typed %d characters with %s", len(text), self.name)


def find_typist(environ: Mapping[str, str] | None = None) -> Typist:
    """The typing tool of this session; TypingUnavailableError says what to install or use instead.

    On Wayland only wtype and ydotool reach every window (xdotool would reach XWayland
    windows alone, so it is not used there); on X11, xdotool.
    """
    env = os.environ if environ is None else environ
    path = env.get("PATH")
    if env.get("WAYLAND_DISPLAY"):
        if shutil.which("wtype", path=path):
            return Typist("wtype", ("wtype", "-"))
        if shutil.which("ydotool", path=path):  # /dev/stdin: read as a file by every ydotool version
            return Typist("ydotool", ("ydotool", "type", "--file", "/dev/stdin"))
        hint = "Wayland: install wtype or ydotool"
    elif env.get("DISPLAY"):
        if shutil.which("xdotool", path=path):
            return Typist("xdotool", ("xdotool", "type", "--file", "-"))
        hint = "X11: install xdotool"
    else:
        hint = "no graphical session (DISPLAY / WAYLAND_DISPLAY unset)"
    raise TypingUnavailableError(f"no typing tool found ({hint}); use --copy or --output FILE instead")


def blocks(text: str) -> list[str]:
    """``text`` cut after each blank line (the note's sections and paragraphs); joined, it is ``text``."""
    return [part for part in BLANK_LINES_RE.split(text) if part]


def type_note(
    typist: Typist,
    text: str,
    *,
    field_delay: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Type ``text``; with ``field_delay``, block by block with that many seconds between blocks."""
    if field_delay <= 0:
        typist.type_text(text)
        return
    for n, block in enumerate(blocks(text)):
        if n:
            sleep(field_delay)
        typist.type_text(block)
