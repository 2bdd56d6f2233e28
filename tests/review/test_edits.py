"""What the review page posts back, checked and turned into a draft (hand-built drafts, no model)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dictanote.core.codec import draft_to_dict
from dictanote.core.errors import DraftDataError
from dictanote.core.types import Draft, MeasureValue, SessionInfo
from dictanote.review.edits import apply_edit, expected_version
from tests.util import MARKED_TEXT, make_draft, marked_sentence


@pytest.fixture
def draft() -> Draft:
    """A SOAP draft with a sentence in every field and a measure the page never sends."""
    return make_draft(
        "soap",
        {
            "subjective": ["Client reports sleeping six hours."],
            "objective": ["PHQ-9 score today is 12."],
            "assessment": ["Mood improving."],
            "plan": ["Meet next week."],
        },
        session=SessionInfo(client="K.M.", measures=(MeasureValue("PHQ-9", 12),)),
    )


@pytest.mark.parametrize(
    ("body", "error"),
    [({"fields": [{"id": "subjective"}]}, "no field 'objective'"), ({"session": []}, "must be an object")],
)
def test_edits_apply_edit_refuses_partial_or_malformed(
    draft: Draft, body: dict[str, Any], error: str
) -> None:
    with pytest.raises(DraftDataError, match=error):
        apply_edit(draft, body)


def test_edits_apply_edit_keeps_what_the_page_does_not_send(draft: Draft) -> None:
    edited = apply_edit(draft, {"session": {"client": " J.D. "}})
    assert edited.fields == draft.fields
    assert edited.transcript == draft.transcript
    assert edited.session.measures == draft.session.measures
    assert edited.session.client == "J.D."
    odd = replace(draft, session=replace(draft.session, date="the 3rd"))
    assert apply_edit(odd, {"session": {"date": "the 3rd"}}).session.date == "the 3rd"
    emptied = apply_edit(
        draft,
        {"fields": [{"id": f.id, "sentences": [{"text": "   "}]} for f in draft.fields]},
    )
    assert all(not f.sentences for f in emptied.fields)


@pytest.mark.parametrize(
    ("typed", "scores"),
    [
        ("PHQ-9 12", [("PHQ-9", None, 12)]),  # as the page shows the stored score: unchanged
        ("PHQ-9 17 to 12; GAD-7 8", [("PHQ-9", 17, 12), ("GAD-7", None, 8)]),
        (" PHQ-9 17 -> 9 , ", [("PHQ-9", 17, 9)]),
        ("", []),  # a score the segmenter misread, removed
        (None, []),
    ],
)
def test_edits_scores_the_clinician_types(
    draft: Draft, typed: str | None, scores: list[tuple[object, ...]]
) -> None:
    edited = apply_edit(draft, {"session": {"measures": typed}})
    assert [(m.name, m.from_, m.to) for m in edited.session.measures] == scores


@pytest.mark.parametrize("typed", ["twelve", "PHQ-9", "PHQ-9 1234", "PHQ-9 12 14", ["PHQ-9 12"]])
def test_edits_scores_that_are_not_scores_are_refused(draft: Draft, typed: object) -> None:
    with pytest.raises(DraftDataError, match="score"):
        apply_edit(draft, {"session": {"measures": typed}})


@pytest.mark.parametrize(
    ("body", "version"),
    [
        ({"version": 0}, 0),
        ({"version": 7}, 7),
        ({}, None),
        ({"version": "1"}, None),
        ({"version": True}, None),
    ],
)
def test_edits_expected_version_is_a_plain_integer(body: dict[str, Any], version: int | None) -> None:
    if version is None:
        with pytest.raises(DraftDataError, match="version"):
            expected_version(body)
    else:
        assert expected_version(body) == version


def _marked_draft() -> Draft:
    return make_draft(
        "soap", {"subjective": ["Client reports sleeping six hours."], "plan": [marked_sentence()]}
    )


def _post(draft: Draft, plan: list[dict[str, Any]]) -> dict[str, Any]:
    fields = [{"id": f.id, "sentences": [{"text": s.text} for s in f.sentences]} for f in draft.fields]
    fields[-1]["sentences"] = plan
    return {"fields": fields}


@pytest.mark.parametrize(
    ("posted", "uncertain", "corrected"),
    [
        ({"key": "plan:0", "text": MARKED_TEXT}, ["PHQ"], ["sertraline"]),
        ({"key": "plan:0", "text": "Please " + MARKED_TEXT}, ["PHQ"], ["sertraline"]),
        ({"key": "plan:0", "text": MARKED_TEXT.replace("sertraline", "circling")}, ["PHQ"], []),  # undone
        ({"text": MARKED_TEXT}, [], []),  # a sentence the page added names no stored one
        ({"key": "plan:7", "text": MARKED_TEXT}, [], []),  # a key from another version
        ({"key": "plan:0", "text": MARKED_TEXT, "confirmed": True}, [], []),  # the clinician confirmed them
        (
            {"key": "plan:0", "text": MARKED_TEXT, "confirmed": "yes"},
            ["PHQ"],
            ["sertraline"],
        ),  # only true counts
    ],
)
def test_edits_apply_edit_marks_follow_the_named_sentence(
    posted: dict[str, Any], uncertain: list[str], corrected: list[str]
) -> None:
    edited = apply_edit(_marked_draft(), _post(_marked_draft(), [posted])).field("plan").sentences[0]
    assert [edited.text[w.start : w.end] for w in edited.uncertain] == uncertain
    assert [edited.text[c.start : c.end] for c in edited.corrections] == corrected


def test_edits_apply_edit_never_takes_marks_from_the_page() -> None:
    forged = {"start": 0, "end": 8, "original": "Stop", "replacement": "Continue", "reason": "forged"}
    posted = {"key": "plan:0", "text": MARKED_TEXT, "corrections": [forged], "uncertain": []}
    edited = apply_edit(_marked_draft(), _post(_marked_draft(), [posted])).field("plan").sentences[0]
    assert edited.corrections == marked_sentence().corrections
    assert edited.uncertain == marked_sentence().uncertain


def _posted(draft: Draft) -> list[dict[str, Any]]:
    """The draft's fields as the page posts them: each sentence names its stored key."""
    fields: list[dict[str, Any]] = draft_to_dict(draft)["fields"]
    for f in fields:
        f["sentences"] = [{**s, "key": f"{f['id']}:{i}"} for i, s in enumerate(f["sentences"])]
    return fields


