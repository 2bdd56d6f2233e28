"""Scoring a placement against gold labels (``evaluate``), as the benchmarks and sample tests use it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dictanote.core.types import Sentence
from dictanote.evaluate import (
    MarkScore,
    TermSpan,
    count_term,
    count_word_errors,
    draft_sentences,
    false_terms,
    gold_sentences,
    score_marks,
    score_placement,
    score_terms,
    term_words,
)
from tests.util import make_draft, marked, segment_text

_RETRACTED = (
    ("Plan.", "header"),
    ("She agreed to stop drinking coffee entirely.", "deleted"),
    ("Scratch that.", "command"),
    ("She agreed to switch to decaf after noon.", "plan"),
)


@pytest.mark.parametrize(
    ("spoken", "leaked"),
    [
        # retracted and gone: "She agreed to" shared with the next sentence is not a leak
        (" ".join(t for t, _ in _RETRACTED), 0),
        # the retraction was missed (not said): the sentence's words are counted
        ("Plan. She agreed to stop drinking coffee entirely. She agreed to switch to decaf after noon.", 7),
    ],
)
def test_evaluate_score_counts_only_real_leaks_of_retracted_words(spoken: str, leaked: int) -> None:
    score = score_placement(_RETRACTED, segment_text(spoken))
    assert score.leaked == leaked
    assert [(label, got) for _, label, got in score.results] == [("plan", "plan")]


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("sertraline one hundred fifty milligrams", "Sertraline 150 mg"),
        ("on March third", "on March 3rd"),
        ("level zero point eight", "level 0.8"),
        ("one thousand milligrams", "1000 mg"),
        ("six hundred sixty six milligrams", "666 mg"),
        ("PHQ nine of fourteen", "PHQ-9 of 14"),
        ("April fourteenth", "April 14"),
    ],
)
def test_evaluate_term_words_spoken_and_written_forms_agree(spoken: str, written: str) -> None:
    assert term_words(spoken) == term_words(written)


@pytest.mark.parametrize(
    ("hypothesis", "form", "count"),
    [
        ("Completed the C S S R S, then the C-SSRS again.", "C-SSRS", 2),
        ("PHQ9 was 12", "PHQ-9", 1),
        ("Ph.D. 9 was 12", "PHQ-9", 0),
        ("She denies S.I. and H.I.", "denies SI", 1),
        ("She denied their sight", "denies SI", 0),
        ("no SI or HI", "SI or HI", 1),
        ("sertraline fifty mg", "50 mg", 1),
        ("sertraline 150 mg", "50 mg", 0),
        ("haloperidol 3.5 milligrams", "5 mg", 0),
        ("lithium level 0.8", "zero point eight", 1),
        ("high school", "HI", 0),
    ],
)
def test_evaluate_count_term_ignores_case_spacing_and_punctuation(
    hypothesis: str, form: str, count: int
) -> None:
    assert count_term(term_words(hypothesis), form) == count


_SPANS = (
    TermSpan("drug", "sertraline", "sertraline"),
    TermSpan("number", "fifty milligrams", "50 mg"),
    TermSpan("risk", "denies S I", "denies SI"),
    TermSpan("drug", "sertraline", "sertraline"),
)


@pytest.mark.parametrize(
    ("hypothesis", "found", "missed"),
    [
        ("Sertraline 50 mg. Denies SI. Continue sertraline.", {"drug": 2, "number": 1, "risk": 1}, []),
        # said twice, heard once: one found, one missed
        (
            "Search line fifty milligrams. Denies S.I. Continue sertraline.",
            {"drug": 1, "number": 1, "risk": 1},
            ["sertraline"],
        ),
        (
            "circling 5 mg, their sight",
            {"drug": 0, "number": 0, "risk": 0},
            ["sertraline", "sertraline", "50 mg", "denies SI"],
        ),
    ],
)
def test_evaluate_score_terms_counts_each_term_said(
    hypothesis: str, found: dict[str, int], missed: list[str]
) -> None:
    score = score_terms(_SPANS, hypothesis)
    assert score.said == {"drug": 2, "number": 1, "risk": 1}
    assert score.found == found
    assert sorted(s.canonical for s in score.missed) == sorted(missed)


@pytest.mark.parametrize(
    ("reference", "hypothesis", "skipped"),
    [
        ("she walked to the store today", "she walked to the store today", 0),
        ("she walked to the store today", "she went to the shop today", 0),  # substitutions, not skips
        ("she walked to the store today", "she today", 4),
        ("one two three", "", 3),
    ],
)
def test_evaluate_count_word_errors_counts_reference_words_left_out(
    reference: str, hypothesis: str, skipped: int
) -> None:
    assert count_word_errors(reference, hypothesis).skipped == skipped


@pytest.mark.parametrize(
    ("reference", "hypothesis", "errors"),
    [
        ("She denies S I and H I.", "She denies SI and H.I.", 0),
        ("C S S R S negative", "CSSRS negative", 0),
        ("PHQ nine of fourteen", "PHQ-9 of 14", 0),
        ("She denies S I.", "She denied their sight.", 3),
    ],
)
def test_evaluate_count_word_errors_spelled_letters_are_one_word(
    reference: str, hypothesis: str, errors: int
) -> None:
    assert count_word_errors(reference, hypothesis).errors == errors


def test_evaluate_false_terms_are_terms_heard_but_not_said() -> None:
    lexicon = ["sertraline", "SI", "PHQ-9"]
    said = "She said the series was long and the phone was nice."
    assert false_terms(said, "She said the sertraline was long and the phone was nice.", lexicon) == [
        "sertraline"
    ]
    assert false_terms(said, said, lexicon) == []
    assert false_terms("Continue sertraline.", "Continue sertraline.", lexicon) == []


def test_evaluate_terms_dev_set_is_labelled_so_the_metric_finds_every_term() -> None:
    """benchmarks/terms/dictations.jsonl: every term is found in its spoken and its written text."""
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "terms" / "dictations.jsonl"
    entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len({e["id"] for e in entries}) == len(entries)
    with_terms = [e for e in entries if e["spans"]]
    assert len(with_terms) >= 60 and len(entries) - len(with_terms) >= 10
    lexicon = sorted(
        {s[k] for e in entries for s in e["spans"] if s["kind"] != "number" for k in ("text", "canonical")}
    )
    for e in entries:
        spans = [TermSpan(s["kind"], s["text"], s["canonical"]) for s in e["spans"]]
        for text in (e["text"], e["written"]):
            score = score_terms(spans, text)
            assert score.found == score.said, (e["id"], text, score.missed)
        if not spans:
            assert false_terms("", e["text"], lexicon) == [], e["id"]


@pytest.mark.parametrize(
    ("reference", "hypothesis", "counts"),
    [
        # (words, wrong, marked, wrong and marked)
        ("She denies S I.", "She denied their [sight].", (4, 3, 1, 1)),
        ("She denies S I and H I.", "She denies [S I] and H.I.", (5, 0, 1, 0)),
        ("Continue sertraline fifty milligrams.", "Continue {sertraline} 50 mg.", (4, 0, 1, 0)),
        ("Continue sertraline fifty milligrams.", "Continue {Seroquel} 50 mg.", (4, 1, 1, 1)),
        ("He is twenty five.", "He is twenty [five].", (3, 0, 1, 0)),  # one word once normalized
        ("He is twenty five.", "He [is] twenty five [years].", (4, 1, 2, 1)),  # an inserted word is wrong
        ("", "Something [heard].", (2, 2, 1, 1)),
        ("Nothing heard.", "", (0, 0, 0, 0)),
    ],
)
def test_evaluate_score_marks_counts_wrong_and_marked_words(
    reference: str, hypothesis: str, counts: tuple[int, int, int, int]
) -> None:
    sentences = [marked(hypothesis)] if hypothesis else []
    assert score_marks(reference, sentences) == MarkScore(*counts)


def test_evaluate_score_marks_reads_marks_sentence_by_sentence() -> None:
    sentences = [marked("Denies [SI]."), marked("[Continue] sertraline.")]
    assert score_marks("Denies S I. Continue sertraline.", sentences) == MarkScore(4, 0, 2, 0)
    assert score_marks("Denies H I. Continue sertraline.", sentences) == MarkScore(4, 1, 2, 1)


def test_evaluate_mark_score_shares_and_sum() -> None:
    total = MarkScore(10, 4, 5, 3) + MarkScore(10, 0, 1, 0)
    assert total == MarkScore(20, 4, 6, 3)
    assert (total.recall, total.precision) == (0.75, 0.5)
    assert (MarkScore().recall, MarkScore().precision) == (None, None)


def test_evaluate_draft_sentences_in_the_order_dictated() -> None:
    later = Sentence("Continue weekly.", "inferred", 1.0, (30, 46))
    earlier = Sentence("Denies SI.", "inferred", 1.0, (0, 10))
    draft = make_draft("soap", {"subjective": [later], "plan": [earlier]})
    assert [s.text for s in draft_sentences(draft)] == ["Denies SI.", "Continue weekly."]


def test_evaluate_gold_sentences_split_lines_then_sentences() -> None:
    text = "Lungs: clear. Heart: regular.\nTakes 10 mg b.i.d. daily\n\nFollow up in 2 weeks."
    assert gold_sentences(text) == [
        "Lungs: clear.",
        "Heart: regular.",
        "Takes 10 mg b.i.d. daily",
        "Follow up in 2 weeks.",
    ]
