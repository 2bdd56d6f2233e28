"""The review page: its security checks and routes over HTTP, and the clinician's flow in Chromium.

HTTP tests talk to the real server in a thread with urllib, over a real SQLite
store in tmp_path. Browser tests (``-m browser``) drive Debian's Chromium with
Playwright and check the store afterwards.
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import json
import logging
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

import pytest

from dictanote.app import Dictation
from dictanote.core.codec import draft_to_dict
from dictanote.core.config import Config
from dictanote.core.errors import DraftDataError
from dictanote.core.types import MeasureValue, StoredDraft
from dictanote.review.app import age
from dictanote.review.chart import Series, group_measures, line_chart
from dictanote.review.edits import apply_edit
from dictanote.review.security import CONTENT_SECURITY_POLICY, Guard
from tests.util import TEST_ARTIFACTS, load_samples


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Client:
    """A browser stand-in: a cookie jar, the page's CSRF token, no redirects followed."""

    base: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)
    csrf: str = ""

    def request(
        self, path: str, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None
    ) -> Answer:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        if data is not None and not req.has_header("Content-type"):
            req.add_header("Content-Type", "application/json")
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        try:
            with opener.open(req, timeout=20) as r:
                return Answer(r.status, dict(r.headers.items()), r.read())
        except urllib.error.HTTPError as exc:
            with exc:
                return Answer(exc.code, dict(exc.headers.items()), exc.read())

    def post(self, path: str, body: Any, **headers: str) -> Answer:
        sent = {"Origin": self.base, "X-CSRF-Token": self.csrf, **headers}
        return self.request(path, "POST", body, {k: v for k, v in sent.items() if v})


def _login(running: Any) -> Client:
    """Open the printed address (token -> cookie) and read the page's CSRF token."""
    client = Client(f"http://127.0.0.1:{running.server.port}")
    first = client.request(running.url.removeprefix(client.base))
    assert first.status == 303 and first.headers["Location"] == "/"
    inbox = client.request("/")
    assert inbox.status == 200
    client.csrf = re.search(r'name="dictanote-csrf" content="([^"]+)"', inbox.text).group(1)
    return client


def _fields(stored: StoredDraft) -> list[dict[str, Any]]:
    return draft_to_dict(stored.draft)["fields"]


# --- security: who may talk to the server ------------------------------------


def test_review_refuses_request_without_token(review_server: Any) -> None:
    client = Client(f"http://127.0.0.1:{review_server.server.port}")
    for path in ("/", "/static/review.js", "/clinical/notes", "/api/clinical/drafts/1"):
        assert client.request(path).status == 403, path


def test_review_refuses_wrong_token(review_server: Any) -> None:
    client = Client(f"http://127.0.0.1:{review_server.server.port}")
    answer = client.request("/?token=" + "x" * 43)
    assert answer.status == 403
    assert not list(client.jar)


def test_review_token_becomes_strict_httponly_cookie_and_leaves_the_url(review_server: Any) -> None:
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
def test_review_refuses_foreign_host(review_server: Any, host: str) -> None:
    client = _login(review_server)
    answer = client.request("/", headers={"Host": host.format(port=review_server.server.port)})
    assert answer.status == 403


def test_review_accepts_localhost_host(review_server: Any) -> None:
    client = _login(review_server)
    answer = client.request("/", headers={"Host": f"localhost:{review_server.server.port}"})
    assert answer.status == 200


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:1", None])
def test_review_refuses_change_from_foreign_or_missing_origin(
    review_server: Any, saved_draft: StoredDraft, origin: str | None
) -> None:
    client = _login(review_server)
    headers = {"X-CSRF-Token": client.csrf, **({"Origin": origin} if origin else {})}
    answer = client.request(
        f"/api/clinical/drafts/{saved_draft.id}/discard", "POST", {"version": saved_draft.version}, headers
    )
    assert answer.status == 403
    assert "discarded" not in [e.action for e in review_server.store.audit_entries()]


def test_review_refuses_read_from_foreign_origin(review_server: Any) -> None:
    client = _login(review_server)
    assert client.request("/", headers={"Origin": "http://evil.example"}).status == 403


