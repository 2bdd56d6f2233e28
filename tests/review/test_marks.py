"""Word marks follow the clinician's edits: kept where their words still stand, gone where rewritten."""

from __future__ import annotations

import pytest

from dictanote.core.types import Sentence
from dictanote.review.marks import closest, follow_edit
from tests.util import MARKED_TEXT, marked_sentence


def _marked(s: Sentence) -> tuple[list[str], list[str]]:
    """The words each mark points at in the sentence's text (uncertain, corrected)."""
    return (
        [s.text[w.start : w.end] for w in s.uncertain],
        [s.text[c.start : c.end] for c in s.corrections],
    )


@pytest.mark.parametrize(
    ("text", "uncertain", "corrected"),
    [
        (MARKED_TEXT, ["PHQ"], ["sertraline"]),  # unchanged
        ("Please continue sertraline 50 mg daily, PHQ nine today.", ["PHQ"], ["sertraline"]),  # words before
        ("Continue circling 50 mg daily, PHQ nine today.", ["PHQ"], []),  # the correction undone
        ("Continue sertraline 50 mg daily, PHQ-9 today.", ["PHQ"], ["sertraline"]),  # words after it
        ("Continue sertraline 50 mg daily, GAD nine today.", [], ["sertraline"]),  # the uncertain word fixed
        ("Continue sertralines 50 mg daily, PHQs nine today.", [], []),  # words lengthened
        ("Stop it.", [], []),  # rewritten
    ],
)
def test_marks_follow_edit_keeps_marks_whose_words_stand(
    text: str, uncertain: list[str], corrected: list[str]
) -> None:
    after = follow_edit(marked_sentence(), text)
    assert after.text == text
    assert _marked(after) == (uncertain, corrected)
    assert all(w.text == after.text[w.start : w.end] for w in after.uncertain)
    assert all(c.replacement == after.text[c.start : c.end] for c in after.corrections)


def test_marks_follow_edit_keeps_placement_and_the_correction_facts() -> None:
    before = marked_sentence()
    after = follow_edit(before, "Please " + MARKED_TEXT)
    assert (after.origin, after.confidence) == (before.origin, before.confidence)
    assert after.corrections[0].original == "circling"
    assert after.corrections[0].reason == before.corrections[0].reason


def test_marks_closest_finds_the_reworded_sentence_only_when_alike() -> None:
    others = [Sentence("Client slept well.", "inferred", 1.0), marked_sentence()]
    assert closest("Continue sertraline 50 mg, PHQ nine today.", others) is others[1]
    assert closest("Meet next week to review homework.", others) is None


def test_marks_follow_edit_of_a_long_rewritten_sentence_keeps_the_unchanged_end() -> None:
    before = marked_sentence("x " * 2400 + MARKED_TEXT)  # beyond MAX_ALIGN: only the common start and end
    after = follow_edit(before, "y " * 2400 + MARKED_TEXT)
    assert _marked(after) == (["PHQ"], ["sertraline"])
