"""The review server over HTTP: the secret, Host, Origin and CSRF checks, headers, bodies and logs.

The real server runs in a thread (the ``review_server`` fixture) over a real
SQLite store in tmp_path; urllib plays the browser.
"""

from __future__ import annotations

import logging
import re
import urllib.error
import urllib.request
from typing import Any

import pytest

from dictanote.core.types import StoredDraft
from dictanote.review.security import CONTENT_SECURITY_POLICY
from tests.review.client import Client, fields_of, login


def test_server_refuses_request_without_token(review_server: Any) -> None:
    client = Client(f"http://127.0.0.1:{review_server.server.port}")
    for path in ("/", "/static/review.js", "/clinical/notes", "/api/clinical/drafts/1"):
        assert client.request(path).status == 403, path


def test_server_refuses_wrong_token(review_server: Any) -> None:
    client = Client(f"http://127.0.0.1:{review_server.server.port}")
    answer = client.request("/?token=" + "x" * 43)
    assert answer.status == 403
    assert not list(client.jar)


def test_server_token_becomes_strict_httponly_cookie_and_leaves_the_url(review_server: Any) -> None:
    client = Client(f"http://127.0.0.1:{review_server.server.port}")
    answer = client.request(review_server.url.removeprefix(client.base))
    assert answer.status == 303
    assert answer.headers["Location"] == "/"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert review_server.server.guard.token not in cookie
    assert client.request("/").status == 200


@pytest.mark.parametrize(
    "host",
    ["evil.example:{port}", "127.0.0.1:1", "localhost", "127.0.0.1.nip.io:{port}", "[::1]:{port}"],
)
def test_server_refuses_foreign_host(review_server: Any, host: str) -> None:
    client = login(review_server)
    answer = client.request("/", headers={"Host": host.format(port=review_server.server.port)})
    assert answer.status == 403


def test_server_accepts_localhost_host(review_server: Any) -> None:
    client = login(review_server)
    answer = client.request("/", headers={"Host": f"localhost:{review_server.server.port}"})
    assert answer.status == 200


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:1", None])
def test_server_refuses_change_from_foreign_or_missing_origin(
    review_server: Any, saved_draft: StoredDraft, origin: str | None
) -> None:
    client = login(review_server)
    headers = {"X-CSRF-Token": client.csrf, **({"Origin": origin} if origin else {})}
    answer = client.request(
        f"/api/clinical/drafts/{saved_draft.id}/discard", "POST", {"version": saved_draft.version}, headers
    )
    assert answer.status == 403
    assert "discarded" not in [e.action for e in review_server.store.audit_entries()]


def test_server_refuses_read_from_foreign_origin(review_server: Any) -> None:
    client = login(review_server)
    assert client.request("/", headers={"Origin": "http://evil.example"}).status == 403


@pytest.mark.parametrize("csrf", [None, "wrong-token", "{session}", "{token}"])
def test_server_refuses_change_without_csrf_token(
    review_server: Any, saved_draft: StoredDraft, csrf: str | None
) -> None:
    client = login(review_server)
    guard = review_server.server.guard
    headers = {"Origin": client.base}
    if csrf is not None:
        headers["X-CSRF-Token"] = csrf.format(session=guard.session, token=guard.token)
    body = {"version": saved_draft.version, "fields": fields_of(saved_draft), "session": {"client": "Z.Z."}}
    answer = client.request(f"/api/clinical/drafts/{saved_draft.id}/save", "POST", body, headers)
    assert answer.status == 403
    assert review_server.store.get_draft(saved_draft.id).version == saved_draft.version


def test_server_accepts_csrf_token_as_form_field(review_server: Any, saved_draft: StoredDraft) -> None:
    client = login(review_server)
    form = f"csrf={client.csrf}&version={saved_draft.version}".encode()
    req_headers = {"Origin": client.base, "Content-Type": "application/x-www-form-urlencoded"}
    req = urllib.request.Request(
        f"{client.base}/api/clinical/drafts/{saved_draft.id}/discard",
        data=form,
        method="POST",
        headers=req_headers,
    )
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(client.jar))
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(req, timeout=20)  # past the CSRF check: the form's version is text, not a number
    refused.value.close()
    assert refused.value.code == 400


def test_server_pages_carry_a_strict_content_security_policy(
    review_server: Any, saved_draft: StoredDraft
) -> None:
    client = login(review_server)
    for path in ("/", f"/clinical/drafts/{saved_draft.id}", "/static/review.js", "/clinical/notes"):
        answer = client.request(path)
        assert answer.status == 200, path
        assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Cache-Control"] == "no-store"
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    page = client.request(f"/clinical/drafts/{saved_draft.id}").text
    assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", page)  # no inline script
    assert not re.search(r"""(src|href)=["']https?://""", page)  # nothing from elsewhere
    assert " style=" not in page


def test_server_binds_loopback_only(review_server: Any) -> None:
    assert review_server.server.server_address[0] == "127.0.0.1"


def test_server_not_json_body_is_refused(review_server: Any, saved_draft: StoredDraft) -> None:
    client = login(review_server)
    req = urllib.request.Request(
        f"{client.base}/api/clinical/drafts/{saved_draft.id}/save",
        data=b"{not json",
        method="POST",
        headers={"Origin": client.base, "X-CSRF-Token": client.csrf, "Content-Type": "application/json"},
    )
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(client.jar))
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(req, timeout=20)
    refused.value.close()
    assert refused.value.code == 400


def test_server_never_logs_note_text_or_secrets(
    review_server: Any, saved_draft: StoredDraft, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = login(review_server)
    fields = fields_of(saved_draft)
    fields[0]["sentences"][0]["text"] = "Canary marmalade zeppelin."
    client.post(
        f"/api/clinical/drafts/{saved_draft.id}/save",
        {"version": saved_draft.version, "fields": fields, "session": {"client": "Q.Z."}},
    )
    client.post(f"/api/clinical/drafts/{saved_draft.id}/save", {"version": 0, "fields": fields})  # conflict
    client.post(f"/api/clinical/drafts/{saved_draft.id}/save", {"version": 2, "fields": [{"id": "Canary"}]})
    client.request("/clients/Q.Z.")
    client.request(f"/clinical/drafts/{saved_draft.id}")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records, "the server logs its requests"
    guard = review_server.server.guard
    for secret in (
        "Canary",
        "marmalade",
        "Q.Z.",
        guard.token,
        guard.session,
        guard.csrf,
        saved_draft.draft.fields[1].sentences[0].text,
    ):
        assert secret not in logged


def test_server_make_server_serves_the_dictation_it_is_given(dictation: Any) -> None:
    from dictanote.review.server import make_server

    server, store = make_server(dictation)
    try:
        assert server.app.dictation is dictation and server.app.store is store
        assert server.url.startswith(f"http://127.0.0.1:{server.port}/?token=")
    finally:
        server.server_close()
        store.close()


def test_server_port_in_use_is_bad_input_naming_the_option(review_server: Any, dictation: Any) -> None:
    from dictanote.core.errors import BadInputError
    from dictanote.review.server import make_server

    with pytest.raises(BadInputError, match="--port"):
        make_server(dictation, review_server.server.port)
