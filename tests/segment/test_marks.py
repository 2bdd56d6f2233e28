"""Word marks (``segment.marks``): uncertain words found in the text, moved past corrections, given to sentences."""

from __future__ import annotations

import pytest

from dictanote.core.config import Config
from dictanote.core.formats import load_format
from dictanote.core.policy import PRIVATE_CUT_MARK, UNCERTAIN_WORD
from dictanote.core.types import Correction, UncertainWord, Word
from dictanote.segment import segment_transcript
from dictanote.segment.marks import attach, past_corrections, uncertain_words
from dictanote.segment.units import Unit


def heard(text: str, unsure: dict[str, float]) -> tuple[Word, ...]:
    """``text``'s words as Whisper would give them (leading space, punctuation attached), sure unless named."""
    out: list[Word] = []
    for i, token in enumerate(text.split()):
        bare = token.strip(".,;:?!")
        out.append(Word(" " + token, i * 0.4, i * 0.4 + 0.3, unsure.get(bare, 0.95)))
    return tuple(out)


@pytest.mark.parametrize(
    ("text", "unsure", "expected"),
    [
        ("Started quashi app im today.", {}, []),
        ("Started quashi app im today.", {"quashi": 0.2, "app": 0.4, "im": 0.1}, [("quashi app im", 0.1)]),
        ("Denies SI, plan or intent.", {"SI": 0.3}, [("SI", 0.3)]),  # the comma stays outside the mark
        ("Took clause pine at night, and clause later.", {"clause": 0.2}, [("clause", 0.2), ("clause", 0.2)]),
        ("A word at the threshold stays.", {"threshold": UNCERTAIN_WORD}, []),
    ],
)
def test_marks_uncertain_words_found_in_the_text(
    text: str, unsure: dict[str, float], expected: list[object]
) -> None:
    marks = uncertain_words(text, heard(text, unsure))
    assert [(m.text, m.probability) for m in marks] == expected
    assert all(text[m.start : m.end] == m.text for m in marks)


def test_marks_word_missing_from_the_text_is_skipped_not_misplaced() -> None:
    text = "Client slept well."
    words = (Word(" Patient", 0.0, 0.3, 0.1), *heard(text, {"well": 0.2}))
    assert [(m.text, m.start) for m in uncertain_words(text, words)] == [("well", 13)]


def test_marks_move_past_corrections_and_drop_what_a_correction_covers() -> None:
    before = "Takes clause pine daily, mood low."
    after = "Takes clozapine daily, mood low."
    uncertain = uncertain_words(before, heard(before, {"clause": 0.2, "low": 0.3}))
    fix = Correction(6, 15, "clause pine", "clozapine", "sounds like clozapine")
    moved = past_corrections(uncertain, (fix,))
    assert [(m.text, after[m.start : m.end]) for m in moved] == [("low", "low")]


def test_marks_attach_points_into_each_units_text() -> None:
    units = [Unit("Sleep is poor.", 0, 14), Unit("Mood is low.", 15, 27)]
    marks = (UncertainWord(24, 27, "low", 0.2), UncertainWord(6, 8, "is", 0.3))
    first, second = attach(units, marks, ())
    assert [first.text[m.start : m.end] for m in first.uncertain] == ["is"]
    assert [(second.text[m.start : m.end], m.start) for m in second.uncertain] == [("low", 8)]


def test_marks_reach_the_draft_sentences(config: Config) -> None:
    text = "Subjective. Client reports poor sleep. Plan. Continue clozapine three hundred milligrams."
    words = heard(text, {"clozapine": 0.3, "poor": 0.4})
    draft = segment_transcript(text, load_format("soap", config.paths), heard=words)
    marked = {
        (s.text[m.start : m.end], round(m.probability, 1))
        for f in draft.fields
        for s in f.sentences
        for m in s.uncertain
    }
    assert marked == {("poor", 0.4), ("clozapine", 0.3)}


def test_marks_in_a_private_note_stay_in_the_private_note(config: Config) -> None:
    text = "Client reports poor sleep. Private note. I felt uneasy today. End private note. Plan to continue."
    words = heard(text, {"uneasy": 0.2})
    draft = segment_transcript(text, load_format("soap", config.paths), heard=words)
    clinical = [m for f in draft.fields for s in f.sentences for m in s.uncertain]
    assert clinical == []
    assert PRIVATE_CUT_MARK in draft.transcript
    assert draft.private is not None
    private = [
        (s.text[m.start : m.end]) for f in draft.private.fields for s in f.sentences for m in s.uncertain
    ]
    assert private == ["uneasy"]