@pytest.mark.parametrize("csrf", [None, "wrong-token", "{session}", "{token}"])
def test_review_refuses_change_without_csrf_token(
    review_server: Any, saved_draft: StoredDraft, csrf: str | None
) -> None:
    client = _login(review_server)
    guard = review_server.server.guard
    headers = {"Origin": client.base}
    if csrf is not None:
        headers["X-CSRF-Token"] = csrf.format(session=guard.session, token=guard.token)
    body = {"version": saved_draft.version, "fields": _fields(saved_draft), "session": {"client": "Z.Z."}}
    answer = client.request(f"/api/clinical/drafts/{saved_draft.id}/save", "POST", body, headers)
    assert answer.status == 403
    assert review_server.store.get_draft(saved_draft.id).version == saved_draft.version


def test_review_accepts_csrf_token_as_form_field(review_server: Any, saved_draft: StoredDraft) -> None:
    client = _login(review_server)
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


def test_review_pages_carry_a_strict_content_security_policy(
    review_server: Any, saved_draft: StoredDraft
) -> None:
    client = _login(review_server)
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


def test_review_server_binds_loopback_only(review_server: Any) -> None:
    assert review_server.server.server_address[0] == "127.0.0.1"


@pytest.mark.parametrize(
    ("method", "origin", "ok"),
    [
        ("GET", None, True),
        ("GET", "http://127.0.0.1:{port}", True),
        ("POST", None, False),
        ("POST", "http://localhost:{port}", True),
        ("DELETE", "http://evil.example", False),
    ],
)
def test_review_guard_origin_table(method: str, origin: str | None, ok: bool) -> None:
    guard = Guard(port=8123)
    assert guard.origin_ok(method, origin.format(port=8123) if origin else None) is ok


# --- the routes ----------------------------------------------------------------


def test_review_inbox_lists_drafts_with_age_and_private_area(
    review_server: Any, saved_draft: StoredDraft, config: Config
) -> None:
    sample = next(s for s in load_samples() if s.format == "psychotherapy")
    private = Dictation(config).save(Dictation(config).from_text(sample.text, "psychotherapy"), source="test")
    client = _login(review_server)
    page = client.request("/").text
    clinical_part, private_part = page.split('id="private-heading"')
    assert f'href="/clinical/drafts/{saved_draft.id}"' in clinical_part
    assert f'href="/private/drafts/{private.id}"' in private_part
    assert "0 h of 72" in clinical_part
    assert "Psychotherapy notes (private)" in page


