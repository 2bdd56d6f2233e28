"""The daily finalize block over HTTP (the real server over a real store): today, sign and next, the
summary, and the draft page's session panel (client picker, date and time of service, attendance)."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest

from dictanote.app import Dictation, DraftResult
from dictanote.core.policy import format_utc
from dictanote.core.types import SessionInfo, StoredDraft
from tests.review.client import Client, login
from tests.util import make_draft

YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()
CANARY = "countertransference"


def _draft(
    dictation: Dictation,
    first: str,
    session: SessionInfo,
    hours: float = 0,
    private: dict[str, list[str]] | None = None,
) -> StoredDraft:
    """A SOAP draft saved in the inbox (its session as given), made ``hours`` old."""
    draft = make_draft("soap", {"subjective": [first]}, session=session, private=private)
    stored = dictation.save(DraftResult(draft, dictation.format("soap"), ()), source="test")
    when = format_utc(dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=hours))
    with dictation.open_store() as store:
        with store.database("clinical").write() as conn:
            conn.execute("UPDATE drafts SET created_at = ? WHERE id = ?", (when, stored.id))
        return store.get_draft(stored.id)


def _clients(running: Any) -> None:
    for cid, name in (("mr-1", "M.R."), ("AB", "A.B."), ("mr-2", "Maria Rossi")):
        running.store.add_client(cid, name=name)


def _rows(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr class="age-\w+" data-draft="(\d+)" data-record="\w+">(.*?)</tr>', page, re.S)


def _sign(client: Client, stored: StoredDraft, record: str = "clinical") -> Any:
    return client.post(
        f"/api/{record}/drafts/{stored.id}/finalize", {"version": stored.version, "signed_by": "A. Lee"}
    )


def test_today_lists_due_drafts_oldest_first_with_client_time_words_warnings(
    review_server: Any, dictation: Dictation
) -> None:
    _clients(review_server)
    chosen = SessionInfo("M.R.", YESTERDAY, client_id="mr-2", time="14:30")
    late = _draft(dictation, "Client reports better sleep this week.", chosen, 80, {"reflections": [CANARY]})
    due = _draft(dictation, "Reviewed the coping plan.", SessionInfo("M.R."), 50)
    fresh = _draft(
        dictation, "Tearful when discussing work.", SessionInfo(None, YESTERDAY, client_id="AB"), 1
    )
    page = login(review_server).request("/").text
    assert CANARY not in page
    assert "4 drafts to sign: 1 late, 1 due soon" in page  # the private companion is the 4th
    clinical, private = page.split('id="private-heading"')
    rows = _rows(clinical)
    assert [int(i) for i, _ in rows] == [late.id, due.id, fresh.id]  # oldest first
    first, second, third = (html.unescape(r) for _, r in rows)
    assert "mr-2</a> · Maria Rossi" in first and "14:30" in first and YESTERDAY in first
    assert "Client reports better sleep this week." in first and "late" in first
    assert "choose client" in second and "(said “M.R.”)" in second and "due soon" in second
    assert "AB</a> · A.B." in third
    for (_, row), stored in zip(rows, (late, due, fresh), strict=True):
        opened = sum(1 for f in dictation.findings(stored, store=review_server.store) if f.severity != "info")
        assert f"{opened} warning" in row
    private_rows = _rows(private)
    assert len(private_rows) == 1 and "mr-2" in private_rows[0][1]  # by id only
    assert "Maria Rossi" not in private and "M.R." not in private and "kept private" in private


def test_today_sign_and_next_goes_on_to_the_next_then_the_summary(
    review_server: Any, dictation: Dictation
) -> None:
    _clients(review_server)
    session = SessionInfo("M.R.", YESTERDAY, client_id="mr-1")
    drafts = [
        _draft(dictation, "First.", session, 30, {"reflections": [CANARY]}),
        _draft(dictation, "Second.", session, 20),
        _draft(dictation, "Third.", session, 10),
    ]
    private = review_server.store.companion_of(drafts[0].id)
    client = login(review_server)
    assert client.request(f"/today/next/clinical/{drafts[0].id}").headers["Location"] == (
        f"/clinical/drafts/{drafts[1].id}"  # skipping one: on to the next, nothing signed
    )
    for stored, then in zip(drafts, [*drafts[1:], private], strict=True):
        assert _sign(client, stored).json()["ok"]
        answer = client.request(f"/today/next/clinical/{stored.id}")
        assert answer.status == 303
        assert answer.headers["Location"] == f"/{then.record}/drafts/{then.id}"  # private ones come last
    assert _sign(client, private, "private").json()["ok"]
    last = client.request(f"/today/next/private/{private.id}")
    assert last.headers["Location"] == "/today/done"
    done = html.unescape(client.request("/today/done").text)
    assert re.search(r"Signed today: <span[^>]*>3</span>", done)
    assert "Private notes signed today: 1" in done
    assert re.search(r"Still in the inbox: <span[^>]*>0</span>", done)
    assert "Nothing to sign." in client.request("/").text


def test_today_summary_names_what_is_still_due_soon_or_late(review_server: Any, dictation: Dictation) -> None:
    _clients(review_server)
    late = _draft(dictation, "Late one.", SessionInfo("M.R."), 80)
    _draft(dictation, "Fresh one.", SessionInfo("M.R."), 1)
    done = html.unescape(login(review_server).request("/today/done").text)
    assert re.search(r"Signed today: <span[^>]*>0</span>", done)
    assert re.search(r"Still in the inbox: <span[^>]*>2</span>", done)
    assert re.search(r"Late: <span[^>]*>1</span>", done)
    assert re.search(r"Due soon: <span[^>]*>0</span>", done)
    assert f'href="/clinical/drafts/{late.id}"' in done


def test_today_picker_lists_the_matching_clients_first_and_preselects_none(
    review_server: Any, dictation: Dictation
) -> None:
    _clients(review_server)
    stored = _draft(dictation, "Reviewed the coping plan.", SessionInfo("M.R."))
    client = login(review_server)
    page = html.unescape(client.request(f"/clinical/drafts/{stored.id}").text)
    picker = page[page.index('id="client-pick"') : page.index("</select>", page.index('id="client-pick"'))]
    options = re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', picker)
    assert [v for v, _, _ in options] == ["", "mr-1", "mr-2", "AB"]  # the two "M.R." first
    assert [a for _, a, _ in options] == [" selected", ' class="match"', ' class="match"', ""]
    assert options[1][2] == "mr-1 · M.R. (matches the spoken initials)"
    assert options[2][2] == "mr-2 · Maria Rossi (matches the spoken initials)"
    assert 'id="chosen-client"' not in page
    saved = client.post(
        f"/api/clinical/drafts/{stored.id}/session", {"version": stored.version, "client_id": "MR-2"}
    )
    assert saved.status == 200 and saved.json()["session"]["client_id"] == "mr-2"  # as the list spells it
    page = html.unescape(client.request(f"/clinical/drafts/{stored.id}").text)
    assert 'data-client="mr-2">mr-2 · Maria Rossi</strong>' in page and 'id="change-client"' in page


def test_today_session_saves_client_date_time_and_attendance(
    review_server: Any, dictation: Dictation
) -> None:
    _clients(review_server)
    stored = _draft(dictation, "Client did not come.", SessionInfo("M.R."))
    client = login(review_server)
    body = {
        "version": stored.version,
        "client_id": "mr-1",
        "date": YESTERDAY,
        "time": "09:05",
        "attendance": "no-show",
        "attendance_reason": "no call;  left a voicemail",
    }
    answer = client.post(f"/api/clinical/drafts/{stored.id}/session", body)
    assert answer.status == 200, answer.text
    saved = review_server.store.get_draft(stored.id)
    session = saved.draft.session
    assert (session.client_id, session.date, session.time) == ("mr-1", YESTERDAY, "09:05")
    assert (session.attendance, session.attendance_reason) == ("no-show", "no call; left a voicemail")
    assert session.client == "M.R." and saved.version == answer.json()["version"] > stored.version
    page = client.request(f"/clinical/drafts/{stored.id}").text
    assert 'value="no-show" selected' in page and 'value="09:05"' in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"client_id": "nobody"}, "no client 'nobody'"),
        ({"date": "2026-13-01"}, "YYYY-MM-DD"),
        ({"date": "30/11/2026"}, "YYYY-MM-DD"),
        ({"time": "25:00"}, "HH:MM"),
        ({"time": "2pm"}, "HH:MM"),
        ({"attendance": "maybe"}, "not one of: attended, no-show, late-cancel, cancelled"),
        ({"client_id": "mr-1", "attendance": "maybe"}, "not one of"),  # nothing saved, the client neither
        ({"duration_minutes": 50}, "'duration_minutes' cannot be set here"),
        ({"date": 20261120}, "must be text"),
    ],
)
def test_today_session_refuses_bad_values_in_one_line(
    review_server: Any, dictation: Dictation, change: dict[str, Any], message: str
) -> None:
    _clients(review_server)
    stored = _draft(dictation, "Reviewed the coping plan.", SessionInfo("M.R."))
    answer = login(review_server).post(
        f"/api/clinical/drafts/{stored.id}/session", {"version": stored.version, **change}
    )
    assert answer.status == 400, answer.text
    error = answer.json()["error"]
    assert message in error and "\n" not in error
    assert review_server.store.get_draft(stored.id).version == stored.version  # nothing saved


@pytest.mark.parametrize(
    ("session", "message"),
    [
        (SessionInfo("M.R."), "names no client: choose one"),
        (SessionInfo("M.R.", client_id="mr-1"), "has no date of service"),
    ],
)
def test_today_signing_without_client_or_date_is_refused_in_one_line(
    review_server: Any, dictation: Dictation, session: SessionInfo, message: str
) -> None:
    _clients(review_server)
    stored = _draft(dictation, "Reviewed the coping plan.", session)
    answer = _sign(login(review_server), stored)
    assert answer.status == 400
    error = answer.json()["error"]
    assert message in error and "\n" not in error
    assert [d.id for d in review_server.store.list_drafts()] == [stored.id]  # still in the inbox


@pytest.mark.parametrize(
    ("method", "path", "name"),
    [
        ("GET", "/", "today"),
        ("GET", "/today/next/clinical/7", "today_next"),
        ("GET", "/today/done", "today_done"),
        ("POST", "/api/private/drafts/4/session", "api_session"),
    ],
)
def test_today_routes_are_named_without_ids_for_the_logs(
    review_server: Any, method: str, path: str, name: str
) -> None:
    assert review_server.server.app.route_name(method, path) == name
