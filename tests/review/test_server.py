"""The review server over HTTP: the secret, Host, Origin and CSRF checks, headers, bodies and logs;
what a hostile or careless client sends (broken requests, short bodies, dropped connections; idle and slow
ones are in test_connections.py).

The real server runs in a thread (the ``review_server`` fixture) over a real
SQLite store in tmp_path, or as a ``dictanote review`` child process; urllib plays
the browser, a raw socket everything else.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dictanote.core.types import StoredDraft
from dictanote.review import server as server_module
from dictanote.review.connections import ServerLimits
from dictanote.review.security import CONTENT_SECURITY_POLICY
from tests.review.client import (
    Client,
    assert_refused_properly,
    drop,
    exchange,
    fields_of,
    login,
    login_at,
    raw_request,
    review_process,
    tls_client_hello,
    wait_for,
)
from tests.util import REPO


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


# --- what no browser sends ------------------------------------------------------------------------

SAVE = "/api/clinical/drafts/1/save"
RawCase = Callable[[Client], bytes]


def _bare(line: str, *headers: str) -> RawCase:
    return lambda c: "\r\n".join((line, f"Host: {c.base[7:]}", *headers, "", "")).encode("latin-1")


def _post(body: bytes, **headers: str | None) -> RawCase:
    named = {k.replace("_", "-"): v for k, v in headers.items()}
    return lambda c: raw_request(c, "POST", SAVE, body, named)


# (case, request, status): each answered with a page carrying our headers, and the connection closed.
MALFORMED: list[tuple[str, RawCase, int]] = [
    ("nested-json", _post(b"[" * 100_000), 400),
    ("nested-object", _post(b'{"a":' * 50 + b"1" + b"}" * 50), 400),
    ("4301-digit-integer", _post(b'{"version": ' + b"9" * 4301 + b"}"), 400),
    ("nan", _post(b'{"version": NaN}'), 400),
    ("negative-length", _post(b"", Content_Length="-1"), 400),
    ("two-lengths", _post(b"{}", Content_Length="2\r\nContent-Length: 5"), 400),
    ("chunked", _post(b"2\r\n{}\r\n0\r\n\r\n", Transfer_Encoding="chunked", Content_Length=None), 501),
    ("garbage-line", lambda c: b"GARBAGE\r\n\r\n", 400),
    ("bad-version", _bare("GET / HTTP/1.x"), 400),
    ("http-0.9", lambda c: b"GET /\r\n\r\n", 400),
    ("http-2", _bare("GET / HTTP/2.0"), 505),
    ("bad-ipv6-url", _bare("GET http://[/ HTTP/1.1"), 400),
    ("unknown-method", _bare("BREW / HTTP/1.1"), 501),
    ("70kb-uri", _bare("GET /" + "a" * 70_000 + " HTTP/1.1"), 414),
    ("70kb-header", _bare("GET / HTTP/1.1", "X-Long: " + "a" * 70_000), 431),
    ("101-headers", _bare("GET / HTTP/1.1", *(f"X-{i}: {i}" for i in range(101))), 431),
    ("tls-client-hello", lambda c: tls_client_hello(), 400),
]


@pytest.mark.parametrize(("request_for", "status"), [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_server_malformed_request_gets_an_error_page_with_our_headers(
    review_server: Any, capfd: pytest.CaptureFixture[str], request_for: RawCase, status: int
) -> None:
    client = login(review_server)
    assert_refused_properly(exchange(review_server.server.port, request_for(client)), status)
    assert client.request("/").status == 200, "the server still serves"
    assert "Traceback" not in capfd.readouterr().err


def test_server_body_shorter_than_its_content_length_is_refused(
    review_server: Any, saved_draft: StoredDraft
) -> None:
    client = login(review_server)
    edited = {"version": saved_draft.version, "fields": fields_of(saved_draft), "session": {"client": "Z.Z."}}
    body = json.dumps(edited).encode()
    path = f"/api/clinical/drafts/{saved_draft.id}/save"
    short = raw_request(client, "POST", path, body, {"Content-Length": str(len(body) + 10)})
    assert_refused_properly(exchange(review_server.server.port, short, half_close=True), 400)
    assert review_server.store.get_draft(saved_draft.id).version == saved_draft.version


def test_server_dropped_connections_are_quiet(review_server: Any, capfd: pytest.CaptureFixture[str]) -> None:
    client = login(review_server)
    for _ in range(5):
        drop(review_server.server.port, raw_request(client, "GET", "/"))
    wait_for(lambda: review_server.server.busy == 0)
    assert client.request("/").status == 200
    assert "Traceback" not in capfd.readouterr().err


def test_server_process_answers_every_malformed_request_without_a_traceback(tmp_path: Path) -> None:
    with review_process(tmp_path / "store") as (url, proc):
        client = login_at(url)
        port = int(client.base.rsplit(":", 1)[1])
        statuses = {name: exchange(port, make(client), timeout=5).status for name, make, _ in MALFORMED}
        for _ in range(5):
            drop(port, raw_request(client, "GET", "/"))
        assert client.request("/").status == 200
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert statuses == {name: status for name, _, status in MALFORMED}
    assert "Traceback" not in err and "Exception" not in err


def test_server_limits_the_readme_and_the_docstring_state_are_the_real_ones() -> None:
    limits = ServerLimits()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    paragraph = " ".join(readme[readme.index("The page's server holds up") :].split("\n\n")[0].split())
    for phrase in (
        f"closed after {limits.socket_timeout:g} s",
        f"at most {limits.socket_timeout:g} s and a whole request {limits.request_deadline:g} s",
        f"{limits.max_handlers} requests are served at once",
        f"over {limits.max_request_line // 1024} KiB",
        f"over {limits.max_body // 2**20} MiB",
        f"deeper than {limits.max_json_depth}",
        f"over {limits.max_int_digits} digits",
    ):
        assert phrase in paragraph, phrase
    docstring = " ".join((server_module.__doc__ or "").split())
    for value in (
        f"``socket_timeout`` ({limits.socket_timeout:g} s)",
        f"``request_deadline`` ({limits.request_deadline:g} s)",
        f"``max_handlers`` ({limits.max_handlers})",
        f"over {limits.max_request_line // 1024} KiB",
        f"over {limits.max_body // 2**20} MiB",
        f"deeper than {limits.max_json_depth}",
        f"over {limits.max_int_digits} digits",
    ):
        assert value in docstring, value