@pytest.mark.parametrize(
    ("hours", "text", "state"),
    [
        (0, "0 h of 72", "ok"),
        (26, "26 h of 72", "ok"),
        (50, "50 h of 72", "near"),
        (80, "80 h of 72", "late"),
    ],
)
def test_review_age_against_the_72_hour_window(hours: int, text: str, state: str) -> None:
    now = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.timezone.utc)
    created = (now - dt.timedelta(hours=hours, minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert age(created, now) == {"hours": hours, "text": text, "state": state}


def test_review_draft_page_shows_sentences_findings_and_low_confidence(
    review_server: Any, saved_draft: StoredDraft, config: Config
) -> None:
    client = _login(review_server)
    page = client.request(f"/clinical/drafts/{saved_draft.id}").text
    for f in saved_draft.draft.fields:
        assert f'data-field="{f.id}"' in page
        for s in f.sentences:
            assert s.text.replace("'", "&#39;").replace('"', "&#34;") in page
    assert f'data-version="{saved_draft.version}"' in page
    for finding in Dictation(config).findings(saved_draft):
        assert f'data-code="{finding.code}"' in page
    assert "Alt</kbd>+<kbd>↑" in page  # the keys are documented on the page
    low = sum(1 for f in saved_draft.draft.fields for s in f.sentences if s.confidence < 0.6)
    assert page.count('class="sentence low"') == low


def test_review_save_moves_a_sentence_and_edits_words(review_server: Any, saved_draft: StoredDraft) -> None:
    client = _login(review_server)
    fields = _fields(saved_draft)
    moved = fields[0]["sentences"].pop(0)
    fields[-1]["sentences"].append(moved)
    fields[1]["sentences"][0]["text"] = fields[1]["sentences"][0]["text"].replace(".", ", briefly.", 1)
    answer = client.post(
        f"/api/clinical/drafts/{saved_draft.id}/save",
        {
            "version": saved_draft.version,
            "fields": fields,
            "session": {"client": "K.M.", "duration_minutes": "25"},
        },
    )
    assert answer.status == 200, answer.text
    assert answer.json()["version"] == saved_draft.version + 1
    stored = review_server.store.get_draft(saved_draft.id)
    assert stored.draft.fields[-1].sentences[-1].text == moved["text"]
    assert (
        stored.draft.fields[1].sentences[0].text.endswith(", briefly.")
        or ", briefly." in stored.draft.fields[1].sentences[0].text
    )
    assert stored.draft.session.client == "K.M." and stored.draft.session.duration_minutes == 25
    actions = [e.action for e in review_server.store.audit_entries()]
    assert {"created", "moved", "edited"} <= set(actions)


def test_review_stale_version_is_told_to_reload(review_server: Any, saved_draft: StoredDraft) -> None:
    client = _login(review_server)
    body = {"version": saved_draft.version, "fields": _fields(saved_draft), "session": {"client": "A.B."}}
    assert client.post(f"/api/clinical/drafts/{saved_draft.id}/save", body).status == 200
    stale = client.post(
        f"/api/clinical/drafts/{saved_draft.id}/save", {**body, "session": {"client": "C.D."}}
    )
    assert stale.status == 409
    assert "Reload" in stale.json()["error"]
    assert review_server.store.get_draft(saved_draft.id).draft.session.client == "A.B."
    finalize = client.post(
        f"/api/clinical/drafts/{saved_draft.id}/finalize",
        {"version": saved_draft.version, "signed_by": "dr x"},
    )
    assert finalize.status == 409


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "version"),
        ({"version": "1"}, "version"),
        ({"version": 1, "fields": "text"}, "list"),
        ({"version": 1, "fields": [{"id": "nowhere", "sentences": []}]}, "no field 'nowhere'"),
        ({"version": 1, "fields": [{"id": "plan", "sentences": [{"text": 3}]}]}, "'text' string"),
        ({"version": 1, "session": {"measures": []}}, "cannot be edited here"),
        ({"version": 1, "session": {"date": "next tuesday"}}, "YYYY-MM-DD"),
        ({"version": 1, "session": {"duration_minutes": "an hour"}}, "malformed"),
    ],
)
def test_review_bad_save_is_a_clear_json_message(
    review_server: Any, saved_draft: StoredDraft, body: dict[str, Any], message: str
) -> None:
    client = _login(review_server)
    answer = client.post(f"/api/clinical/drafts/{saved_draft.id}/save", body)
    assert answer.status == 400
    data = answer.json()
    assert data["ok"] is False and message in data["error"]
    assert "Traceback" not in answer.text


def test_review_not_json_body_is_refused(review_server: Any, saved_draft: StoredDraft) -> None:
    client = _login(review_server)
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


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/clinical/drafts/999", 404),
        ("/private/notes/5", 404),
        ("/nowhere", 404),
        ("/api/clinical/drafts/999", 404),
    ],
)
def test_review_missing_records_are_pages_not_tracebacks(review_server: Any, path: str, status: int) -> None:
    client = _login(review_server)
    answer = client.request(path)
    assert answer.status == status
    assert "Traceback" not in answer.text


def test_review_finalize_discard_and_note_pages(
    review_server: Any, saved_draft: StoredDraft, config: Config
) -> None:
    other = Dictation(config).save(
        Dictation(config).from_text("Plan. Follow up next week.", "soap"), source="t"
    )
    client = _login(review_server)
    done = client.post(
        f"/api/clinical/drafts/{saved_draft.id}/finalize",
        {"version": saved_draft.version, "signed_by": "Dr Rowe"},
    )
    assert done.status == 200, done.text
    note_url = done.json()["url"]
    note_page = client.request(note_url).text
    assert "Dr Rowe" in note_page and "read-only" in note_page
    assert note_url in client.request("/clinical/notes").text
    gone = client.post(f"/api/clinical/drafts/{other.id}/discard", {"version": other.version})
    assert gone.status == 200
    assert f"/clinical/drafts/{other.id}" not in client.request("/").text
    report = review_server.store.verify_audit()
    assert report.ok, report.problem


