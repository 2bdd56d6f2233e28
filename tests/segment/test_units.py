"""Sentences and their offsets (``segment.units``): splitting, re-splitting, tidying."""

from __future__ import annotations

import pytest

from dictanote.core.errors import TextInputError
from dictanote.segment import split_sentences
from dictanote.segment.units import resplit, said, split_units, tidy


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One here.\n\n  Two  there. ", ["One here.", "Two there."]),
        # abbreviations do not end a sentence
        ("She takes it q.i.d. and p.r.n. as needed.", ["She takes it q.i.d. and p.r.n. as needed."]),
        ("In p.m. hours she feels anxious.", ["In p.m. hours she feels anxious."]),
        ("Dr. S. agreed. Under e.g. the plan.", ["Dr. S. agreed.", "Under e.g. the plan."]),
        ("Я устал. 東京。 Ñandú.", ["Я устал.", "東京。", "Ñandú."]),
    ],
)
def test_units_split_sentences_normalizes_whitespace(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Denies SI and HI. PHQ-9 was 14", ["Denies SI and HI.", "PHQ-9 was 14"]),
        ("Seen by Dr. Smith today.", ["Seen by Dr. Smith today."]),
        ("Seen by Dr. S. Smith today.", ["Seen by Dr. S. Smith today."]),
        ("I.e. The plan works.", ["I.e. The plan works."]),
        ("Seen at 3 p.m. She was calm.", ["Seen at 3 p.m.", "She was calm."]),
    ],
)
def test_units_resplit_where_rewriting_revealed_a_sentence_end(text: str, parts: list[str]) -> None:
    assert resplit(text) == parts


@pytest.mark.parametrize(
    ("text", "tidied"),
    [
        ("client reports poor sleep", "Client reports poor sleep."),
        (" , okay;", "Okay."),
        ('She said "I hate it"', 'She said "I hate it."'),
        (" ,.", ""),
        ("я устал", "Я устал."),
        ("😀😀", "😀😀"),
        ("cafe\u0301", "Cafe\u0301."),
    ],
)
def test_units_tidy_edges_and_capital(text: str, tidied: str) -> None:
    assert tidy(text) == tidied


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("Subjective. a\ud800b.", "U+D800 at character 14"),
        ("\udcff", "U+DCFF at character 1"),
        ("Plan. \U0001f642 \udfff", "U+DFFF at character 9"),  # the emoji before it is one character
    ],
)
def test_units_text_with_a_lone_surrogate_is_refused_with_one_line(text: str, where: str) -> None:
    with pytest.raises(TextInputError) as err:
        split_units(text)
    assert where in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("n", "spoken"), [(0, "zero"), (9, "nine"), (19, "nineteen"), (40, "forty"), (42, "fortytwo")]
)
def test_units_said_spells_a_number_as_one_word(n: int, spoken: str) -> None:
    assert said(n) == spoken
