"""Live text on a terminal: a status line with the last lines of a dictation's committed text under it.

What ``record`` shows under its level meter and ``status --follow`` under the daemon's state, redrawn in
place. It only draws on a stream that is a terminal; the text is never logged, stored or written to a
file, and control characters in it are blanked so it cannot move the cursor. Standard library only.
"""

from __future__ import annotations

import shutil
import textwrap
from typing import TextIO

from .common import CONTROL_CHARS

TEXT_LINES = 2  # lines of text shown under the status line
METER_WIDTH = 24
ELLIPSIS = "\u2026"
_CLEAR_LINE = "\x1b[2K"


def live_lines(status: str, text: str, width: int, text_lines: int = TEXT_LINES) -> list[str]:
    """The block to draw: ``status`` then the last ``text_lines`` lines of ``text`` wrapped to ``width``.

    Every line is shorter than ``width`` (a full line would make the terminal wrap), control characters
    become spaces, and an ellipsis opens the text when its beginning is cut off.
    """
    room = max(width - 1, 8)
    lines = [_fit(_plain(status), room)]
    wrapped = textwrap.wrap(_plain(text), room - 2, break_long_words=True, break_on_hyphens=False)
    shown = wrapped[-text_lines:] if text_lines > 0 else []
    prefixes = ["  "] * len(shown)
    if shown and len(wrapped) > len(shown):
        prefixes[0] = ELLIPSIS + " "
    return lines + [prefix + line for prefix, line in zip(prefixes, shown, strict=True)]


def meter_bar(level: float, width: int = METER_WIDTH) -> str:
    """A level from 0 to 1 as a bar, e.g. ``[######..................]``."""
    filled = round(min(1.0, max(0.0, level)) * width)
    return f"[{'#' * filled}{'.' * (width - filled)}]"


def new_text(previous_chars: int, tail: str, total_chars: int) -> str:
    """What ``tail`` (the end of a text ``total_chars`` long) adds to the first ``previous_chars`` of it.

    The daemon sends the end of the committed text and its whole length; the text only grows, so
    the part not seen yet is the end of the tail. Empty when nothing is new (or the text started over).
    """
    fresh = total_chars - previous_chars
    if fresh <= 0:
        return ""
    return tail[-fresh:] if fresh < len(tail) else tail


def _plain(text: str) -> str:
    """One line of ``text``: control characters (the CLI's one list) blanked, whitespace runs one space."""
    return " ".join(CONTROL_CHARS.sub(" ", text).split())


def _fit(line: str, room: int) -> str:
    return line if len(line) <= room else line[: room - 1] + ELLIPSIS


class LivePanel:
    """A block of lines redrawn in place on ``stream`` while ``enabled`` (a terminal); else silent.

    Drawn from one thread only. The block grows as text comes and never shrinks until ``clear()``,
    which blanks it and leaves the cursor where it began.
    """

    def __init__(self, stream: TextIO, enabled: bool, text_lines: int = TEXT_LINES) -> None:
        self.stream = stream
        self.enabled = enabled
        self.text_lines = text_lines
        self._height = 0  # lines drawn so far; the cursor is on the last of them
        self._shown: list[str] = []

    def draw(self, status: str, text: str) -> None:
        """Show ``status`` with the end of ``text`` under it (nothing when not enabled or unchanged)."""
        if not self.enabled:
            return
        width = shutil.get_terminal_size().columns
        lines = live_lines(status, text, width, self.text_lines)
        if lines == self._shown:
            return
        lines += [""] * (self._height - len(lines))
        self.stream.write(self._to_top() + "\n".join(_CLEAR_LINE + line for line in lines))
        self.stream.flush()
        self._height, self._shown = len(lines), lines

    def clear(self) -> None:
        """Blank the block and put the cursor at its start."""
        if not self.enabled or not self._height:
            return
        blank = "\n".join(_CLEAR_LINE for _ in range(self._height))
        self.stream.write(self._to_top() + blank + self._to_top())
        self.stream.flush()
        self._height, self._shown = 0, []

    def _to_top(self) -> str:
        """From the block's last line to column 0 of its first."""
        up = self._height - 1
        return "\r" + (f"\x1b[{up}A" if up > 0 else "")
