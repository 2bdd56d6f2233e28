"""Sentences and their offsets (``segment.units``): splitting, re-splitting, tidying."""

from __future__ import annotations

import pytest

from dictanote.segment import split_sentences
from dictanote.segment.units import resplit, tidy


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One here.\n\n  Two  there. ", ["One here.", "Two there."]),
    ],
)
def test_units_split_sentences_normalizes_whitespace(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Denies SI and HI. PHQ-9 was 14", ["Denies SI and HI.", "PHQ-9 was 14"]),
        ("Seen by Dr. Smith today.", ["Seen by Dr. Smith today."]),
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
    ],
)
def test_units_tidy_edges_and_capital(text: str, tidied: str) -> None:
    assert tidy(text) == tidied
