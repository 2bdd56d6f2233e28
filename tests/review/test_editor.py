"""The $EDITOR round trip: a draft as text, and edited text back into fields."""

from __future__ import annotations

import pytest

from dictanote.app import Dictation
from dictanote.core.errors import DraftDataError
from dictanote.review.editor import editable_text, parse_edited
from tests.util import MARKED_TEXT, make_draft, marked_sentence

TEXT = (
    "Subjective. Client reports sleeping six hours. She says work is calmer. "
    "Objective. Calm, good eye contact. Assessment. Mood improving. "
    "Plan. Meet next week. Continue sleep diary."
)


@pytest.fixture
def setup(dictation: Dictation) -> tuple[object, object, str]:
    fmt = dictation.format("soap")
    draft = dictation.from_text(TEXT, "soap").draft
    return draft, fmt, editable_text(draft, fmt, "draft 1")


def test_editor_unchanged_text_reads_back_the_same_draft(setup: tuple) -> None:
    draft, fmt, text = setup
    assert parse_edited(text, draft, fmt) == draft


def test_editor_moved_sentence_keeps_its_placement_data(setup: tuple) -> None:
    draft, fmt, text = setup
    text = text.replace(" She says work is calmer.", "").replace(
        "Mood improving.", "Mood improving. She says work is calmer."
    )
    new = parse_edited(text, draft, fmt)
    moved = new.field("assessment").sentences[-1]
    assert moved == next(
        s for s in draft.field("subjective").sentences if s.text == "She says work is calmer."
    )
    assert [s.text for s in new.field("subjective").sentences] == ["Client reports sleeping six hours."]


def test_editor_reworded_sentence_is_the_clinicians(setup: tuple) -> None:
    draft, fmt, text = setup
    new = parse_edited(text.replace("Meet next week.", "Meet in two weeks."), draft, fmt)
    first = new.field("plan").sentences[0]
    assert (first.text, first.confidence, first.origin) == ("Meet in two weeks.", 1.0, "inferred")


def test_editor_paragraphs_and_session_facts(setup: tuple) -> None:
    draft, fmt, text = setup
    text = text.replace("Meet next week. Continue sleep diary.", "Meet next week.\n\nContinue sleep diary.")
    text = text.replace("client: \n", "client: JD\n").replace(
        "duration_minutes: \n", "duration_minutes: 50\n"
    )
    new = parse_edited(text, draft, fmt)
    assert [s.paragraph for s in new.field("plan").sentences] == [False, True]
    assert (new.session.client, new.session.duration_minutes) == ("JD", 50)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("## Plan", "## Plans"), "unknown heading '## Plans'"),
        (lambda t: t.replace("## Objective\n", ""), "'## Objective' is missing"),
        (lambda t: t.replace("## Plan", "## Subjective"), "appears twice"),
        (lambda t: "stray words\n" + t, "before the first heading"),
        (lambda t: t + "mood: fine\n", "'key: value'"),
        (lambda t: t.replace("duration_minutes: ", "duration_minutes: fifty"), "malformed"),
    ],
)
def test_editor_rejects_what_it_cannot_read(setup: tuple, edit: object, message: str) -> None:
    draft, fmt, text = setup
    with pytest.raises(DraftDataError, match=message):
        parse_edited(edit(text), draft, fmt)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("edited", "uncertain", "corrected"),
    [
        (MARKED_TEXT, ["PHQ"], ["sertraline"]),  # unchanged: the sentence itself
        ("Please continue sertraline 50 mg daily, PHQ nine today.", ["PHQ"], ["sertraline"]),
        ("Continue circling 50 mg daily, PHQ nine today.", ["PHQ"], []),  # the correction undone by hand
        ("Continue sertraline 50 mg daily, GAD-7 today.", [], ["sertraline"]),
    ],
)
def test_editor_reworded_sentence_keeps_the_marks_on_unchanged_words(
    dictation: Dictation, edited: str, uncertain: list[str], corrected: list[str]
) -> None:
    fmt = dictation.format("soap")
    draft = make_draft(
        "soap", {"subjective": ["Client reports sleeping six hours."], "plan": [marked_sentence()]}
    )
    text = editable_text(draft, fmt, "draft 1").replace(MARKED_TEXT, edited)
    new = parse_edited(text, draft, fmt).field("plan").sentences[0]
    assert new.text == edited
    assert [new.text[w.start : w.end] for w in new.uncertain] == uncertain
    assert [new.text[c.start : c.end] for c in new.corrections] == corrected
