"""The client page (by client id), the plan page and goal links on a draft, over the real server and
a real store (plain HTTP, as ``tests/review/client.py`` sends it)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from dictanote.core.types import StoredDraft
from dictanote.store import Store
from tests.review.caseload import PLAN, give_plan, session_draft, sign
from tests.review.client import Client, fields_of, login


@pytest.fixture
def two_mr(review_server: Any) -> Store:
    """Two clients called "M.R.", told apart by id, each with a signed note and a draft."""
    store: Store = review_server.store
    store.add_client("mr-1", name="M.R.", pronouns="she/her", dob="1980-02-03")
    store.add_client("mr-2", name="M.R.")
    sign(store, session_draft("mr-1", "2026-10-01", "Low mood all week.", 17))
    sign(store, session_draft("mr-1", "2026-11-01", "Mood a little better.", 12))
    sign(store, session_draft("mr-2", "2026-11-02", "Worried about exams.", 4))
    store.save_draft(session_draft("mr-2", "2026-11-20", "Exams went fine."))
    return store


def _note_ids(page: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/clinical/notes/(\d+)"', page)}


def test_caseload_client_page_is_by_id_and_shows_only_that_clients_notes(
    review_server: Any, two_mr: Store
) -> None:
    client = login(review_server)
    first, second = client.request("/clients/mr-1"), client.request("/clients/MR-2")
    assert first.status == second.status == 200
    assert _note_ids(first.text) == {1, 2} and _note_ids(second.text) == {3}
    assert "she/her" in first.text and "1980-02-03" in first.text
    assert "/clinical/drafts/" not in first.text and 'href="/clinical/drafts/4"' in second.text
    assert "PHQ-9: 2 scores, from 17 (2026-10-01) to 12 (2026-11-01)" in first.text
    assert "PHQ-9: 1 scores" in second.text
    assert client.request("/clients/nobody").status == 404
    links = (
        client.request("/clients").text + client.request("/").text + client.request("/clinical/notes").text
    )
    assert 'href="/clients/mr-1"' in links and 'href="/clients/mr-2"' in links
    assert (
        'href="/clients/M.R."' not in links
        and "/clients/M.R." not in client.request("/clinical/notes/3").text
    )


def test_caseload_plan_page_saves_versions_with_their_reasons(review_server: Any, two_mr: Store) -> None:
    client = login(review_server)
    empty = client.request("/clients/mr-1/plan")
    assert empty.status == 200 and "No treatment plan yet" in empty.text
    assert 'reason = ""' in html.unescape(empty.text)
    done = client.post("/clients/mr-1/plan", {"text": PLAN, "reason": "", "signed_by": "Dr A"})
    assert done.status == 303 and done.headers["Location"] == "/clients/mr-1/plan"
    changed = PLAN.replace("below 10", "below 8")
    refused = client.post("/clients/mr-1/plan", {"text": changed, "signed_by": "Dr A"})
    assert refused.status == 400 and "say why the plan changes" in html.unescape(refused.text)
    assert "below 8" in refused.text  # the clinician's text is kept
    again = client.post(
        "/clients/mr-1/plan", {"text": changed, "reason": "Faster progress", "signed_by": "B"}
    )
    assert again.status == 303
    page = html.unescape(client.request("/clients/mr-1/plan").text)
    assert "Version 2" in page and "Faster progress" in page and "initial plan" in page
    assert "<td>PHQ-9</td><td>below 8</td><td>2027-03-31</td>" in page and "2027-06-30" in page
    assert [p.version for p in two_mr.plan_history("mr-1")] == [1, 2]
    chart = client.request("/clients/mr-1").text
    assert "target below 8 by 2027-03-31" in chart and "severity bands" in chart
    assert 'href="/clients/mr-1/plan"' in chart and "Reduce depressive symptoms" in chart


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("goals = 3", "goals"),
        ("[[goals]]\nid = 'G1'\n", "text"),
        ("[[goals]]\nid = 'G1'\ntext = 'x'\ncolour = 'red'\n", "colour"),
        ("[[goals]]\nid = 'G1'\ntext = 'x'\n[[objectives]]\ngoal = 'G9'\ntext = 'y'\n", "G9"),
    ],
)
def test_caseload_plan_page_refuses_a_bad_plan_in_one_line(
    review_server: Any, two_mr: Store, text: str, message: str
) -> None:
    answer = login(review_server).post("/clients/mr-1/plan", {"text": text, "signed_by": "Dr A"})
    shown = re.search(r'<div id="banner" class="banner" role="alert"><p>(.*?)</p>', answer.text)
    assert answer.status == 400 and shown is not None and message in html.unescape(shown.group(1))
    assert "\n" not in shown.group(1) and "Traceback" not in answer.text
    assert text in html.unescape(answer.text)  # the text is kept in the form
    assert two_mr.plan("mr-1") is None


def _save(client: Client, stored: StoredDraft, fields: list[dict[str, Any]]) -> Any:
    return client.post(
        f"/api/clinical/drafts/{stored.id}/save", {"version": stored.version, "fields": fields}
    )


def test_caseload_goal_link_is_saved_through_the_api_and_shown(review_server: Any, two_mr: Store) -> None:
    give_plan(two_mr)
    stored = two_mr.save_draft(session_draft("mr-1", "2026-11-25", "PHQ-9 down to 9, less depressed."))
    client = login(review_server)
    page = html.unescape(client.request(f"/clinical/drafts/{stored.id}").text)
    assert "Suggest: G1 Reduce depressive symptoms" in page and 'class="goal-select"' in page
    fields = fields_of(stored)
    fields[0]["sentences"][0]["goals"] = ["g1"]  # ids compare without case, stored as the plan spells them
    answer = _save(client, stored, fields)
    assert answer.status == 200, answer.text
    saved = two_mr.get_draft(stored.id)
    assert saved.draft.field("subjective").sentences[0].goals == ("G1",)
    page = html.unescape(client.request(f"/clinical/drafts/{stored.id}").text)
    assert 'data-goal="G1">G1 Reduce depressive symptoms' in page and "Suggest: G1" not in page
    client_page = client.request("/clients/mr-1").text
    assert f'href="/clinical/drafts/{stored.id}"' in client_page.split('data-goal="G2"')[0]
    note = two_mr.finalize_draft(stored.id, expected_version=saved.version, signed_by="Dr A")
    linked = client.request("/clients/mr-1").text.split('data-goal="G1"')[1].split('data-goal="G2"')[0]
    assert f'href="/clinical/notes/{note.id}"' in linked


@pytest.mark.parametrize(("client_id", "goal"), [("mr-1", "G7"), ("mr-2", "G1")])
def test_caseload_goal_not_in_the_clients_plan_is_refused(
    review_server: Any, two_mr: Store, client_id: str, goal: str
) -> None:
    give_plan(two_mr)  # mr-1 has G1 and G2; mr-2 has no plan
    stored = two_mr.save_draft(session_draft(client_id, "2026-11-25", "Less depressed."))
    fields = fields_of(stored)
    fields[0]["sentences"][0]["goals"] = [goal]
    answer = _save(login(review_server), stored, fields)
    assert answer.status == 400 and "not in this client's plan" in answer.json()["error"]
    assert "\n" not in answer.json()["error"]
    assert two_mr.get_draft(stored.id).version == stored.version  # nothing saved