def _marked_words(draft: Draft, field: str) -> list[list[str]]:
    return [
        [s.text[w.start : w.end] for w in (*s.uncertain, *s.corrections)]
        for s in draft.field(field).sentences
    ]


@pytest.mark.parametrize("cut", [MARKED_TEXT.index("PHQ"), MARKED_TEXT.index("nine"), len("Continue")])
def test_edits_split_and_merge_keep_words_and_marks(cut: int) -> None:
    draft = make_draft("soap", {"plan": [marked_sentence(), "Meet next week."]})
    fields = _posted(draft)
    head, tail = MARKED_TEXT[:cut].rstrip(), MARKED_TEXT[cut:].lstrip()
    whole = fields[-1]["sentences"][0]
    fields[-1]["sentences"][0:1] = [{**whole, "text": head}, {**whole, "text": tail}]
    split = apply_edit(draft, {"fields": fields})
    assert [s.text for s in split.field("plan").sentences] == [head, tail, "Meet next week."]
    assert sorted(w for ws in _marked_words(split, "plan") for w in ws) == ["PHQ", "sertraline"]
    merged_fields = _posted(split)
    first = merged_fields[-1]["sentences"][0]
    merged_fields[-1]["sentences"][0:2] = [{**first, "keys": ["plan:0", "plan:1"], "text": f"{head} {tail}"}]
    merged = apply_edit(split, {"fields": merged_fields})
    assert merged.field("plan").sentences == draft.field("plan").sentences


def test_edits_merge_names_only_keys_of_this_draft() -> None:
    draft = make_draft("soap", {"plan": ["One.", "Two."]})
    fields = _posted(draft)
    fields[-1]["sentences"] = [{"key": "plan:0", "keys": ["plan:0", 7], "text": "One. Two."}]
    with pytest.raises(DraftDataError, match="keys"):
        apply_edit(draft, {"fields": fields})


def _linked(text: str, *goals: str) -> Any:
    from dictanote.core.types import Sentence

    return Sentence(text, "spoken_header", 1.0, goals=goals)


def _without_goals(draft: Draft) -> list[dict[str, Any]]:
    """The draft's fields as a page that does not send goal links posts them."""
    fields = _posted(draft)
    for f in fields:
        for s in f["sentences"]:
            s.pop("goals", None)
    return fields


def test_edits_goal_links_survive_an_edit_a_split_and_a_merge() -> None:
    draft = make_draft(
        "soap", {"plan": [_linked("Less low mood. Back at work.", "G1"), _linked("Sober.", "G2")]}
    )
    fields = _without_goals(draft)
    fields[-1]["sentences"][0]["text"] = "Less low mood today. Back at work."
    edited = apply_edit(draft, {"fields": fields})
    assert [s.goals for s in edited.field("plan").sentences] == [("G1",), ("G2",)]
    fields = _without_goals(edited)
    whole = fields[-1]["sentences"][0]
    fields[-1]["sentences"][0:1] = [
        {**whole, "text": "Less low mood today."},
        {**whole, "text": "Back at work."},
    ]
    split = apply_edit(edited, {"fields": fields})
    assert [s.goals for s in split.field("plan").sentences] == [
        ("G1",),
        (),
        ("G2",),
    ]  # the first part keeps them
    fields = _without_goals(split)
    fields[-1]["sentences"] = [
        {"key": "plan:0", "keys": ["plan:0", "plan:2"], "text": "Less low mood. Sober."}
    ]
    merged = apply_edit(split, {"fields": fields})
    assert [s.goals for s in merged.field("plan").sentences] == [("G1", "G2")]  # the union
    posted = _posted(merged)
    posted[-1]["sentences"][0]["goals"] = ["G2"]  # what the page sends is what the clinician left
    assert apply_edit(merged, {"fields": posted}).field("plan").sentences[0].goals == ("G2",)
