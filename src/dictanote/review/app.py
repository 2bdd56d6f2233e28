"""The review page's routes: a request (already admitted) in, a page or JSON out.

Reads and writes the store through the pipeline and renders pages through
``render``. Knows nothing of sockets, tokens or headers (``server`` does).
Store errors become a message in the page or the JSON, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from urllib.parse import quote, unquote

from ..app import Dictation
from ..core.config import Config
from ..core.errors import (
    BadInputError,
    DictanoteError,
    DraftDataError,
    EditConflictError,
    RecordNotFoundError,
    StoreBusyError,
)
from ..core.formats import list_formats
from ..core.policy import DUE_HOURS, LATE_HOURS, PRIVATE_FORMAT, hours_since, is_uncertain, timeliness
from ..core.types import Draft, Finding, Note, Record, StoredDraft
from ..render import render_page
from ..store import Store
from .chart import group_measures, line_chart
from .edits import apply_edit, expected_version

log = logging.getLogger(__name__)

STATIC_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
RECORD_LABELS = {"clinical": "Clinical record", "private": "Psychotherapy notes (private)"}


@dataclass(frozen=True)
class Response:
    """What the server sends back: a status, a body and its type."""

    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Response:
        """A JSON answer."""
        return cls(status, json.dumps(data, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    @classmethod
    def redirect(cls, location: str) -> Response:
        """See other (after a change, or to drop the token from the address bar)."""
        return cls(303, b"", "text/plain; charset=utf-8", {"Location": location})


@dataclass(frozen=True)
class Request:
    """An admitted request: method, route parameters and the decoded body."""

    method: str
    path: str
    params: Mapping[str, str]
    body: dict[str, Any]
    csrf: str


def error_status(exc: DictanoteError) -> int:
    """The HTTP status a dictanote error stands for."""
    if isinstance(exc, RecordNotFoundError):
        return 404
    if isinstance(exc, EditConflictError):
        return 409
    if isinstance(exc, BadInputError):
        return 400
    if isinstance(exc, StoreBusyError):
        return 503
    return 500


CONFLICT_MESSAGE = (
    "This draft was changed in another tab or window since this page was opened. "
    "Reload the page to see the latest version before saving again "
    "(copy any words you changed here first: they are not saved)."
)


def _message(exc: DictanoteError) -> str:
    return CONFLICT_MESSAGE if isinstance(exc, EditConflictError) else " ".join(str(exc).split())


# The page's names for where a draft stands in the documentation window (``policy.timeliness``).
AGE_STATES = {"ok": "ok", "due": "near", "late": "late"}


def age(iso: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """A draft's age against the documentation window, and how urgent it is."""
    try:
        exact = max(0.0, hours_since(iso, now))
    except ValueError:
        return {"hours": None, "text": "age unknown", "state": "unknown"}
    hours = int(exact)
    return {
        "hours": hours,
        "text": f"{hours} h of {LATE_HOURS:.0f}",
        "state": AGE_STATES[timeliness(exact)],
    }


def _sentence_view(s: Any) -> dict[str, Any]:
    return {
        "text": s.text,
        "origin": s.origin,
        "confidence": s.confidence,
        "low": is_uncertain(s.confidence),
        "span": f"{s.span[0]},{s.span[1]}" if s.span else "",
        "role": s.role or "",
        "paragraph": s.paragraph,
    }


def _findings_by_field(draft: Draft, findings: tuple[Finding, ...]) -> tuple[dict[str, list[Any]], list[Any]]:
    ids = {f.id for f in draft.fields}
    per: dict[str, list[Any]] = {f.id: [] for f in draft.fields}
    general = []
    for f in findings:
        if f.field in ids:
            per[f.field].append(f.to_dict())
        else:
            general.append(f.to_dict())
    return per, general


