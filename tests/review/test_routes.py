"""The review page's routes: pages, the JSON API, error statuses, and what reaches the store.

Most tests go through the real server (``review_server``) with urllib; the error
table calls ``ReviewApp.handle`` directly over a store that raises.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from typing import Any

import pytest

from dictanote.app import Dictation
from dictanote.core.config import Config
from dictanote.core.errors import (
    AuditChainError,
    DraftDataError,
    EditConflictError,
    RecordNotFoundError,
    StoreBusyError,
)
from dictanote.core.types import StoredDraft
from dictanote.review.routes import CONFLICT_MESSAGE, ReviewApp
from tests.review.client import fields_of, login
from tests.util import MARKED_TEXT, load_samples, make_draft, marked_sentence, signable

PRIVATE_DICTATION = (
    "Subjective. Client reports a calmer week at work. Private note. I noticed my own impatience "
    "when she changed the topic again. End private note. Plan. Meet again next week."
)


class _RaisingStore:
    """A store whose every read fails with one exception."""

    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def get_draft(self, *args: Any, **kwargs: Any) -> StoredDraft:
        raise self.exc


@pytest.mark.parametrize(
    ("exc", "status", "message"),
    [
        (RecordNotFoundError("no draft 7"), 404, "no draft 7"),
        (EditConflictError("version 2 is stale"), 409, CONFLICT_MESSAGE),
        (DraftDataError("bad\n  field"), 400, "bad field"),
        (StoreBusyError("the store is locked"), 503, "the store is locked"),
        (AuditChainError("entry 3 altered"), 500, "entry 3 altered"),
        (RuntimeError("note text here"), 500, "Internal error (RuntimeError); nothing was changed"),
    ],
)
def test_routes_error_status_is_the_errors_http_status(
    dictation: Dictation, exc: Exception, status: int, message: str
) -> None:
    app = ReviewApp(dictation, _RaisingStore(exc))  # type: ignore[arg-type]
    answer = app.handle("GET", "/api/clinical/drafts/7", {}, "csrf")
    assert answer.status == status
    assert answer.content_type.startswith("application/json")
    body = json.loads(answer.body)
    assert body["ok"] is False and body["status"] == status and body["error"].startswith(message)
    assert "note text here" not in body["error"]  # an unexpected error's words are not shown


@pytest.mark.parametrize(
    ("method", "path", "status", "kind"),
    [
        ("POST", "/", 405, "text/html"),
        ("GET", "/api/clinical/drafts/1/save", 405, "application/json"),
        ("GET", "/nowhere", 404, "text/html"),
        ("GET", "/api/nowhere", 404, "application/json"),
    ],
)
def test_routes_unknown_path_or_method_is_a_page_or_json(
    dictation: Dictation, method: str, path: str, status: int, kind: str
) -> None:
    app = ReviewApp(dictation, _RaisingStore(RuntimeError()))  # type: ignore[arg-type]
    answer = app.handle(method, path, {}, "csrf")
    assert answer.status == status
    assert answer.content_type.startswith(kind)
    assert app.route_name(method, path) == "unknown"


def test_routes_route_name_never_carries_ids(dictation: Dictation) -> None:
    app = ReviewApp(dictation, _RaisingStore(RuntimeError()))  # type: ignore[arg-type]
    assert app.route_name("POST", "/api/private/drafts/42/save") == "api_save"
    assert app.route_name("GET", "/clients/R.T.") == "client_page"


def test_routes_inbox_lists_drafts_with_age_and_private_area(
    review_server: Any, saved_draft: StoredDraft, dictation: Dictation
) -> None:
    sample = next(s for s in load_samples() if s.format == "psychotherapy")
    private = dictation.save(dictation.from_text(sample.text, "psychotherapy"), source="test")
    client = login(review_server)
    page = client.request("/").text
    clinical_part, private_part = page.split('id="private-heading"')
    assert f'href="/clinical/drafts/{saved_draft.id}"' in clinical_part
    assert f'href="/private/drafts/{private.id}"' in private_part
    assert "0 h of 72" in clinical_part
    assert "Psychotherapy notes (private)" in page


def test_routes_draft_page_shows_sentences_findings_and_low_confidence(
    review_server: Any, saved_draft: StoredDraft, dictation: Dictation
) -> None:
    client = login(review_server)
    page = client.request(f"/clinical/drafts/{saved_draft.id}").text
    for f in saved_draft.draft.fields:
        assert f'data-field="{f.id}"' in page
        for s in f.sentences:
            assert s.text.replace("'", "&#39;").replace('"', "&#34;") in page
    assert f'data-version="{saved_draft.version}"' in page
    for finding in dictation.findings(saved_draft):
        assert f'data-code="{finding.code}"' in page
    assert "Alt</kbd>+<kbd>↑" in page  # the keys are documented on the page
    low = sum(1 for f in saved_draft.draft.fields for s in f.sentences if s.confidence < 0.6)
    assert page.count('class="sentence low"') == low


def test_routes_save_moves_a_sentence_and_edits_words(review_server: Any, saved_draft: StoredDraft) -> None:
    client = login(review_server)
    fields = fields_of(saved_draft)
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


def test_routes_api_draft_answers_version_findings_and_rendered_note(
    review_server: Any, saved_draft: StoredDraft
) -> None:
    data = login(review_server).request(f"/api/clinical/drafts/{saved_draft.id}").json()
    assert data["ok"] is True and data["id"] == saved_draft.id and data["record"] == "clinical"
    assert data["version"] == saved_draft.version
    assert list(data["findings"]) == [f.id for f in saved_draft.draft.fields]
    assert saved_draft.draft.fields[0].sentences[0].text in data["rendered"]


def test_routes_stale_version_is_told_to_reload(review_server: Any, saved_draft: StoredDraft) -> None:
    client = login(review_server)
    body = {"version": saved_draft.version, "fields": fields_of(saved_draft), "session": {"client": "A.B."}}
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
        ({"version": 1, "session": {"risk": []}}, "cannot be edited here"),
        ({"version": 1, "session": {"measures": []}}, "scores must be text"),
        ({"version": 1, "session": {"date": "next tuesday"}}, "YYYY-MM-DD"),
        ({"version": 1, "session": {"duration_minutes": "an hour"}}, "malformed"),
    ],
)
def test_routes_bad_save_is_a_clear_json_message(
    review_server: Any, saved_draft: StoredDraft, body: dict[str, Any], message: str
) -> None:
    client = login(review_server)
    answer = client.post(f"/api/clinical/drafts/{saved_draft.id}/save", body)
    assert answer.status == 400
    data = answer.json()
    assert data["ok"] is False and message in data["error"]
    assert "Traceback" not in answer.text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/clinical/drafts/999", 404),
        ("/private/notes/5", 404),
        ("/nowhere", 404),
        ("/api/clinical/drafts/999", 404),
    ],
)
def test_routes_missing_records_are_pages_not_tracebacks(review_server: Any, path: str, status: int) -> None:
    client = login(review_server)
    answer = client.request(path)
    assert answer.status == status
    assert "Traceback" not in answer.text


def test_routes_finalize_discard_and_note_pages(
    review_server: Any, saved_draft: StoredDraft, dictation: Dictation
) -> None:
    other = dictation.save(dictation.from_text("Plan. Follow up next week.", "soap"), source="t")
    client = login(review_server)
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


def test_routes_finalize_needs_a_signer(review_server: Any, saved_draft: StoredDraft) -> None:
    client = login(review_server)
    for signer in (None, "  ", 3):
        answer = client.post(
            f"/api/clinical/drafts/{saved_draft.id}/finalize",
            {"version": saved_draft.version, "signed_by": signer},
        )
        assert answer.status == 400 and "clinician who signs" in answer.json()["error"]
    assert review_server.store.list_notes() == []


def test_routes_switch_format_remaps_fields(review_server: Any, saved_draft: StoredDraft) -> None:
    client = login(review_server)
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


def test_routes_private_companion_has_its_own_page_never_the_clinical_one(
    review_server: Any, dictation: Dictation
) -> None:
    clinical = _saved(dictation, review_server.store, PRIVATE_DICTATION)
    private = review_server.store.companion_of(clinical.id)
    assert private is not None
    client = login(review_server)
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


def test_routes_note_page_shows_amendments_and_keeps_the_original(
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
    page = login(review_server).request(f"/clinical/notes/{note.id}").text
    assert "added a call" in page
    body, original = page.split('class="original"')
    assert "Call on Friday." in body.split('class="note-body"')[1]
    assert "Call on Friday." not in original.split("</details>")[0]
    assert "contenteditable" not in page


def _amend_text(page: str) -> str:
    found = re.search(r'<textarea id="amend-text" name="text"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, "the note page offers the amendment form"
    return html.unescape(found.group(1))


@pytest.mark.parametrize("record", ["clinical", "private"])
def test_routes_amend_form_amends_the_note_in_its_own_record(
    review_server: Any, dictation: Dictation, record: str
) -> None:
    store = review_server.store
    stored = _saved(dictation, store, PRIVATE_DICTATION)
    private = record == "private"
    if private:
        stored = store.companion_of(stored.id)
    note = store.finalize_draft(stored.id, expected_version=None, signed_by="Dr Rowe", private=private)
    client = login(review_server)
    page = client.request(f"/{record}/notes/{note.id}").text
    assert f'action="/{record}/notes/{note.id}/amend"' in page
    assert re.search(r'<input[^>]*name="reason"[^>]*required', page)
    text = _amend_text(page)
    old, new = ("impatience", "patience") if private else ("Meet again next week.", "Meet again on Friday.")
    assert old in text
    url = f"/{record}/notes/{note.id}/amend"
    refused = client.post(url, {"text": text.replace(old, new), "reason": " ", "signed_by": "Dr Rowe"})
    assert refused.status == 400 and "needs a reason" in refused.text
    assert store.get_note(note.id, private=private).amendments == ()
    clinical_log = [e.action for e in store.audit_entries()]
    done = client.post(url, {"text": text.replace(old, new), "reason": "a typo", "signed_by": "Dr Rowe"})
    assert done.status == 303 and done.headers["Location"] == f"/{record}/notes/{note.id}"
    amended = store.get_note(note.id, private=private)
    assert [(a.reason, a.signed_by) for a in amended.amendments] == [("a typo", "Dr Rowe")]
    assert old in " ".join(f.text for f in amended.original.fields)
    if private:
        assert [e.action for e in store.audit_entries()] == clinical_log  # the clinical record untouched
    assert [e.action for e in store.audit_entries(private=private)][-1] == "amended"
    shown = client.request(f"/{record}/notes/{note.id}").text
    after = shown.split('class="note-body"', 1)[1].split('class="amendments"', 1)[1]
    assert "a typo" in after and "Dr Rowe" in after and new in after


def test_routes_export_is_an_audited_download(review_server: Any, saved_draft: StoredDraft) -> None:
    store = review_server.store
    note = store.finalize_draft(saved_draft.id, expected_version=saved_draft.version, signed_by="Dr Rowe")
    client = login(review_server)
    unknown = client.post(f"/api/clinical/notes/{note.id}/export", {"kind": "pdf"})
    assert (
        unknown.status == 400
        and "unknown export kind 'pdf'; kinds: text, markdown" in unknown.json()["error"]
    )
    assert "exported" not in [e.action for e in store.audit_entries()]
    answer = client.post(f"/api/clinical/notes/{note.id}/export", {"kind": "text"})
    assert answer.status == 200, answer.text
    assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert answer.headers["Content-Disposition"] == f'attachment; filename="note-{note.id}-text.txt"'
    assert "Dr Rowe" in answer.text
    assert [e.action for e in store.audit_entries()][-1] == "exported"
    missing = client.post("/api/clinical/notes/999/export", {"kind": "text"})
    assert missing.status == 404
    assert store.verify_audit().ok


def test_routes_client_page_charts_measures(review_server: Any, dictation: Dictation) -> None:
    client = login(review_server)
    store = review_server.store
    for date, score in (("2026-01-05", 17), ("2026-02-02", 12), ("2026-03-02", 9)):
        text = f"Objective. PHQ-9 score today is {score}. Plan. Continue weekly therapy."
        result = dictation.from_text(text, "soap")
        stored = dictation.save(replace(result, draft=signable(store, result.draft, "rt-1")), store=store)
        saved = client.post(
            f"/api/clinical/drafts/{stored.id}/save",
            {"version": stored.version, "session": {"client": "R.T.", "date": date}},
        )
        assert saved.status == 200, saved.text
        client.post(
            f"/api/clinical/drafts/{stored.id}/finalize",
            {"version": saved.json()["version"], "signed_by": "x"},
        )
    page = client.request("/clients/rt-1").text
    assert page.count("<svg") == 1 and 'data-measure="PHQ-9"' in page
    assert "<polyline" in page
    assert "2026-01-05 17, 2026-02-02 12, 2026-03-02 9" in page
    assert page.count('href="/clinical/notes/') == 3


def test_routes_inbox_names_a_damaged_draft_and_shows_the_others(
    review_server: Any, saved_draft: StoredDraft, dictation: Dictation
) -> None:
    other = dictation.save(dictation.from_text(PRIVATE_DICTATION, "soap"), source="test")
    with dictation.open_store() as store, store.database("clinical").write() as conn:
        conn.execute("DROP TRIGGER draft_revisions_append_only")  # as an attacker or a bad disk would
        conn.execute("UPDATE draft_revisions SET content = '{' WHERE draft_id = ?", (saved_draft.id,))
    client = login(review_server)
    answer = client.request("/")
    assert answer.status == 200
    assert f'href="/clinical/drafts/{other.id}"' in answer.text
    assert f'href="/clinical/drafts/{saved_draft.id}"' not in answer.text
    assert f"clinical draft {saved_draft.id}" in answer.text and "damaged" in answer.text


@pytest.mark.parametrize("target", ["../elsewhere/evil", "/tmp/evil", "soap/../soap", "SOAP"])
def test_routes_switch_format_to_a_path_is_refused_and_nothing_read(
    review_server: Any, saved_draft: StoredDraft, config: Config, target: str
) -> None:
    outside = config.paths.config_dir / "elsewhere"
    outside.mkdir(parents=True)
    (outside / "evil.toml").write_text(
        'id = "evil"\nlabel = "Evil"\n[[fields]]\nid = "x"\nlabel = "X"\ncues = ["x"]\n', encoding="utf-8"
    )
    (config.paths.config_dir / "formats").mkdir()
    target = str(outside / "evil") if target == "/tmp/evil" else target
    answer = login(review_server).post(
        f"/api/clinical/drafts/{saved_draft.id}/format", {"version": saved_draft.version, "format": target}
    )
    assert answer.status == 400
    assert "never a path" in answer.json()["error"] and "available: birp, dap" in answer.json()["error"]
    assert review_server.store.get_draft(saved_draft.id) == saved_draft


def test_routes_broken_user_format_file_keeps_every_page_working(
    review_server: Any, saved_draft: StoredDraft, config: Config
) -> None:
    folder = config.paths.config_dir / "formats"
    folder.mkdir(parents=True)
    (folder / "broken.toml").write_text("id = 'broken'\nlabel = [", encoding="utf-8")
    client = login(review_server)
    for page in ("/", f"/clinical/drafts/{saved_draft.id}", "/clinical/notes"):
        assert client.request(page).status == 200, page
    switched = client.post(
        f"/api/clinical/drafts/{saved_draft.id}/format", {"version": saved_draft.version, "format": "dap"}
    )
    assert switched.status == 200
    broken = client.post(
        f"/api/clinical/drafts/{saved_draft.id}/format",
        {"version": switched.json()["version"], "format": "broken"},
    )
    assert broken.status == 400 and "broken.toml" in broken.json()["error"]


def _saved(dictation: Dictation, store: Any, text: str, fmt: str = "soap") -> StoredDraft:
    """``text`` drafted and saved about a client of the list, with a date of service: ready to sign."""
    result = dictation.from_text(text, fmt)
    return dictation.save(replace(result, draft=signable(store, result.draft)), source="t", store=store)


@pytest.fixture
def marked_draft(review_server: Any) -> StoredDraft:
    """A draft whose plan holds a corrected word ("circling" heard) and an uncertain one, in the store."""
    draft = make_draft(
        "soap", {"subjective": ["Client reports sleeping six hours."], "plan": [marked_sentence()]}
    )
    return review_server.store.save_draft(signable(review_server.store, draft), source="test")


def test_routes_draft_page_marks_uncertain_and_corrected_words(
    review_server: Any, marked_draft: StoredDraft
) -> None:
    page = login(review_server).request(f"/clinical/drafts/{marked_draft.id}").text
    assert (
        '<span class="w-corrected" data-original="circling" '
        'title="heard: circling — drug name: a dose follows. Press u (sentence focused) to undo.">'
        "sertraline</span>"
    ) in page
    assert 'class="w-uncertain" data-probability="0.31"' in page and "31% sure" in page
    assert 'data-key="plan:0"' in page
    assert "<kbd>u</kbd>" in page  # the undo key is documented on the page


def test_routes_save_keeps_marks_on_unchanged_words_and_answers_them(
    review_server: Any, marked_draft: StoredDraft
) -> None:
    fields = [
        {"id": f.id, "sentences": [{"key": f"{f.id}:{i}", "text": s.text} for i, s in enumerate(f.sentences)]}
        for f in marked_draft.draft.fields
    ]
    undone = MARKED_TEXT.replace("sertraline", "circling")
    fields[-1]["sentences"][0]["text"] = undone
    answer = login(review_server).post(
        f"/api/clinical/drafts/{marked_draft.id}/save", {"version": marked_draft.version, "fields": fields}
    )
    assert answer.status == 200, answer.text
    saved = review_server.store.get_draft(marked_draft.id).draft.field("plan").sentences[0]
    assert (saved.text, saved.corrections) == (undone, ())
    assert [saved.text[w.start : w.end] for w in saved.uncertain] == ["PHQ"]
    words = answer.json()["sentences"]["plan"][0]
    assert words["key"] == "plan:0"
    assert [w["kind"] for w in words["words"]] == ["", "uncertain", ""]
    assert all("circling" not in json.dumps(e.detail) for e in review_server.store.audit_entries())


def test_routes_exports_of_a_signed_note_carry_the_clean_text(
    review_server: Any, marked_draft: StoredDraft
) -> None:
    store = review_server.store
    note = store.finalize_draft(marked_draft.id, expected_version=marked_draft.version, signed_by="Dr Rowe")
    client = login(review_server)
    for kind in ("text", "markdown", "fhir"):
        answer = client.post(f"/api/clinical/notes/{note.id}/export", {"kind": kind})
        assert answer.status == 200, answer.text
        assert "sertraline 50 mg daily, PHQ nine today." in answer.text
        assert "Check" not in answer.text and "circling" not in answer.text and "heard" not in answer.text


# --- split, merge, move to and from the private note, the finalize dialog (issue 16) -------------

CANARY = "Client mentioned her sister Rosalind's wedding in Tbilisi."
CANARY_WORDS = ("Rosalind", "Tbilisi")


def _posted(stored: StoredDraft) -> list[dict[str, Any]]:
    """The stored draft's fields as the page posts them, each sentence naming its key."""
    fields = fields_of(stored)
    for f in fields:
        f["sentences"] = [{**s, "key": f"{f['id']}:{i}"} for i, s in enumerate(f["sentences"])]
    return fields


