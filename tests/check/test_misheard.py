"""Misheard risk phrases (``check.misheard``): garbled risk words the transcriber marked, and near-misses.

Examples are what tiny.en wrote for risk statements of benchmarks/terms (the
odd-numbered dictations), with the shipped risk phrases as candidates.
"""

from __future__ import annotations

import pytest

from dictanote.check import misheard
from dictanote.check.vocabulary import check_vocabulary
from tests.util import marked


def _heard_as(text: str) -> str | None:
    vocab = check_vocabulary()
    sentence = marked(text)
    marks = [(m.start, m.end) for m in sentence.uncertain] + [(c.start, c.end) for c in sentence.corrections]
    candidates = misheard.phrases(vocab.phrases["risk_sounds"] + vocab.phrases["risk"])
    return misheard.misheard_phrase(sentence.text, marks, candidates)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("[Deniesu a sital] ideation.", "suicidal ideation"),
        ("[Denysu iscital] thoughts.", "suicidal thoughts"),
        ("[Denize H.I.]", "denies HI"),
        ("[Dennice] SI.", "denies SI"),
        ("She [denied their sight] and their chai.", "denied HI"),
        ("We discussed [mean] restriction.", "means restriction"),
        ("No [high].", "no HI"),
        ("[Denies] command hallucinations.", "command hallucinations"),
    ],
)
def test_misheard_garbled_risk_words_are_found(text: str, phrase: str) -> None:
    assert _heard_as(text) == phrase


@pytest.mark.parametrize(
    "text",
    [
        "Continue [circling] fifty milligrams daily.",
        "Sleep latency [down to 30] minutes.",  # metaphone alone: "denied SI"
        "She [says that] it was cold.",  # metaphone alone: "suicide"
        "He felt [ill] today.",  # too short to be "kill"
        "[Denies] nausea.",  # a denial, of no risk
        "Continue {sertraline} daily.",
        "Denies suicidal ideation.",  # nothing marked
    ],
)
def test_misheard_near_misses_are_not_risk(text: str) -> None:
    assert _heard_as(text) is None