def test_review_switch_format_remaps_fields(review_server: Any, saved_draft: StoredDraft) -> None:
    client = _login(review_server)
    answer = client.post(
        f"/api/clinical/drafts/{saved_draft.id}/format", {"version": saved_draft.version, "format": "dap"}
    )
    assert answer.status == 200, answer.text
    stored = review_server.store.get_draft(saved_draft.id)
    assert stored.draft.format == "dap"
    assert [f.id for f in stored.draft.fields] == ["data", "assessment", "plan"]
    before = sorted(s.text for f in saved_draft.draft.fields for s in f.sentences)
    assert sorted(s.text for f in stored.draft.fields for s in f.sentences) == before
    refused = client.post(
        f"/api/clinical/drafts/{saved_draft.id}/format",
        {"version": stored.version, "format": "psychotherapy"},
    )
    assert refused.status == 400


PRIVATE_DICTATION = (
    "Subjective. Client reports a calmer week at work. Private note. I noticed my own impatience "
    "when she changed the topic again. End private note. Plan. Meet again next week."
)


def test_review_private_companion_has_its_own_page_never_the_clinical_one(
    review_server: Any, config: Config
) -> None:
    clinical = Dictation(config).save(Dictation(config).from_text(PRIVATE_DICTATION, "soap"), source="t")
    private = review_server.store.companion_of(clinical.id)
    assert private is not None
    client = _login(review_server)
    clinical_page = client.request(f"/clinical/drafts/{clinical.id}").text
    assert "impatience" not in clinical_page
    assert f'href="/private/drafts/{private.id}"' in clinical_page
    private_page = client.request(f"/private/drafts/{private.id}").text
    assert "impatience" in private_page and "never exported" in private_page
    assert f'href="/clinical/drafts/{clinical.id}"' in private_page
    assert 'id="switch-format"' not in private_page
    inbox = client.request("/").text
    assert inbox.index(f'href="/private/drafts/{private.id}"') > inbox.index('id="private-heading"')
    refused = client.post(
        f"/api/private/drafts/{private.id}/format", {"version": private.version, "format": "soap"}
    )
    assert refused.status == 400
    done = client.post(
        f"/api/private/drafts/{private.id}/finalize", {"version": private.version, "signed_by": "Dr Rowe"}
    )
    assert done.status == 200 and done.json()["url"].startswith("/private/notes/")
    assert "impatience" not in client.request("/clinical/notes").text
    assert done.json()["url"] in client.request("/private/notes").text


def test_review_note_page_shows_amendments_and_keeps_the_original(
    review_server: Any, saved_draft: StoredDraft
) -> None:
    store = review_server.store
    note = store.finalize_draft(saved_draft.id, expected_version=saved_draft.version, signed_by="Dr Rowe")
    plan = note.content.field("plan")
    amended_plan = replace(
        plan, sentences=(*plan.sentences, replace(plan.sentences[0], text="Call on Friday."))
    )
    fields = tuple(amended_plan if f.id == "plan" else f for f in note.content.fields)
    store.amend_note(
        note.id, replace(note.content, fields=fields), reason="added a call", signed_by="Dr Rowe"
    )
    page = _login(review_server).request(f"/clinical/notes/{note.id}").text
    assert "added a call" in page
    body, original = page.split('class="original"')
    assert "Call on Friday." in body.split('class="note-body"')[1]
    assert "Call on Friday." not in original.split("</details>")[0]
    assert "contenteditable" not in page