def _holding(path: Any, words: tuple[str, ...]) -> list[str]:
    """Every table.column of a store file whose value holds one of ``words``."""
    from contextlib import closing

    from tests.util import open_raw

    found = []
    with closing(open_raw(path)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            cur = conn.execute(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cur.description]
            for row in cur.fetchall():
                found += [
                    f"{table}.{n}" for n, v in zip(names, row, strict=True) if any(w in str(v) for w in words)
                ]
    return found


def test_routes_split_then_merge_round_trips_words_and_marks(
    review_server: Any, marked_draft: StoredDraft
) -> None:
    client = login(review_server)
    api = f"/api/clinical/drafts/{marked_draft.id}/save"
    fields = _posted(marked_draft)
    whole = fields[-1]["sentences"][0]
    cut = MARKED_TEXT.index("PHQ")
    halves = [{**whole, "text": MARKED_TEXT[:cut]}, {**whole, "text": MARKED_TEXT[cut:]}]
    fields[-1]["sentences"][0:1] = halves
    split = client.post(api, {"version": marked_draft.version, "fields": fields})
    assert split.status == 200, split.text
    stored = review_server.store.get_draft(marked_draft.id)
    plan = stored.draft.field("plan").sentences
    assert [s.text for s in plan] == [MARKED_TEXT[:cut].strip(), MARKED_TEXT[cut:]]
    assert [[s.text[c.start : c.end] for c in (*s.corrections, *s.uncertain)] for s in plan] == [
        ["sertraline"],
        ["PHQ"],
    ]
    assert [w["kind"] for w in split.json()["sentences"]["plan"][1]["words"]] == ["uncertain", ""]
    fields = _posted(stored)
    first = fields[-1]["sentences"][0]
    fields[-1]["sentences"][0:2] = [{**first, "keys": ["plan:0", "plan:1"], "text": MARKED_TEXT}]
    merged = client.post(api, {"version": stored.version, "fields": fields})
    assert merged.status == 200, merged.text
    back = review_server.store.get_draft(marked_draft.id).draft
    assert back.field("plan").sentences == marked_draft.draft.field("plan").sentences
    assert all("PHQ" not in json.dumps(e.detail) for e in review_server.store.audit_entries())


@pytest.mark.parametrize("with_companion", [True, False])
def test_routes_move_to_private_leaves_no_word_in_the_clinical_record(
    review_server: Any, dictation: Dictation, with_companion: bool
) -> None:
    text = (
        (
            PRIVATE_DICTATION
            if with_companion
            else "Subjective. Client reports a calmer week at work. Plan. Meet again next week."
        )
        + " "
        + CANARY
    )
    clinical = dictation.save(dictation.from_text(text, "soap"), source="t")
    store = review_server.store
    client = login(review_server)
    fields = _posted(clinical)  # an earlier revision holds the sentence with other words too
    key = next(s["key"] for f in fields for s in f["sentences"] if s["text"] == CANARY)
    edited = next(s for f in fields for s in f["sentences"] if s["key"] == key)
    edited["text"] = CANARY.replace("wedding", "wedding plans")
    saved = client.post(
        f"/api/clinical/drafts/{clinical.id}/save", {"version": clinical.version, "fields": fields}
    )
    assert saved.status == 200, saved.text
    moved = client.post(
        f"/api/clinical/drafts/{clinical.id}/move", {"version": saved.json()["version"], "key": key}
    )
    assert moved.status == 200, moved.text
    assert _holding(store.data_dir / "clinical.db", CANARY_WORDS) == []
    after = store.get_draft(clinical.id)
    assert after.version == saved.json()["version"] + 1
    assert all(w not in after.draft.transcript for w in CANARY_WORDS)
    private = store.companion_of(clinical.id)
    assert private is not None and moved.json()["target"]["url"] == f"/private/drafts/{private.id}"
    texts = [s.text for f in private.draft.fields for s in f.sentences]
    assert CANARY.replace("wedding", "wedding plans") in texts
    assert ("impatience" in " ".join(texts)) is with_companion
    for record in (False, True):
        entries = store.audit_entries(private=record)
        assert all(w not in json.dumps(e.detail) for e in entries for w in CANARY_WORDS)
        assert store.verify_audit(private=record).ok
    out = [e.detail for e in store.audit_entries() if e.action == "moved" and e.detail.get("record")]
    into = [e.detail for e in store.audit_entries(private=True) if e.action == "moved"]
    assert out == [
        {
            "kind": "to-private",
            "record": "private",
            "companion": private.id,
            "count": 1,
            "version": after.version,
        }
    ]
    assert [(d["kind"], d["companion"]) for d in into] == [("from-clinical", clinical.id)]
    page = client.request(f"/clinical/drafts/{clinical.id}").text
    assert all(w not in page for w in CANARY_WORDS) and f'href="/private/drafts/{private.id}"' in page


def test_routes_move_from_private_puts_the_sentence_in_the_clinical_draft(
    review_server: Any, dictation: Dictation
) -> None:
    clinical = dictation.save(dictation.from_text(PRIVATE_DICTATION, "soap"), source="t")
    store = review_server.store
    private = store.companion_of(clinical.id)
    assert private is not None
    key = next(f"{f.id}:{i}" for f in private.draft.fields for i, s in enumerate(f.sentences))
    moved = login(review_server).post(
        f"/api/private/drafts/{private.id}/move",
        {"version": private.version, "key": key, "field": "objective"},
    )
    assert moved.status == 200, moved.text
    assert moved.json()["target"]["url"] == f"/clinical/drafts/{clinical.id}"
    objective = [s.text for s in store.get_draft(clinical.id).draft.field("objective").sentences]
    assert any("impatience" in t for t in objective)
    left = store.get_draft(private.id, private=True).draft
    assert not any("impatience" in s.text for f in left.fields for s in f.sentences)
    assert store.verify_audit().ok and store.verify_audit(private=True).ok


@pytest.mark.parametrize(
    ("record", "body", "status", "error"),
    [
        ("clinical", {"version": 1, "key": "plan:9"}, 400, "no sentence 'plan:9'"),
        ("clinical", {"version": 1}, 400, "key"),
        ("clinical", {"version": 5, "key": "plan:0"}, 409, "changed in another tab"),
        ("clinical", {"version": 1, "key": "plan:0", "field": "nowhere"}, 400, "no field 'nowhere'"),
        ("private", {"version": 1, "key": "reflections:0"}, 400, "no clinical draft"),
    ],
)
def test_routes_move_refused_with_a_clear_message_and_nothing_changed(
    review_server: Any, record: str, body: dict[str, Any], status: int, error: str
) -> None:
    store = review_server.store
    draft = make_draft(
        "psychotherapy" if record == "private" else "soap",
        ({"reflections": ["I felt rushed."]} if record == "private" else {"plan": ["Meet next week."]}),
    )
    stored = store.save_draft(draft, source="t")
    answer = login(review_server).post(f"/api/{record}/drafts/{stored.id}/move", body)
    assert answer.status == status and error in answer.json()["error"], answer.text
    assert store.get_draft(stored.id, private=record == "private").version == 1
    assert store.list_drafts(private=record != "private") == []


def test_routes_finalize_dialog_lists_the_open_warnings_and_errors(
    review_server: Any, dictation: Dictation
) -> None:
    store = review_server.store
    stored = store.save_draft(
        make_draft("soap", {"subjective": ["Client reports sleeping six hours."]}), source="t"
    )
    expected = [f for f in dictation.findings(stored) if f.severity != "info"]
    assert expected  # three empty fields
    client = login(review_server)
    state = client.request(f"/api/clinical/drafts/{stored.id}").json()
    assert [(f["code"], f["field"]) for f in state["open_findings"]] == [(f.code, f.field) for f in expected]
    page = client.request(f"/clinical/drafts/{stored.id}").text
    dialog = page[page.index('<dialog id="finalize-dialog"') : page.index("</dialog>")]
    assert dialog.count('class="finding sev-warning"') == len(expected)
    assert all(f.message in html.unescape(dialog) for f in expected)
    assert "session-facts-missing" not in dialog  # info is not an open check


def test_routes_pages_show_times_in_local_time(review_server: Any, saved_draft: StoredDraft) -> None:
    from zoneinfo import ZoneInfo

    from dictanote.core.policy import parse_utc
    from tests.util import local_zone

    note = review_server.store.finalize_draft(
        saved_draft.id, expected_version=saved_draft.version, signed_by="Dr Rowe"
    )
    zone = ZoneInfo("America/New_York")
    local = parse_utc(note.finalized_at).astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    with local_zone("America/New_York"):
        client = login(review_server)
        pages = [client.request(f"/clinical/notes/{note.id}").text, client.request("/clinical/notes").text]
    for page in pages:
        assert local in page
        assert note.finalized_at not in page, "stored UTC is not what a person reads"
