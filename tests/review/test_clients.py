"""The review page's Clients page: list, add, edit, archive, over the real server; CSRF and Origin held."""

from __future__ import annotations

import html
from typing import Any

import pytest

from dictanote.review.server import start_in_thread
from dictanote.store import Store
from tests.review.client import login
from tests.store.drafts import sample_draft
from tests.util import schema_before_clients


def test_clients_page_adds_edits_and_archives(review_server: Any) -> None:
    store = review_server.store
    client = login(review_server)
    assert 'href="/clients"' in client.request("/").text  # linked from the header
    empty = client.request("/clients")
    assert empty.status == 200 and "No clients yet" in empty.text
    for cid in ("mr-1", "mr-2"):
        done = client.post("/clients", {"id": cid, "name": "M.R.", "dob": "", "pronouns": ""})
        assert done.status == 303 and done.headers["Location"] == "/clients"
    page = html.unescape(client.request("/clients").text)
    assert "mr-1" in page and "mr-2" in page and 'action="/clients/mr-2/edit"' in page
    edited = client.post("/clients/mr-2/edit", {"name": "M.R.", "dob": "1985-12-31", "pronouns": "he/him"})
    assert edited.status == 303
    assert (store.get_client("mr-2").dob, store.get_client("mr-2").pronouns) == ("1985-12-31", "he/him")
    assert client.post("/clients/mr-1/archive", {}).status == 303
    assert [c.id for c in store.list_clients()] == ["mr-2"]
    page = client.request("/clients").text
    assert "archived" in page and 'name="undo"' in page
    assert client.post("/clients/mr-1/archive", {"undo": "1"}).status == 303
    assert [c.id for c in store.list_clients()] == ["mr-1", "mr-2"]


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("/clients", {"id": "mr-1", "name": "Other"}, 400, "already taken"),
        ("/clients", {"id": "a b", "name": "X"}, 400, "no spaces"),
        ("/clients", {"id": "new", "name": "X", "dob": "31/12/1985"}, 400, "YYYY-MM-DD"),
        ("/clients", {"id": "new"}, 400, "needs a name"),
        ("/clients/nobody/edit", {"name": "X"}, 404, "no client"),
        ("/clients/nobody/archive", {}, 404, "no client"),
    ],
)
def test_clients_page_refuses_bad_input(
    review_server: Any, path: str, body: dict[str, str], status: int, message: str
) -> None:
    review_server.store.add_client("mr-1", name="M.R.")
    client = login(review_server)
    answer = client.post(path, body)
    assert answer.status == status and message in html.unescape(answer.text)
    assert [c.id for c in review_server.store.list_clients(archived=True)] == ["mr-1"]


@pytest.mark.parametrize(
    "headers",
    [{"X-CSRF-Token": ""}, {"X-CSRF-Token": "wrong"}, {"Origin": "http://evil.example"}],
)
def test_clients_page_changes_need_csrf_and_origin(review_server: Any, headers: dict[str, str]) -> None:
    client = login(review_server)
    answer = client.post("/clients", {"id": "mr-1", "name": "M.R."}, **headers)
    assert answer.status == 403
    assert review_server.store.list_clients(archived=True) == []


def test_clients_page_confirms_a_client_made_from_initials(config: Any) -> None:
    data = config.paths.data_dir
    with Store.open(data) as store:
        store.save_draft(sample_draft(client="M.R."))
    schema_before_clients(data / "clinical.db")  # the store as the schema before clients left it
    running = start_in_thread(config)
    try:
        client = login(running)
        page = client.request("/clients").text
        assert "unconfirmed" in page and "Confirm and save" in page
        assert client.post("/clients/MR/edit", {"name": "M.R.", "dob": "", "pronouns": ""}).status == 303
        assert running.store.get_client("MR").confirmed is True
        assert "unconfirmed</strong>" not in client.request("/clients").text
    finally:
        running.stop()
