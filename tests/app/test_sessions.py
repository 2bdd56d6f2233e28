"""A draft's session set afterwards (``app/sessions.py``): checked input, a new revision, the companion too."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dictanote.app import Dictation, set_session
from dictanote.app.sessions import check_service_date, check_service_time
from dictanote.core.errors import BadInputError, EditConflictError, RecordNotFoundError
from tests.util import make_draft


@pytest.mark.parametrize(
    ("given", "expected"),
    [("2026-03-02", "2026-03-02"), (" 2026-11-20 ", "2026-11-20"), ("2026-11-30", "2026-11-30")],
)
def test_sessions_service_date_is_a_real_day_not_after_today(given: str, expected: str) -> None:
    assert check_service_date(given, today=dt.date(2026, 11, 30)) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("2026-02-30", "YYYY-MM-DD"),
        ("20.11.2026", "YYYY-MM-DD"),
        ("", "YYYY-MM-DD"),
        ("2026-12-01", "in the future"),
    ],
)
def test_sessions_service_date_refused_in_one_line(given: str, message: str) -> None:
    with pytest.raises(BadInputError, match=re.escape(message)) as raised:
        check_service_date(given, today=dt.date(2026, 11, 30))
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(("given", "expected"), [("14:30", "14:30"), ("9:05", "09:05"), ("00:00", "00:00")])
def test_sessions_service_time_is_hh_mm(given: str, expected: str) -> None:
    assert check_service_time(given) == expected


@pytest.mark.parametrize("given", ["24:00", "14:60", "2pm", "14.30", "", "143"])
def test_sessions_service_time_refused_in_one_line(given: str) -> None:
    with pytest.raises(BadInputError, match=re.escape("HH:MM on the 24-hour clock")):
        check_service_time(given)


def test_sessions_set_session_saves_a_revision_and_gives_the_companion_the_same(dictation: Dictation) -> None:
    draft = make_draft("soap", {"subjective": ["Slept better."]}, private={"reflections": ["I felt moved."]})
    with dictation.open_store() as store:
        store.add_client("mr-2", name="M.R.")
        stored = store.save_draft(draft)
        saved = set_session(store, stored.id, client_id="MR-2", date="2026-11-20", time="9:30")
        assert (saved.version, saved.draft.session.client_id) == (2, "mr-2")  # spelled as the list does
        assert (saved.draft.session.date, saved.draft.session.time) == ("2026-11-20", "09:30")
        companion = store.companion_of(stored.id)
        assert companion is not None
        session = companion.draft.session
        assert (session.client_id, session.date, session.time) == ("mr-2", "2026-11-20", "09:30")
        # Nothing changed: nothing saved.
        assert set_session(store, stored.id, client_id="mr-2").version == 2
        # Only the time: the rest stays.
        later = set_session(store, stored.id, time="10:00").draft.session
        assert (later.client_id, later.date, later.time) == ("mr-2", "2026-11-20", "10:00")


def test_sessions_set_session_refuses_unknown_client_and_old_version(dictation: Dictation) -> None:
    with dictation.open_store() as store:
        store.add_client("C1", name="A.B.")
        stored = store.save_draft(make_draft("soap", {"plan": ["Meet next week."]}))
        with pytest.raises(RecordNotFoundError, match="no client 'nobody'; `dictanote clients list"):
            set_session(store, stored.id, client_id="nobody", date="2026-11-20")
        with pytest.raises(BadInputError, match="YYYY-MM-DD"):
            set_session(store, stored.id, client_id="C1", date="yesterday")
        assert store.get_draft(stored.id).version == 1  # nothing of a refused change was saved
        set_session(store, stored.id, client_id="C1")
        with pytest.raises(EditConflictError):
            set_session(store, stored.id, date="2026-11-20", expected_version=1)
