"""Words to check, highlighted when a draft goes to a terminal (a real pty) and plain when piped."""

from __future__ import annotations

import os
import pty
import sys
from pathlib import Path

import pytest

from dictanote.app import Dictation, DraftResult
from dictanote.cli import common
from dictanote.cli.terminal import TERMINAL_MARKUP, highlight, plain
from tests.util import MARKED_TEXT, make_draft, marked_sentence

UNDERLINE_YELLOW, BOLD_UNDERLINE_CYAN, RESET = "\x1b[4;33m", "\x1b[1;4;36m", "\x1b[0m"


def _result(dictation: Dictation) -> DraftResult:
    draft = make_draft(
        "soap", {"subjective": ["Client reports sleeping six hours."], "plan": [marked_sentence()]}
    )
    return DraftResult(draft, dictation.format("soap"), ())


def _printed(
    dictation: Dictation,
    monkeypatch: pytest.MonkeyPatch,
    tty: bool,
    tmp_path: Path,
    result: DraftResult | None = None,
) -> str:
    """What ``echo_draft`` writes when stdout is a pty (read from its other end) or a file."""
    result = result or _result(dictation)
    if not tty:
        with (tmp_path / "out.md").open("w", encoding="utf-8") as out:
            monkeypatch.setattr(sys, "stdout", out)
            common.echo_draft(dictation, result, as_json=False)
        return (tmp_path / "out.md").read_text(encoding="utf-8")
    leader, follower = pty.openpty()
    with os.fdopen(follower, "w", encoding="utf-8") as out:
        monkeypatch.setattr(sys, "stdout", out)
        common.echo_draft(dictation, result, as_json=False)
        out.flush()
        chunks = []
        os.set_blocking(leader, False)
        while True:
            try:
                chunk = os.read(leader, 65536)
            except BlockingIOError:
                break
            chunks.append(chunk)
    os.close(leader)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_terminal_draft_on_a_tty_highlights_the_words_to_check(
    dictation: Dictation, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    shown = _printed(dictation, monkeypatch, True, tmp_path)
    assert (
        f"Continue {BOLD_UNDERLINE_CYAN}sertraline{RESET} 50 mg daily, {UNDERLINE_YELLOW}PHQ{RESET} nine today."
        in shown
    )
    assert "_Check: sertraline" in shown


def test_terminal_draft_piped_is_plain_markdown(
    dictation: Dictation, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shown = _printed(dictation, monkeypatch, False, tmp_path)
    assert MARKED_TEXT in shown and "_Check: sertraline" in shown
    assert "\x1b" not in shown and "\ue000" not in shown


@pytest.mark.parametrize(
    ("no_color", "expected"),
    [
        (False, f"{UNDERLINE_YELLOW}PHQ{RESET} {BOLD_UNDERLINE_CYAN}x{RESET}"),
        (True, "\x1b[4mPHQ\x1b[0m \x1b[1;4mx\x1b[0m"),
    ],
)
def test_terminal_highlight_honours_no_color(no_color: bool, expected: str) -> None:
    before, after = TERMINAL_MARKUP.uncertain
    start, end = TERMINAL_MARKUP.corrected
    marked = f"{before}PHQ{after} {start}x{end}"
    assert highlight(marked, colour=not no_color) == expected
    assert plain(marked) == "PHQ x"


def test_terminal_dictated_escape_codes_stay_visible(
    dictation: Dictation, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    draft = make_draft("soap", {"plan": [marked_sentence(MARKED_TEXT + " \x1b[2J")]})
    result = DraftResult(draft, dictation.format("soap"), ())
    shown = _printed(dictation, monkeypatch, True, tmp_path, result)
    assert "\\u001b[2J" in shown and "\x1b[2J" not in shown