class ReviewApp:
    """The routes of one review server launch over one open store."""

    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store
        self._routes: list[tuple[str, re.Pattern[str], Callable[[Request], Response]]] = []
        rec = r"(?P<record>clinical|private)"
        num = r"(?P<id>[0-9]{1,12})"
        for method, pattern, handler in (
            ("GET", r"/", self.inbox),
            ("GET", r"/favicon\.ico", self.favicon),
            ("GET", r"/static/(?P<name>[a-z]+\.(?:js|css|svg))", self.static),
            ("GET", rf"/{rec}/drafts/{num}", self.draft_page),
            ("GET", rf"/{rec}/notes", self.notes_page),
            ("GET", rf"/{rec}/notes/{num}", self.note_page),
            ("GET", r"/clients/(?P<client>[^/]{1,200})", self.client_page),
            ("GET", rf"/api/{rec}/drafts/{num}", self.api_draft),
            ("POST", rf"/api/{rec}/drafts/{num}/save", self.api_save),
            ("POST", rf"/api/{rec}/drafts/{num}/finalize", self.api_finalize),
            ("POST", rf"/api/{rec}/drafts/{num}/discard", self.api_discard),
            ("POST", rf"/api/{rec}/drafts/{num}/format", self.api_switch_format),
            ("POST", rf"/api/{rec}/notes/{num}/export", self.api_export),
        ):
            self._routes.append((method, re.compile(pattern + r"\Z"), handler))

    # --- dispatch ---------------------------------------------------------

    def route_name(self, method: str, path: str) -> str:
        """The route a path matches, for logs that must not carry ids or names."""
        for m, pattern, handler in self._routes:
            if pattern.match(path) and m == method:
                return handler.__name__
        return "unknown"

    def handle(self, method: str, path: str, body: dict[str, Any], csrf: str) -> Response:
        """Run the route for this path; errors become a page or JSON with a clear message."""
        allowed = []
        for m, pattern, handler in self._routes:
            match = pattern.match(path)
            if match is None:
                continue
            allowed.append(m)
            if m == method or (m == "GET" and method == "HEAD"):
                request = Request(method, path, match.groupdict(), body, csrf)
                return self._run(handler, request)
        if allowed:
            return self._error(path, 405, f"{method} is not allowed here", csrf)
        return self._error(path, 404, "No such page.", csrf)

    def _run(self, handler: Callable[[Request], Response], request: Request) -> Response:
        try:
            return handler(request)
        except DictanoteError as exc:
            log.info("%s refused: %s (%d)", handler.__name__, type(exc).__name__, error_status(exc))
            return self._error(request.path, error_status(exc), _message(exc), request.csrf)
        except Exception as exc:  # the one catch-all: a page must never show a traceback
            log.error("%s failed: %s", handler.__name__, type(exc).__name__)
            message = f"Internal error ({type(exc).__name__}); nothing was changed by this request."
            return self._error(request.path, 500, message, request.csrf)

    def _error(self, path: str, status: int, message: str, csrf: str) -> Response:
        if path.startswith("/api/"):
            return Response.json({"ok": False, "status": status, "error": message}, status)
        html = self._page("error.html", csrf, title="Problem", status=status, message=message)
        return Response(status, html)

    # --- helpers ----------------------------------------------------------

    def _page(self, template: str, csrf: str, **context: Any) -> bytes:
        return render_page(f"review/{template}", {"csrf": csrf, **context}, self.config.paths).encode()

    @staticmethod
    def _record(request: Request) -> Record:
        return "private" if request.params["record"] == "private" else "clinical"

    @staticmethod
    def _id(request: Request) -> int:
        return int(request.params["id"])

    def _format_labels(self) -> dict[str, str]:
        return {f.id: f.label for f in list_formats(self.config.paths)}

    def _draft_row(self, stored: StoredDraft, labels: Mapping[str, str], now: dt.datetime) -> dict[str, Any]:
        draft = stored.draft
        return {
            "id": stored.id,
            "record": stored.record,
            "url": f"/{stored.record}/drafts/{stored.id}",
            "format": labels.get(draft.format, draft.format),
            "client": draft.session.client or "",
            "client_url": _client_url(draft.session.client),
            "date": draft.session.date or "",
            "source": stored.source,
            "created_at": stored.created_at,
            "age": age(stored.created_at, now),
            "sentences": sum(len(f.sentences) for f in draft.fields),
            "low": sum(1 for f in draft.fields for s in f.sentences if is_uncertain(s.confidence)),
        }

    def _note_row(self, note: Note, labels: Mapping[str, str]) -> dict[str, Any]:
        content = note.content
        return {
            "id": note.id,
            "url": f"/{note.record}/notes/{note.id}",
            "format": labels.get(content.format, content.format),
            "client": content.session.client or "",
            "client_url": _client_url(content.session.client),
            "date": content.session.date or "",
            "finalized_at": note.finalized_at,
            "signed_by": note.signed_by,
            "amended_at": note.amended_at or "",
        }

    def _companion(self, stored: StoredDraft) -> dict[str, Any] | None:
        if stored.record == "private":
            if stored.companion is None:
                return None
            return {"url": f"/clinical/drafts/{stored.companion}", "record": "clinical"}
        other = self.store.companion_of(stored.id)
        return {"url": f"/private/drafts/{other.id}", "record": "private"} if other else None

    def _draft_state(self, stored: StoredDraft) -> dict[str, Any]:
        """Version, findings per field and the rendered note: what the page refreshes after a save."""
        findings = Dictation(self.config).findings(stored)
        per, general = _findings_by_field(stored.draft, findings)
        return {
            "ok": True,
            "id": stored.id,
            "record": stored.record,
            "version": stored.version,
            "findings": per,
            "general_findings": general,
            "rendered": Dictation(self.config).render(stored.draft),
        }

    # --- pages ------------------------------------------------------------

    def inbox(self, request: Request) -> Response:
        """Drafts oldest first, the private ones in their own area."""
        now = dt.datetime.now(dt.timezone.utc)
        labels = self._format_labels()
        clinical = [self._draft_row(d, labels, now) for d in self.store.list_drafts()]
        private = [self._draft_row(d, labels, now) for d in self.store.list_drafts(private=True)]
        html = self._page(
            "inbox.html",
            request.csrf,
            title="Inbox",
            clinical=clinical,
            private=private,
            window=f"{LATE_HOURS:.0f}",
            due=f"{DUE_HOURS:.0f}",
        )
        return Response(200, html)

    def draft_page(self, request: Request) -> Response:
        """One draft, its fields as movable, editable sentences."""
        record = self._record(request)
        stored = self.store.get_draft(self._id(request), private=record == "private")
        state = self._draft_state(stored)
        draft = stored.draft
        labels = self._format_labels()
        fields = [
            {
                "id": f.id,
                "label": f.label,
                "sentences": [_sentence_view(s) for s in f.sentences],
                "findings": state["findings"][f.id],
            }
            for f in draft.fields
        ]
        switchable = (
            [{"id": k, "label": v} for k, v in labels.items() if k != PRIVATE_FORMAT]
            if record == "clinical"
            else []
        )
        html = self._page(
            "draft.html",
            request.csrf,
            title=f"Draft {stored.id}",
            record=record,
            record_label=RECORD_LABELS[record],
            stored={
                "id": stored.id,
                "version": stored.version,
                "source": stored.source,
                "created_at": stored.created_at,
                "updated_at": stored.updated_at,
            },
            age=age(stored.created_at),
            format={"id": draft.format, "label": labels.get(draft.format, draft.format)},
            formats=switchable,
            fields=fields,
            general_findings=state["general_findings"],
            session=draft.session.to_dict(),
            date_input=_date_input_type(draft.session.date),
            client_url=_client_url(draft.session.client) if record == "clinical" else "",
            rendered=state["rendered"],
            companion=self._companion(stored),
            signer=self.config.settings.clinician,
            api=f"/api/{record}/drafts/{stored.id}",
        )
        return Response(200, html)

    def notes_page(self, request: Request) -> Response:
        """Finalized notes of one record, newest first."""
        record = self._record(request)
        labels = self._format_labels()
        notes = self.store.list_notes(private=record == "private")
        rows = [self._note_row(n, labels) for n in reversed(notes)]
        html = self._page(
            "notes.html",
            request.csrf,
            title=RECORD_LABELS[record],
            record=record,
            record_label=RECORD_LABELS[record],
            notes=rows,
        )
        return Response(200, html)

    def note_page(self, request: Request) -> Response:
        """A finalized note, read-only, with its amendments and the original."""
        record = self._record(request)
        note = self.store.get_note(self._id(request), private=record == "private")
        labels = self._format_labels()
        content = note.content
        html = self._page(
            "note.html",
            request.csrf,
            title=f"Note {note.id}",
            record=record,
            record_label=RECORD_LABELS[record],
            note=self._note_row(note, labels),
            fields=[{"label": f.label, "paragraphs": f.paragraphs} for f in content.fields],
            session=content.session.to_dict(),
            original=[{"label": f.label, "paragraphs": f.paragraphs} for f in note.original.fields],
            amendments=[{"at": a.at, "reason": a.reason, "signed_by": a.signed_by} for a in note.amendments],
            rendered=Dictation(self.config).render_note(note),
        )
        return Response(200, html)

    def api_export(self, request: Request) -> Response:
        """A finalized note as a file to save: text, Markdown or FHIR JSON (audited)."""
        from ..export import EXPORT_KINDS, export_note

        record = self._record(request)
        kind = request.body.get("kind")
        if kind not in EXPORT_KINDS:
            raise DraftDataError(f"unknown export kind {kind!r}; kinds: {', '.join(EXPORT_KINDS)}")
        note_id = self._id(request)
        private = record == "private"
        note = self.store.get_note(note_id, private=private)
        exported = export_note(note, kind, self.config, private=private)
        self.store.record_export(note_id, kind, private=private)
        name = f"{'private-' if private else ''}note-{note_id}-{kind}{exported.suffix}"
        return Response(
            200,
            exported.text.encode("utf-8"),
            exported.media_type,
            {"Content-Disposition": f'attachment; filename="{name}"'},
        )

    def client_page(self, request: Request) -> Response:
        """A client's measures as charts, and the client's notes."""
        client = unquote(request.params["client"])
        labels = self._format_labels()
        charts = [
            {"name": s.name, "svg": line_chart(s), "points": s.points}
            for s in group_measures(self.store.client_measures(client))
        ]
        notes = [self._note_row(n, labels) for n in self.store.list_notes(client=client)]
        html = self._page(
            "client.html", request.csrf, title=f"Client {client}", client=client, charts=charts, notes=notes
        )
        return Response(200, html)

    def static(self, request: Request) -> Response:
        """The page's own script and style sheet (nothing comes from elsewhere)."""
        name = request.params["name"]
        try:
            data = resources.files(__package__).joinpath("static").joinpath(name).read_bytes()
        except (FileNotFoundError, OSError):
            return Response(404, b"not found", "text/plain; charset=utf-8")
        suffix = name[name.rindex(".") :]
        return Response(200, data, STATIC_TYPES[suffix])

    def favicon(self, request: Request) -> Response:
        """Browsers ask for /favicon.ico whatever the page says; the icon lives in static/."""
        return Response.redirect("/static/icon.svg")

    # --- API --------------------------------------------------------------

    def api_draft(self, request: Request) -> Response:
        """The draft's version, findings and rendered note."""
        record = self._record(request)
        stored = self.store.get_draft(self._id(request), private=record == "private")
        return Response.json(self._draft_state(stored))

    def api_save(self, request: Request) -> Response:
        """Save the page's edits if the draft is still at the version the page shows."""
        record = self._record(request)
        private = record == "private"
        version = expected_version(request.body)
        stored = self.store.get_draft(self._id(request), private=private)
        edited = apply_edit(stored.draft, request.body)
        saved = self.store.update_draft(stored.id, edited, expected_version=version, private=private)
        log.info("saved draft %d (%s) at version %d", saved.id, record, saved.version)
        return Response.json(self._draft_state(saved))

    def api_finalize(self, request: Request) -> Response:
        """Sign the draft: it becomes an immutable note and leaves the inbox."""
        record = self._record(request)
        version = expected_version(request.body)
        signer = request.body.get("signed_by")
        if not isinstance(signer, str) or not signer.strip():
            raise DraftDataError("enter the name of the clinician who signs the note")
        note = self.store.finalize_draft(
            self._id(request), expected_version=version, signed_by=signer.strip(), private=record == "private"
        )
        log.info("finalized draft %d (%s) as note %d", note.draft_id, record, note.id)
        return Response.json({"ok": True, "note": note.id, "url": f"/{record}/notes/{note.id}"})

    def api_discard(self, request: Request) -> Response:
        """Throw the draft away (the audit log keeps that it was discarded, not what it said)."""
        record = self._record(request)
        version = expected_version(request.body)
        self.store.discard_draft(self._id(request), expected_version=version, private=record == "private")
        return Response.json({"ok": True, "url": "/"})

    def api_switch_format(self, request: Request) -> Response:
        """Re-map the draft's sentences into another format's fields."""
        record = self._record(request)
        if record == "private":
            raise DraftDataError("a psychotherapy note keeps its own format")
        version = expected_version(request.body)
        target = request.body.get("format")
        if not isinstance(target, str) or target == PRIVATE_FORMAT:
            raise DraftDataError("choose one of the clinical note formats")
        stored = self.store.get_draft(self._id(request))
        switched = Dictation(self.config).switch_format(stored.draft, target)
        saved = self.store.update_draft(stored.id, switched, expected_version=version)
        return Response.json({**self._draft_state(saved), "url": f"/clinical/drafts/{saved.id}"})


def _client_url(client: str | None) -> str:
    return f"/clients/{quote(client, safe='')}" if client else ""


def _date_input_type(date: str | None) -> str:
    """A date picker for ISO dates; plain text otherwise, so that saving never blanks a date."""
    if not date:
        return "date"
    try:
        dt.date.fromisoformat(date)
    except ValueError:
        return "text"
    return "date"
