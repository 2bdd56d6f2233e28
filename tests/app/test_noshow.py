"""Sessions that did not happen (issue 15): the no-show format, the switch to it, a typed no-show.

Through the real segmenter and a real store: a dictation that says the session did not happen is
drafted as a no-show note whatever format was asked (``Dictation.from_text``), and a no-show typed
with ``app.noshow.typed_no_show`` is checked before anything is made.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dictanote.app import Dictation, SessionStart
from dictanote.app.noshow import NoShowEntry, typed_no_show
from dictanote.core.errors import BadInputError, RecordNotFoundError
from dictanote.core.policy import NO_SHOW_FORMAT
from dictanote.core.types import Draft

STARTED = dt.datetime(2026, 11, 30, 14, 5, tzinfo=dt.timezone.utc)  # the suite reads local time as UTC
DICTATED = "No-show, no call. Left a voicemail at 10:15. Will send a letter if no reply by Friday."


def _texts(draft: Draft) -> dict[str, list[str]]:
    return {f.id: [s.text for s in f.sentences] for f in draft.fields}


def test_noshow_format_is_short_and_dictatable(dictation: Dictation) -> None:
    fmt = dictation.format(NO_SHOW_FORMAT)
    assert fmt.field_ids == ("attendance", "outreach", "plan")
    result = dictation.from_text(DICTATED, NO_SHOW_FORMAT)
    assert _texts(result.draft) == {
        "attendance": ["No-show, no call."],
        "outreach": ["Left a voicemail at 10:15."],
        "plan": ["Will send a letter if no reply by Friday."],
    }
    assert result.draft.session.attendance == "no-show"
    assert not [f for f in result.findings if f.severity != "info"]  # nothing to nag about


@pytest.mark.parametrize("asked", ["soap", "progress", "birp"])
def test_noshow_dictation_switches_to_the_no_show_format(dictation: Dictation, asked: str) -> None:
    result = dictation.from_text(
        "No-show, no call. Left a voicemail.", asked, start=SessionStart(client_id="C1", started=STARTED)
    )
    assert (result.format.id, result.draft.format) == (NO_SHOW_FORMAT, NO_SHOW_FORMAT)
    session = result.draft.session
    assert (session.attendance, session.client_id, session.date, session.time) == (
        "no-show",
        "C1",
        "2026-11-30",
        "14:05",
    )
    assert _texts(result.draft)["attendance"] == ["No-show, no call."]
    switched = [f for f in result.findings if f.code == "format-switched-no-show"]
    assert len(switched) == 1 and f"'{asked}'" in switched[0].message and switched[0].severity == "info"
    codes = {f.code for f in result.findings}
    assert codes.isdisjoint({"no-client-response", "no-risk-statement", "vague-intervention"})
    rendered = dictation.render_result(result)
    assert rendered.startswith("# No-show note") and "\n- Session did not happen: no-show\n" in rendered
    assert "Did the session happen?" not in rendered


def test_noshow_note_without_attendance_asks_for_it(dictation: Dictation) -> None:
    result = dictation.from_text("Left a voicemail.", NO_SHOW_FORMAT)
    assert "attendance-missing" in {f.code for f in result.findings}
    rendered = dictation.render_result(result)
    assert "**Did the session happen?** Not stated" in rendered and "Session did not happen:" not in rendered


@pytest.mark.parametrize(
    "text",
    [
        "Client reports better sleep. Plan. Continue CBT.",
        "She has had no-shows in the past. Plan. Continue CBT.",  # history: still this format
    ],
)
def test_noshow_a_session_that_happened_keeps_its_format(dictation: Dictation, text: str) -> None:
    result = dictation.from_text(text, "soap")
    assert result.draft.format == "soap" and result.draft.session.attendance is None
    assert "format-switched-no-show" not in {f.code for f in result.findings}


def test_noshow_private_note_is_never_switched(dictation: Dictation) -> None:
    result = dictation.from_text("Reflections. Client no-show today. I felt relieved.", "psychotherapy")
    assert (result.draft.format, result.draft.session.attendance) == ("psychotherapy", "no-show")


def test_noshow_typed_sets_attendance_reason_date_and_places_the_note(dictation: Dictation) -> None:
    entry = NoShowEntry(
        "c1", "late-cancel", reason="sick child", date="2026-11-20", time="9:30", note="Left a voicemail."
    )
    with dictation.open_store() as store:
        store.add_client("C1", name="M.R.")
        result = typed_no_show(dictation, entry, store, now=STARTED)
        stored = dictation.save(result, store=store)
        session = store.get_draft(stored.id).draft.session
    assert (session.client_id, session.attendance, session.attendance_reason) == (
        "C1",
        "late-cancel",
        "sick child",
    )
    assert (session.date, session.time) == ("2026-11-20", "09:30")
    assert _texts(result.draft)["outreach"] == ["Left a voicemail."]
    assert "attendance-missing" not in {f.code for f in result.findings}


def test_noshow_typed_defaults_to_now_and_keeps_a_dictated_reason(dictation: Dictation) -> None:
    entry = NoShowEntry("C1", "cancelled", note="Client cancelled because of a sick child.")
    with dictation.open_store() as store:
        store.add_client("C1", name="M.R.")
        session = typed_no_show(dictation, entry, store, now=STARTED).draft.session
    assert (session.date, session.time) == ("2026-11-30", "14:05")
    assert (session.attendance, session.attendance_reason) == ("cancelled", "a sick child")


@pytest.mark.parametrize(
    ("entry", "error", "message"),
    [
        (NoShowEntry("nobody", "no-show"), RecordNotFoundError, "no client 'nobody'"),
        (NoShowEntry("C1", "attended"), BadInputError, "no-show, late-cancel, cancelled"),
        (NoShowEntry("C1", "no-show", date="2026-02-30"), BadInputError, "YYYY-MM-DD"),
        (NoShowEntry("C1", "no-show", time="25:00"), BadInputError, "HH:MM"),
        (NoShowEntry("C1", "no-show", reason="x" * 301), BadInputError, "at most 300"),
    ],
)
def test_noshow_typed_refuses_bad_input_and_saves_nothing(
    dictation: Dictation, entry: NoShowEntry, error: type[Exception], message: str
) -> None:
    with dictation.open_store() as store:
        store.add_client("C1", name="M.R.")
        with pytest.raises(error, match=message) as raised:
            typed_no_show(dictation, entry, store, now=STARTED)
        assert "\n" not in str(raised.value)
        assert store.list_drafts() == []
