"""The live-text panel (``cli/live.py``): what ``record`` and ``status --follow`` draw on a terminal.

The lines are a pure function of the text and the width (tables); the panel's escapes are read back
from a string stream. Runs with the real commands are in test_record.py and test_daemon.py.
"""

from __future__ import annotations

import io
import re

import pytest

from dictanote.cli.live import ELLIPSIS, LivePanel, live_lines, meter_bar, new_text

SPOKEN = "Client reports low mood. Denies SI or HI. Started sertraline 50 mg last week."


@pytest.mark.parametrize(
    ("status", "text", "width", "expected"),
    [
        ("rec 00:01", "", 40, ["rec 00:01"]),
        ("rec 00:03", "Client reports low mood.", 40, ["rec 00:03", "  Client reports low mood."]),
        (
            "rec 00:09",
            SPOKEN,
            30,
            ["rec 00:09", f"{ELLIPSIS} Denies SI or HI. Started", "  sertraline 50 mg last week."],
        ),
        (
            "rec 00:05",
            "Client reports low mood. Denies SI or HI.",
            30,
            ["rec 00:05", "  Client reports low mood.", "  Denies SI or HI."],
        ),
        ("recording 00:05 (private note)", "", 20, [f"recording 00:05 (p{ELLIPSIS}"]),
        ("rec", "bad\x1b[2J\x07 text\r\nhere", 40, ["rec", "  bad [2J text here"]),  # no escape gets through
        ("rec", "a" * 50, 20, ["rec", f"{ELLIPSIS} {'a' * 17}", "  " + "a" * 16]),
    ],
)
def test_live_lines_shows_the_end_of_the_text_within_the_width(
    status: str, text: str, width: int, expected: list[str]
) -> None:
    lines = live_lines(status, text, width)
    assert lines == expected
    assert all(len(line) < width for line in lines)


@pytest.mark.parametrize(
    ("previous", "tail", "total", "fresh"),
    [
        (0, "", 0, ""),
        (0, "Client reports", 14, "Client reports"),
        (14, "Client reports low mood.", 24, " low mood."),
        (24, "Client reports low mood.", 24, ""),
        (9000, "the end of a long text", 9010, " long text"),
        (10, "restarted", 9, ""),  # a shorter text: nothing new (a new dictation)
        (0, "only the tail", 9000, "only the tail"),  # more than the tail is new: the tail is all there is
    ],
)
def test_live_new_text_is_what_the_tail_adds(previous: int, tail: str, total: int, fresh: str) -> None:
    assert new_text(previous, tail, total) == fresh


@pytest.mark.parametrize(
    ("level", "bar"),
    [
        (0.0, "[" + "." * 24 + "]"),
        (0.5, "[" + "#" * 12 + "." * 12 + "]"),
        (1.0, "[" + "#" * 24 + "]"),
        (3.0, "[" + "#" * 24 + "]"),
    ],
)
def test_live_meter_bar_fills_with_the_level(level: float, bar: str) -> None:
    assert meter_bar(level) == bar


def test_live_panel_redraws_in_place_and_clears() -> None:
    out = io.StringIO()
    panel = LivePanel(out, enabled=True)
    panel.draw("rec 00:01", "")
    panel.draw("rec 00:01", "")  # unchanged: nothing written
    first = out.getvalue()
    assert first == "\r\x1b[2Krec 00:01"
    panel.draw("rec 00:02", "Client reports low mood.")
    second = out.getvalue()[len(first) :]
    assert second == "\r\x1b[2Krec 00:02\n\x1b[2K  Client reports low mood."
    panel.draw("rec 00:03", "")  # the block never shrinks: the old text line is blanked
    third = out.getvalue()[len(first) + len(second) :]
    assert third == "\r\x1b[1A\x1b[2Krec 00:03\n\x1b[2K"
    panel.clear()
    fourth = out.getvalue()[len(first) + len(second) + len(third) :]
    assert fourth == "\r\x1b[1A\x1b[2K\n\x1b[2K\r\x1b[1A"
    panel.clear()  # nothing left to clear
    assert out.getvalue().endswith(fourth)


def test_live_panel_off_a_terminal_writes_nothing() -> None:
    out = io.StringIO()
    panel = LivePanel(out, enabled=False)
    panel.draw("rec 00:01", SPOKEN)
    panel.clear()
    assert out.getvalue() == ""


def test_live_panel_lines_fit_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "32")
    out = io.StringIO()
    LivePanel(out, enabled=True).draw("rec 00:09", SPOKEN)
    lines = re.sub(r"\r|\x1b\[\d*[A-Za-z]", "", out.getvalue()).split("\n")
    assert len(lines) == 3 and all(len(line) < 32 for line in lines)