def test_review_client_page_charts_measures(review_server: Any, config: Config) -> None:
    client = _login(review_server)
    for date, score in (("2026-01-05", 17), ("2026-02-02", 12), ("2026-03-02", 9)):
        text = f"Objective. PHQ-9 score today is {score}. Plan. Continue weekly therapy."
        stored = Dictation(config).save(Dictation(config).from_text(text, "soap"), source="t")
        saved = client.post(
            f"/api/clinical/drafts/{stored.id}/save",
            {"version": stored.version, "session": {"client": "R.T.", "date": date}},
        )
        assert saved.status == 200, saved.text
        client.post(
            f"/api/clinical/drafts/{stored.id}/finalize",
            {"version": saved.json()["version"], "signed_by": "x"},
        )
    page = client.request("/clients/R.T.").text
    assert page.count("<svg") == 1 and 'data-measure="PHQ-9"' in page
    assert "<polyline" in page
    assert "2026-01-05 17, 2026-02-02 12, 2026-03-02 9" in page
    assert page.count('href="/clinical/notes/') == 3


def test_review_chart_escapes_and_scales() -> None:
    rows = [
        ("2026-01-01", MeasureValue("<b>X</b>", 4)),
        ("2026-01-08", MeasureValue("<b>X</b>", 6)),
        ("2026-01-01", MeasureValue("GAD-7", 12)),
    ]
    series = group_measures(rows)
    assert [s.name for s in series] == ["<b>X</b>", "GAD-7"]
    svg = line_chart(series[0])
    assert "<b>" not in svg and "&lt;b&gt;X&lt;/b&gt;" in svg
    assert ">21<" in line_chart(series[1])  # the top of the GAD-7 scale
    single = line_chart(Series("PHQ-9", (("someday", 3),)))
    assert "<polyline" not in single and "<circle" in single


