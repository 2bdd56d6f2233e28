"""The checks' vocabulary (``check.vocabulary``): whole words and phrases, acronyms in capitals only."""

from __future__ import annotations

import pytest

from dictanote.check.vocabulary import FIRST_PERSON_REACTION, RISK_ACRONYM, VOCABULARIES, check_vocabulary


def test_vocabulary_every_shipped_list_has_phrases() -> None:
    vocab = check_vocabulary()
    assert set(vocab.patterns) == {*VOCABULARIES, RISK_ACRONYM, FIRST_PERSON_REACTION}
    assert all("(?!)" not in vocab.patterns[name].pattern for name in VOCABULARIES)


@pytest.mark.parametrize(
    ("name", "text", "found"),
    [
        ("techniques", "We did role play.", "role play"),
        ("techniques", "A role-play of the call.", "role-play"),
        ("techniques", "Used Cognitive Restructuring.", "Cognitive Restructuring"),
        ("vague", "The undiscussed topic.", None),  # whole words only
        ("risk", "Denies SI.", "SI"),
        (RISK_ACRONYM, "Denies SI.", "SI"),
        (RISK_ACRONYM, "Said si to the plan.", None),  # acronyms in capitals only
        ("risk_denial", "Client denies SI.", "denies"),
        ("process", "Some countertransference today.", "countertransference"),
        (FIRST_PERSON_REACTION, "I got a little bit bored.", "I got a little bit bored"),
        (FIRST_PERSON_REACTION, "I've been more guarded", "I've been more guarded"),
        (FIRST_PERSON_REACTION, "I was concerned about it.", None),
        (FIRST_PERSON_REACTION, "He was bored and I was not.", None),
    ],
)
def test_vocabulary_matches(name: str, text: str, found: str | None) -> None:
    match = check_vocabulary().has(name, text)
    assert (match.group() if match else None) == found
