"""The review page's view models: age against the documentation window, rows, sentences and findings.

Drafts are built by hand (``make_draft``); no server, no model.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dictanote.core.policy import LOW_CONFIDENCE, format_utc
from dictanote.core.types import Finding, Sentence, SessionInfo, StoredDraft
from dictanote.review import views
from tests.util import make_draft, marked_sentence

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    ("hours", "minutes", "text", "state"),
    [
        (0, 5, "0 h of 72", "ok"),
        (26, 5, "26 h of 72", "ok"),
        (47, 59, "47 h of 72", "ok"),
        (48, 0, "48 h of 72", "near"),
        (50, 5, "50 h of 72", "near"),
        (72, 0, "72 h of 72", "near"),  # exactly at the window's end: due, not yet late (policy.timeliness)
        (72, 5, "72 h of 72", "late"),
        (80, 5, "80 h of 72", "late"),
    ],
)
def test_views_age_against_the_72_hour_window(hours: int, minutes: int, text: str, state: str) -> None:
    created = format_utc(NOW - dt.timedelta(hours=hours, minutes=minutes))
    assert views.age(created, NOW) == {"hours": hours, "text": text, "state": state}


@pytest.mark.parametrize(
    ("created", "expected"),
    [
        ("yesterday", {"hours": None, "text": "age unknown", "state": "unknown"}),
        ("2026-03-11T12:00:00Z", {"hours": 0, "text": "0 h of 72", "state": "ok"}),  # a clock ahead: 0 h
    ],
)
def test_views_age_of_an_odd_time(created: str, expected: dict[str, object]) -> None:
    assert views.age(created, NOW) == expected


@pytest.mark.parametrize(
    ("client", "url"),
    [(None, ""), ("", ""), ("rt-1", "/clients/rt-1"), ("Ana / Bo", "/clients/Ana%20%2F%20Bo")],
)
def test_views_client_url_quotes_the_id(client: str | None, url: str) -> None:
    assert views.client_url(client) == url


@pytest.mark.parametrize(
    ("date", "kind"), [(None, "date"), ("", "date"), ("2026-03-02", "date"), ("the 3rd", "text")]
)
def test_views_date_input_never_blanks_an_odd_date(date: str | None, kind: str) -> None:
    assert views.date_input_type(date) == kind


def test_views_sentence_marks_low_confidence_from_policy() -> None:
    low = views.sentence_view(Sentence("Sleeps poorly.", "inferred", LOW_CONFIDENCE - 0.01, span=(3, 17)))
    sure = views.sentence_view(Sentence("Plan.", "spoken_header", LOW_CONFIDENCE, paragraph=True))
    assert low["low"] is True and low["span"] == "3,17" and low["role"] == ""
    assert sure["low"] is False and sure["span"] == "" and sure["paragraph"] is True


def test_views_findings_by_field_keeps_the_draft_wide_ones_apart() -> None:
    draft = make_draft("soap", {"plan": ["Meet next week."]})
    findings = (
        Finding("missing_field", "assessment", "warning", "No assessment."),
        Finding("late_note", None, "warning", "Past the window."),
    )
    per, general = views.findings_by_field(draft, findings)
    assert list(per) == ["subjective", "objective", "assessment", "plan"]
    assert [f["code"] for f in per["assessment"]] == ["missing_field"] and per["plan"] == []
    assert [f["code"] for f in general] == ["late_note"]
    fields = views.draft_fields(draft, per)
    assert [f["id"] for f in fields] == list(per)
    assert (
        fields[3]["sentences"][0]["text"] == "Meet next week." and fields[2]["findings"] == per["assessment"]
    )


def test_views_draft_row_counts_sentences_and_uncertain_ones() -> None:
    draft = make_draft(
        "soap",
        {"subjective": ["Sleeps six hours.", "Work is calmer."], "plan": ["Meet next week."]},
        session=SessionInfo(client="K.M.", client_id="km-1", date="2026-03-02"),
        confidence=0.5,
    )
    created = format_utc(NOW - dt.timedelta(hours=50))
    stored = StoredDraft(3, "clinical", draft, 2, created, created, "cli")
    row = views.draft_row(stored, {"soap": "SOAP"}, NOW)
    assert row["url"] == "/clinical/drafts/3" and row["format"] == "SOAP"
    assert row["client"] == "K.M." and row["client_url"] == "/clients/km-1" and row["date"] == "2026-03-02"
    assert row["sentences"] == 3 and row["low"] == 3
    assert row["age"]["state"] == "near"
    assert views.draft_row(stored, {}, NOW)["format"] == "soap"  # a format no longer installed: its id
    assert views.stored_facts(stored) == {
        "id": 3,
        "version": 2,
        "source": "cli",
        "created_at": created,
        "updated_at": created,
    }


def test_views_note_row_fields_and_amendments_show_the_latest_content() -> None:
    from dictanote.core.types import Amendment, Note

    original = make_draft(
        "soap", {"plan": ["Meet next week."]}, session=SessionInfo(client="R.T.", client_id="rt-1")
    )
    amended = make_draft(
        "soap",
        {"plan": ["Meet next week.", "Call on Friday."]},
        session=SessionInfo(client="R.T.", client_id="rt-1"),
    )
    note = Note(
        5,
        "private",
        3,
        original,
        "2026-03-01T10:00:00Z",
        "2026-03-01T11:00:00Z",
        "Dr Rowe",
        (Amendment("2026-03-02T09:00:00Z", "added a call", "Dr Rowe", amended),),
    )
    row = views.note_row(note, {"soap": "SOAP"})
    assert (
        row["url"] == "/private/notes/5" and row["format"] == "SOAP" and row["client_url"] == "/clients/rt-1"
    )
    assert row["signed_by"] == "Dr Rowe" and row["amended_at"] == "2026-03-02T09:00:00Z"
    assert views.note_fields(note.content)[3] == {
        "label": "Plan",
        "paragraphs": ["Meet next week. Call on Friday."],
    }
    assert views.note_fields(note.original)[3]["paragraphs"] == ["Meet next week."]
    assert views.amendments(note) == [
        {
            "at": "2026-03-02T09:00:00Z",
            "reason": "added a call",
            "signed_by": "Dr Rowe",
            "changed": ["Plan"],
            "fields": [{"id": "plan", "label": "Plan", "paragraphs": ["Meet next week. Call on Friday."]}],
        }
    ]


def test_views_draft_fields_key_each_sentence_and_cut_its_marked_words() -> None:
    draft = make_draft("soap", {"plan": ["Meet next week.", marked_sentence()]})
    plan = views.draft_fields(draft, {f.id: [] for f in draft.fields})[-1]["sentences"]
    assert [s["key"] for s in plan] == ["plan:0", "plan:1"]
    assert plan[0]["words"] == [{"text": "Meet next week.", "kind": ""}]
    corrected, uncertain = plan[1]["words"][1], plan[1]["words"][3]
    assert corrected["kind"] == "corrected" and corrected["original"] == "circling"
    assert corrected["title"].startswith("heard: circling — drug name: a dose follows")
    assert uncertain == {
        "text": "PHQ",
        "kind": "uncertain",
        "probability": "0.31",
        "title": "the transcriber was unsure of these words (31% sure): check them",
    }
    assert views.saved_words(draft)["plan"][1] == {"key": "plan:1", "words": plan[1]["words"]}


def test_views_open_findings_are_errors_then_warnings_never_info() -> None:
    found = (
        Finding("a", "plan", "warning", "w1"),
        Finding("b", None, "info", "i"),
        Finding("c", None, "error", "e"),
        Finding("d", "plan", "warning", "w2"),
    )
    assert [f["code"] for f in views.open_findings(found)] == ["c", "a", "d"]


@pytest.mark.parametrize(
    ("record", "companion", "target"),
    [
        ("clinical", None, "private"),
        ("clinical", 3, "private"),
        ("private", 3, "clinical"),
        ("private", None, None),
    ],
)
def test_views_move_target_is_the_other_record_when_there_is_one(
    record: str, companion: int | None, target: str | None
) -> None:
    found = views.move_target(record, companion)
    assert (found["record"] if found else None) == target