def test_review_server_never_logs_note_text_or_secrets(
    review_server: Any, saved_draft: StoredDraft, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = _login(review_server)
    fields = _fields(saved_draft)
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


def test_review_command_prints_the_address_without_a_browser(tmp_path: Any) -> None:
    exe = [sys.executable, "-m", "dictanote", "--data-dir", str(tmp_path / "store"), "review", "--no-browser"]
    proc = subprocess.Popen(exe, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]{40,}", line), line
        url = urlsplit(line)
        answer = Client(f"http://{url.netloc}").request(f"/?{url.query}")
        assert answer.status == 303
        assert (tmp_path / "store").is_dir()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "Traceback" not in err


def test_review_command_port_in_use_is_one_line(review_server: Any, tmp_path: Any) -> None:
    exe = [
        sys.executable,
        "-m",
        "dictanote",
        "--data-dir",
        str(tmp_path / "s"),
        "review",
        "--no-browser",
        "--port",
        str(review_server.server.port),
    ]
    done = subprocess.run(exe, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--port" in done.stderr


@pytest.mark.parametrize(
    ("body", "error"),
    [({"fields": [{"id": "subjective"}]}, "no field 'objective'"), ({"session": []}, "must be an object")],
)
def test_review_apply_edit_refuses_partial_or_malformed(
    saved_draft: StoredDraft, body: dict[str, Any], error: str
) -> None:
    with pytest.raises(DraftDataError, match=error):
        apply_edit(saved_draft.draft, body)


def test_review_apply_edit_keeps_what_the_page_does_not_send(saved_draft: StoredDraft) -> None:
    edited = apply_edit(saved_draft.draft, {"session": {"client": " J.D. "}})
    assert edited.fields == saved_draft.draft.fields
    assert edited.transcript == saved_draft.draft.transcript
    assert edited.session.measures == saved_draft.draft.session.measures
    assert edited.session.client == "J.D."
    odd = replace(saved_draft.draft, session=replace(saved_draft.draft.session, date="the 3rd"))
    assert apply_edit(odd, {"session": {"date": "the 3rd"}}).session.date == "the 3rd"
    emptied = apply_edit(
        saved_draft.draft,
        {"fields": [{"id": f.id, "sentences": [{"text": "   "}]} for f in saved_draft.draft.fields]},
    )
    assert all(not f.sentences for f in emptied.fields)


# --- the clinician's flow in a real browser ----------------------------------------


def _screenshot(page: Any, name: str) -> None:
    TEST_ARTIFACTS.mkdir(exist_ok=True)
    path = TEST_ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    data = path.read_bytes()
    assert len(data) > 1000 and data.startswith(b"\x89PNG\r\n\x1a\n")


def _sentence(page: Any, field: str, index: int = 0) -> Any:
    return page.locator(f'ol.sentences[data-field="{field}"] > li.sentence').nth(index)


@pytest.mark.browser
def test_review_browser_move_edit_save_finalize(
    chromium: Any, review_server: Any, saved_draft: StoredDraft
) -> None:
    from playwright.sync_api import expect

    started = time.monotonic()
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: d.accept())
    try:
        page.goto(review_server.url)
        assert page.url.endswith("/")  # the token left the address bar
        _screenshot(page, "review-inbox.png")
        page.click(f'a[href="/clinical/drafts/{saved_draft.id}"]')
        page.wait_for_selector("#draft")
        _screenshot(page, "review-draft.png")

        by_mouse = _sentence(page, "subjective", 0)
        mouse_text = by_mouse.locator(".text").inner_text()
        by_mouse.locator(".handle").drag_to(page.locator('ol.sentences[data-field="objective"]'))
        assert mouse_text in page.locator('ol.sentences[data-field="objective"]').inner_text()
        assert mouse_text not in page.locator('ol.sentences[data-field="subjective"]').inner_text()

        by_keys = _sentence(page, "assessment", 0)
        keys_text = by_keys.locator(".text").inner_text()
        by_keys.focus()
        page.keyboard.press("Alt+ArrowDown")  # assessment -> the start of plan
        assert _sentence(page, "plan", 0).locator(".text").inner_text() == keys_text
        assert page.evaluate("document.activeElement.closest('ol').dataset.field") == "plan"

        word = page.locator("li.sentence .text", has_text="Continue weekly therapy")
        original = word.inner_text()
        edited = original.replace("weekly", "fortnightly", 1)
        word.click()
        page.keyboard.press("Control+a")  # selects the words of this sentence only
        page.keyboard.type(edited)
        page.click("#save")
        expect(page.locator("#save-status")).to_have_text(re.compile("^Saved"))
        page.click("#copy-note")
        expect(page.locator("#copy-status")).to_have_text(re.compile("^Copied"))
        assert edited in page.evaluate("navigator.clipboard.readText()")
        page.fill("#signed-by", "A. Lee, LMFT")  # the `clinician` setting prefills it when set
        page.click("#finalize")
        page.wait_for_url(re.compile(r".*/clinical/notes/\d+$"))
        assert not errors, errors
    finally:
        context.close()

    store = review_server.store
    note = store.list_notes()[-1]
    content = note.content.by_id
    assert mouse_text in [s.text for s in content["objective"].sentences]
    assert mouse_text not in [s.text for s in content["subjective"].sentences]
    assert keys_text == content["plan"].sentences[0].text
    assert original not in [s.text for f in note.content.fields for s in f.sentences]
    assert edited in [s.text for s in content["plan"].sentences]
    actions = [e.action for e in store.audit_entries()]
    assert {"created", "edited", "moved", "finalized"} <= set(actions)
    assert store.verify_audit().ok
    assert note.signed_by == "A. Lee, LMFT"
    assert time.monotonic() - started < 30


@pytest.mark.browser
def test_review_browser_second_page_is_told_to_reload(
    chromium: Any, review_server: Any, saved_draft: StoredDraft
) -> None:
    from playwright.sync_api import expect

    context = chromium.new_context()
    try:
        first, second = context.new_page(), context.new_page()
        first.goto(review_server.url)
        for page in (first, second):
            page.goto(f"http://127.0.0.1:{review_server.server.port}/clinical/drafts/{saved_draft.id}")
        first.fill('input[name="client"]', "P.L.")
        first.click("#save")
        expect(first.locator("#save-status")).to_have_text(re.compile("^Saved"))
        second.fill('input[name="client"]', "W.W.")
        second.click("#save")
        banner = second.locator("#banner")
        banner.wait_for(state="visible")
        assert "Reload" in banner.inner_text()
        assert review_server.store.get_draft(saved_draft.id).draft.session.client == "P.L."
        second.click("#reload")
        second.wait_for_load_state()
        assert second.input_value('input[name="client"]') == "P.L."
    finally:
        context.close()
