"""Every session of the caseload (``app/sessions_list.py``): drafts and signed notes, oldest first."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dictanote.app import Dictation
from dictanote.app.sessions_list import session_rows
from dictanote.core.errors import RecordNotFoundError
from dictanote.core.types import SessionInfo
from tests.util import make_draft


def _session(client_id: str, date: str, time: str | None, attendance: str | None = None) -> SessionInfo:
    return SessionInfo(client_id=client_id, date=date, time=time, attendance=attendance)


def test_sessions_list_rows_oldest_first_with_attendance_and_status(dictation: Dictation) -> None:
    with dictation.open_store() as store:
        store.add_client("C1", name="M.R.")
        store.add_client("C2", name="M.R.")
        late = make_draft("noshow", {"plan": ["Rescheduled."]}, session=_session("C1", "2026-11-21", "09:00"))
        late = replace(late, session=replace(late.session, attendance="late-cancel", attendance_reason="flu"))
        first = store.save_draft(
            make_draft("soap", {"plan": ["Weekly."]}, session=_session("C1", "2026-11-20", "15:00"))
        )
        store.save_draft(late)
        store.save_draft(
            make_draft("soap", {"plan": ["Weekly."]}, session=_session("C2", "2026-11-20", "10:00"))
        )
        store.save_draft(
            make_draft(
                "psychotherapy", {"reflections": ["Tired."]}, session=_session("C1", "2026-11-19", "08:00")
            )
        )
        note = store.finalize_draft(first.id, expected_version=None, signed_by="Dr A")
        rows = session_rows(store)
        only_c1 = session_rows(store, "c1")
        with pytest.raises(RecordNotFoundError, match="no client 'nobody'"):
            session_rows(store, "nobody")
    assert [(r.date, r.time, r.client_id, r.format, r.attendance, r.kind, r.status) for r in rows] == [
        ("2026-11-20", "10:00", "C2", "soap", "attended", "draft", "in inbox"),
        ("2026-11-20", "15:00", "C1", "soap", "attended", "note", "signed"),
        ("2026-11-21", "09:00", "C1", "noshow", "late-cancel", "draft", "in inbox"),
    ]  # the private (psychotherapy) draft is not listed: it stays apart from the record
    assert rows[1].id == note.id and rows[2].reason == "flu"
    assert [r.client_id for r in only_c1] == ["C1", "C1"]
    assert rows[2].to_dict()["attendance_reason"] == "flu"
