"""The $EDITOR round trip: a draft as text, and edited text back into fields."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dictanote.app import Dictation
from dictanote.core.errors import DraftDataError
from dictanote.core.types import Sentence, SessionInfo, UncertainWord
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


TITLED = {
    "subjective": ["Mr. Ortiz reports sleeping better.", "Dr. Singh called about Mrs. Lee and Ms. Park."],
    "objective": ["Client J.T. seen today.", "Seen with K. L. Moore, calm."],
    "assessment": ["Takes it p.r.n. and e.g. at 8 p.m. as needed."],
    "plan": ["Meet next week.", "Mx. Reyes to call."],
}


@pytest.mark.parametrize("edit", [None, ("Meet next week.", "Meet in two weeks.")])
def test_editor_titles_and_initials_are_never_split(
    dictation: Dictation, edit: tuple[str, str] | None
) -> None:
    fmt = dictation.format("soap")
    draft = make_draft("soap", TITLED)
    text = editable_text(draft, fmt, "draft 1")
    new = parse_edited(text.replace(*edit) if edit else text, draft, fmt)
    for field_id in ("subjective", "objective", "assessment"):
        assert new.field(field_id) == draft.field(field_id)  # same sentences, origin and all
    assert [s.text for s in new.field("plan").sentences][-1] == "Mx. Reyes to call."


def test_editor_dictated_titles_keep_their_spoken_header_origin(dictation: Dictation) -> None:
    fmt = dictation.format("soap")
    draft = dictation.from_text(
        "Subjective. Mr. Ortiz reports sleeping better. Dr. Singh called. Plan. Meet next week.", "soap"
    ).draft
    assert [s.text for s in draft.field("subjective").sentences] == [
        "Mr. Ortiz reports sleeping better.",
        "Dr. Singh called.",
    ]
    text = editable_text(draft, fmt, "draft 1").replace("Meet next week.", "Meet in a week.")
    new = parse_edited(text, draft, fmt)
    assert new.field("subjective") == draft.field("subjective")
    assert {s.origin for s in new.field("subjective").sentences} == {"spoken_header"}


@pytest.mark.parametrize(
    ("typed", "sentences"),
    [
        ("Dr. Singh will call. She agreed.", ["Dr. Singh will call.", "She agreed."]),
        ("Referred by J.T. Ortiz today.", ["Referred by J.T. Ortiz today."]),
        ("Give it q.4h. as needed. Mrs. Lee agreed.", ["Give it q.4h. as needed.", "Mrs. Lee agreed."]),
        ('She said "no." Then she left.', ['She said "no."', "Then she left."]),
    ],
)
def test_editor_typed_text_splits_where_a_sentence_ends(
    dictation: Dictation, typed: str, sentences: list[str]
) -> None:
    fmt = dictation.format("soap")
    draft = make_draft("soap", {"plan": ["Meet next week."]})
    new = parse_edited(editable_text(draft, fmt, "d").replace("Meet next week.", typed), draft, fmt)
    assert [s.text for s in new.field("plan").sentences] == sentences


@pytest.mark.parametrize("odd", ["", "  padded  ", "two\n\nlines", "\u2028", "<!-- -->", "\x1c"])
def test_editor_untouched_field_comes_back_whatever_it_holds(dictation: Dictation, odd: str) -> None:
    fmt = dictation.format("soap")
    draft = make_draft(
        "soap", {"subjective": ["Slept well.", odd, "Mood fine."], "plan": ["Meet next week."]}
    )
    text = editable_text(draft, fmt, "d")
    assert parse_edited(text, draft, fmt) == draft
    assert parse_edited(text.replace("Meet next", "Meet"), draft, fmt).field("subjective") == draft.fields[0]


def test_editor_untouched_first_paragraph_and_session_facts_stay_as_stored(dictation: Dictation) -> None:
    fmt = dictation.format("soap")
    first = Sentence("Slept well.", "inferred", 0.7, span=(3, 14), role="subjective", paragraph=True)
    draft = make_draft("soap", {"subjective": [first, "Mood fine."], "plan": ["Meet next week."]})
    draft = replace(draft, session=SessionInfo(client="J.T.", date="2026-11-29", duration_minutes=50))
    text = editable_text(draft, fmt, "d")
    assert parse_edited(text, draft, fmt) == draft
    new = parse_edited(text.replace("Meet next week.", "Meet soon."), draft, fmt)
    assert new.field("subjective") == draft.field("subjective") and new.session == draft.session


# Titles, initials, abbreviations, unicode, control characters and the editor format's own marks.
_PLAIN = (
    "Mr. Mrs. Ms. Dr. Mx. J.T. K. L. Ortiz Singh p.r.n. q.4h. e.g. a.m. etc. vs. PHQ-9 SI sleep reports "
    "She The mood 50 mg Zoë naïve Müller 東京 Я устал café \u201cno.\u201d (calm) well, low; #5 <!-- -->"
)
_WORDS = st.sampled_from([*_PLAIN.split(), "\x1b[2J", "tab\there", "line\u2028sep", "a\x1cb"])


@st.composite
def _sentences(draw: st.DrawFn, tag: str = "") -> Sentence:
    words = draw(st.lists(_WORDS, min_size=1, max_size=8))
    if tag:  # a word no other sentence has, so each sentence can be found only where it is
        words.insert(draw(st.integers(0, len(words))), tag)
    text = " ".join(words) + draw(st.sampled_from(["", ".", "?", "!"]))
    at = draw(st.integers(0, len(words) - 1))
    start = sum(len(w) + 1 for w in words[:at])
    marks = (UncertainWord(start, start + len(words[at]), words[at], 0.3),) if draw(st.booleans()) else ()
    return Sentence(
        text,
        draw(st.sampled_from(["spoken_header", "inferred"])),
        draw(st.sampled_from([0.42, 0.9, 1.0])),
        role=draw(st.sampled_from([None, "subjective", "plan"])),
        paragraph=draw(st.booleans()),
        uncertain=marks,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fields=st.dictionaries(
        st.sampled_from(["subjective", "objective", "assessment", "plan"]), st.lists(_sentences(), max_size=5)
    ),
    client=st.sampled_from([None, "J.T.", "JT", "Zoë M."]),
    minutes=st.sampled_from([None, 50]),
)
def test_editor_unchanged_text_is_the_same_draft_for_generated_drafts(
    dictation: Dictation, fields: dict[str, list[Sentence]], client: str | None, minutes: int | None
) -> None:
    fmt = dictation.format("soap")
    draft = replace(make_draft("soap", fields), session=SessionInfo(client=client, duration_minutes=minutes))
    assert parse_edited(editable_text(draft, fmt, "draft 1"), draft, fmt) == draft


@st.composite
def _tagged(draw: st.DrawFn, prefix: str = "n") -> list[Sentence]:
    """Up to five sentences, each with a word of its own (``prefix`` and its number)."""
    return [draw(_sentences(f"{prefix}{n}")) for n in range(draw(st.integers(0, 5)))]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fields=st.dictionaries(st.sampled_from(["subjective", "assessment"]), st.lists(_sentences(), max_size=4)),
    plan=_tagged(),
)
def test_editor_typed_sentence_leaves_the_dictated_ones_as_they_were(
    dictation: Dictation, fields: dict[str, list[Sentence]], plan: list[Sentence]
) -> None:
    fmt = dictation.format("soap")
    draft = make_draft("soap", {**fields, "plan": plan})
    text = editable_text(draft, fmt, "draft 1").replace("## Plan\n\n", "## Plan\n\nAdded today. ")
    new = parse_edited(text, draft, fmt)
    assert new.fields[:3] == draft.fields[:3] and new.session == draft.session
    kept = [replace(s, paragraph=s.paragraph and n > 0) for n, s in enumerate(plan)]
    assert new.field("plan").sentences == (Sentence("Added today.", "inferred", 1.0), *kept)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subjective=_tagged("s"), plan=_tagged("p"))
def test_editor_sentences_on_lines_of_their_own_read_back_the_same(
    dictation: Dictation, subjective: list[Sentence], plan: list[Sentence]
) -> None:
    fmt = dictation.format("soap")
    draft = make_draft("soap", {"subjective": subjective, "plan": plan})
    text = editable_text(draft, fmt, "draft 1")
    for field in draft.fields:
        for group in field.paragraph_groups():
            text = text.replace(" ".join(s.text for s in group), "\n".join(s.text for s in group))
    assert parse_edited(text, draft, fmt) == draft
