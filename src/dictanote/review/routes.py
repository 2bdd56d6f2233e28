"""The review page's routes: a request (already admitted) in, a page or JSON out.

Reads and writes the store it is given and does everything else (findings,
rendering, format switches, export) through the one ``Dictation``. Knows nothing
of sockets, tokens or headers (``server`` does). An error becomes a message in
the page or the JSON with the error's ``http_status``, never a traceback.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from ..app.goals import checked_goal_links
from ..core.errors import DictanoteError, DraftDataError, EditConflictError
from ..core.policy import PRIVATE_FORMAT
from ..core.types import Note, NoteFormat, Record, StoredDraft
from ..export import EXPORT_KINDS
from ..store import Move, move_sentences
from . import auditlog, caseload, today, views
from .edits import (
    apply_edit,
    dictated_words,
    empty_draft,
    expected_version,
    forget_sentence,
    land_sentence,
    take_sentence,
)
from .web import STATIC_NAME, Request, Response, static_file

if TYPE_CHECKING:
    from ..app import Dictation
    from ..export import ExportKind
    from ..store import Store

log = logging.getLogger(__name__)

Handler = Callable[[Request], Response]

CONFLICT_MESSAGE = (
    "This draft was changed in another tab or window since this page was opened. "
    "Reload the page to see the latest version before saving again "
    "(copy any words you changed here first: they are not saved)."
)


def error_message(exc: DictanoteError) -> str:
    """What the page says about a refused request: one line, and what to do about a conflict."""
    return CONFLICT_MESSAGE if isinstance(exc, EditConflictError) else " ".join(str(exc).split())


class ReviewApp:
    """The routes of one review server launch over one ``Dictation`` and one open store."""

    def __init__(self, dictation: Dictation, store: Store) -> None:
        self.dictation = dictation
        self.store = store
        rec = r"(?P<record>clinical|private)"
        num = r"(?P<id>[0-9]{1,12})"
        cid = r"(?P<cid>[A-Za-z0-9._-]{1,32})"
        routes: tuple[tuple[str, str, Handler], ...] = (
            *today.routes(self),
            ("GET", r"/favicon\.ico", self.favicon),
            ("GET", rf"/static/(?P<name>{STATIC_NAME})", self.static),
            ("GET", rf"/{rec}/drafts/{num}", self.draft_page),
            ("GET", rf"/{rec}/notes", self.notes_page),
            ("GET", rf"/{rec}/notes/{num}", self.note_page),
            ("GET", r"/clients", self.clients_page),
            ("POST", r"/clients", self.add_client),
            ("POST", rf"/clients/{cid}/edit", self.edit_client),
            ("POST", rf"/clients/{cid}/archive", self.archive_client),
            *caseload.routes(self, cid),
            *auditlog.routes(self),
            ("GET", rf"/api/{rec}/drafts/{num}", self.api_draft),
            ("POST", rf"/api/{rec}/drafts/{num}/save", self.api_save),
            ("POST", rf"/api/{rec}/drafts/{num}/finalize", self.api_finalize),
            ("POST", rf"/api/{rec}/drafts/{num}/discard", self.api_discard),
            ("POST", rf"/api/{rec}/drafts/{num}/format", self.api_switch_format),
            ("POST", rf"/api/{rec}/drafts/{num}/move", self.api_move),
            ("POST", rf"/api/{rec}/notes/{num}/export", self.api_export),
            ("POST", rf"/{rec}/notes/{num}/amend", self.amend_note),
        )
        self._routes = [(method, re.compile(pattern + r"\Z"), handler) for method, pattern, handler in routes]

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
                return self._run(handler, Request(method, path, match.groupdict(), body, csrf))
        if allowed:
            return self._error(path, 405, f"{method} is not allowed here", csrf)
        return self._error(path, 404, "No such page.", csrf)

    def _run(self, handler: Handler, request: Request) -> Response:
        try:
            return handler(request)
        except DictanoteError as exc:
            log.info("%s refused: %s (%d)", handler.__name__, type(exc).__name__, exc.http_status)
            return self._error(request.path, exc.http_status, error_message(exc), request.csrf)
        except Exception as exc:  # the one catch-all: a page must never show a traceback
            log.error("%s failed: %s", handler.__name__, type(exc).__name__)
            message = f"Internal error ({type(exc).__name__}); nothing was changed by this request."
            return self._error(request.path, 500, message, request.csrf)

    def _error(self, path: str, status: int, message: str, csrf: str) -> Response:
        if path.startswith("/api/"):
            return Response.json({"ok": False, "status": status, "error": message}, status)
        return self._page(status, "error.html", csrf, title="Problem", status=status, message=message)

    # --- helpers ----------------------------------------------------------

    def _page(self, code: int, template: str, csrf: str, /, **context: Any) -> Response:
        html = self.dictation.render_page(f"review/{template}", {"csrf": csrf, **context})
        return Response(code, html.encode())

    def page(self, code: int, template: str, csrf: str, /, **context: Any) -> Response:
        """A review page rendered with its CSRF token (for the route modules, e.g. ``caseload``)."""
        return self._page(code, template, csrf, **context)

    @staticmethod
    def _record(request: Request) -> Record:
        return "private" if request.params["record"] == "private" else "clinical"

    @staticmethod
    def _id(request: Request) -> int:
        return int(request.params["id"])

    def _labels(self) -> dict[str, str]:
        return views.format_labels(self.dictation.formats())

    def _companion(self, stored: StoredDraft) -> dict[str, Any] | None:
        if stored.record == "private":
            if stored.companion is None:
                return None
            return {"url": f"/clinical/drafts/{stored.companion}", "record": "clinical"}
        other = self.store.companion_of(stored.id)
        return {"url": f"/private/drafts/{other.id}", "record": "private"} if other else None

    def draft_state(self, stored: StoredDraft) -> dict[str, Any]:
        """Version, findings per field and the rendered note: what the page refreshes after a save."""
        findings = self.dictation.findings(stored, store=self.store)
        per, general = views.findings_by_field(stored.draft, findings)
        return {
            "ok": True,
            "id": stored.id,
            "record": stored.record,
            "version": stored.version,
            "findings": per,
            "general_findings": general,
            "open_findings": views.open_findings(findings),
            "sentences": views.saved_words(stored.draft),
            "rendered": self.dictation.render(stored.draft),
        }

    # --- pages ------------------------------------------------------------

    def draft_page(self, request: Request) -> Response:
        """One draft, its fields as movable, editable sentences."""
        record = self._record(request)
        stored = self.store.get_draft(self._id(request), private=record == "private")
        state = self.draft_state(stored)
        draft = stored.draft
        labels = self._labels()
        clinical = record == "clinical"
        switchable = [{"id": k, "label": v} for k, v in labels.items() if k != PRIVATE_FORMAT]
        return self._page(
            200,
            "draft.html",
            request.csrf,
            title=f"Draft {stored.id}",
            record=record,
            record_label=views.RECORD_LABELS[record],
            stored=views.stored_facts(stored),
            age=views.age(stored.created_at),
            format={"id": draft.format, "label": labels.get(draft.format, draft.format)},
            formats=switchable if clinical else [],
            fields=views.draft_fields(draft, state["findings"]),
            general_findings=state["general_findings"],
            open_findings=state["open_findings"],
            session=draft.session.to_dict(),
            **today.session_panel(self, draft.session, record),
            date_input=views.date_input_type(draft.session.date),
            client_url=views.client_url(draft.session.client_id) if clinical else "",
            goal_links=caseload.goal_context(self, stored),
            rendered=state["rendered"],
            companion=self._companion(stored),
            move_to=views.move_target(record, stored.companion),
            signer=self.dictation.config.settings.clinician,
            api=f"/api/{record}/drafts/{stored.id}",
        )

    def notes_page(self, request: Request) -> Response:
        """Finalized notes of one record, newest first."""
        record = self._record(request)
        labels = self._labels()
        notes = self.store.list_notes(private=record == "private")
        return self._page(
            200,
            "notes.html",
            request.csrf,
            title=views.RECORD_LABELS[record],
            record=record,
            record_label=views.RECORD_LABELS[record],
            notes=[views.note_row(n, labels) for n in reversed(notes)],
        )

    def note_page(self, request: Request) -> Response:
        """A finalized note, read-only, with its amendments and the original."""
        record = self._record(request)
        note = self.store.get_note(self._id(request), private=record == "private")
        return self._page(
            200,
            "note.html",
            request.csrf,
            title=f"Note {note.id}",
            record=record,
            record_label=views.RECORD_LABELS[record],
            note=views.note_row(note, self._labels()),
            fields=views.note_fields(note.content),
            session=note.content.session.to_dict(),
            original=views.note_fields(note.original),
            amendments=views.amendments(note),
            rendered=self.dictation.render_note(note),
            amend_text=_amendable_text(note, self.dictation.format(note.content.format)),
            signer=self.dictation.config.settings.clinician,
        )

    def amend_note(self, request: Request) -> Response:
        """The note page's Amend form: the note's text as amended, a reason, a signer; back to the note."""
        from .editor import parse_edited

        record = self._record(request)
        private = record == "private"
        note_id = self._id(request)
        text, reason, signer = (request.body.get(k) for k in ("text", "reason", "signed_by"))
        if not isinstance(reason, str) or not reason.strip():
            raise DraftDataError("an amendment needs a reason: say what changed and why")
        if not isinstance(text, str):
            raise DraftDataError("an amendment needs the note's text as amended")
        note = self.store.get_note(note_id, private=private)
        amended = parse_edited(text, note.content, self.dictation.format(note.content.format))
        who = signer if isinstance(signer, str) else None
        done = self.dictation.amend(
            note_id, amended, reason=reason, private=private, signed_by=who, store=self.store
        )
        log.info("amended note %d (%s): amendment %d", note_id, record, len(done.amendments))
        return Response.redirect(f"/{record}/notes/{note_id}")

    def clients_page(self, request: Request) -> Response:
        """The client list (archived ones marked) with the add, edit and archive forms."""
        found = self.store.list_clients(archived=True)
        return self._page(200, "clients.html", request.csrf, title="Clients", clients=found)

    def add_client(self, request: Request) -> Response:
        """The Clients page's Add form; back to the list."""
        cid, name, dob, pronouns = (_form_text(request, k) for k in ("id", "name", "dob", "pronouns"))
        if not name:
            raise DraftDataError("a client needs a name: a display name or initials")
        self.store.add_client(cid or "", name=name, dob=dob, pronouns=pronouns)
        log.info("client added from the page")
        return Response.redirect("/clients")

    def edit_client(self, request: Request) -> Response:
        """A client's Save form (it confirms a client made from initials); back to the list."""
        changes = {k: v for k in ("name", "dob", "pronouns") if (v := _form_text(request, k)) is not None}
        self.store.edit_client(request.params["cid"], **changes)
        return Response.redirect("/clients")

    def archive_client(self, request: Request) -> Response:
        """A client's Archive (or, with ``undo``, Make active) button; back to the list."""
        self.store.archive_client(request.params["cid"], undo=bool(request.body.get("undo")))
        return Response.redirect("/clients")

    def static(self, request: Request) -> Response:
        """The page's own script and style sheet (nothing comes from elsewhere)."""
        return static_file(request.params["name"])

    def favicon(self, request: Request) -> Response:
        """Browsers ask for /favicon.ico whatever the page says; the icon lives in static/."""
        return Response.redirect("/static/icon.svg")

    # --- API --------------------------------------------------------------

    def api_draft(self, request: Request) -> Response:
        """The draft's version, findings and rendered note."""
        record = self._record(request)
        stored = self.store.get_draft(self._id(request), private=record == "private")
        return Response.json(self.draft_state(stored))

    def api_save(self, request: Request) -> Response:
        """Save the page's edits if the draft is still at the version the page shows."""
        record = self._record(request)
        private = record == "private"
        version = expected_version(request.body)
        stored = self.store.get_draft(self._id(request), private=private)
        edited = apply_edit(stored.draft, request.body)
        client_id = edited.session.client_id if record == "clinical" else None
        plan = self.store.plan(client_id) if client_id else None
        edited = checked_goal_links(edited, stored.draft, plan)
        saved = self.store.update_draft(stored.id, edited, expected_version=version, private=private)
        log.info("saved draft %d (%s) at version %d", saved.id, record, saved.version)
        return Response.json(self.draft_state(saved))

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
        if self._record(request) == "private":
            raise DraftDataError("a psychotherapy note keeps its own format")
        version = expected_version(request.body)
        target = request.body.get("format")
        if not isinstance(target, str) or target == PRIVATE_FORMAT:
            raise DraftDataError("choose one of the clinical note formats")
        stored = self.store.get_draft(self._id(request))
        switched = self.dictation.switch_format(stored.draft, target)
        saved = self.store.update_draft(stored.id, switched, expected_version=version)
        return Response.json({**self.draft_state(saved), "url": f"/clinical/drafts/{saved.id}"})

    def api_move(self, request: Request) -> Response:
        """Move one sentence to the private note (created if none), or from it to its clinical draft.

        To the private note its words leave the clinical record: the draft, every earlier
        revision and the transcript. Audited with ids and counts, never the words.
        """
        record = self._record(request)
        version = expected_version(request.body)
        key, field = request.body.get("key"), request.body.get("field")
        if not isinstance(key, str):
            raise DraftDataError("the request must name the sentence to move ('key'); reload the page")
        if field is not None and not isinstance(field, str):
            raise DraftDataError("'field' must name a field of the draft the sentence goes to")
        source = self.store.get_draft(self._id(request), private=record == "private")
        if source.version != version:
            raise EditConflictError(f"draft {source.id} is at version {source.version}, not {version}")
        target = self._move_target(source)
        kept, from_field, sentence = take_sentence(source.draft, key)
        base = target.draft if target else empty_draft(self.dictation.private_format)
        to_private = record == "clinical"
        words = dictated_words(source.draft, sentence) if to_private else None
        landed, to_field = land_sentence(base, field, sentence, words)
        move = Move(
            source=record,
            source_id=source.id,
            expected_version=version,
            kept=forget_sentence(sentence, earlier=False)(kept) if to_private else kept,
            target=landed,
            target_id=target.id if target else None,
            target_version=target.version if target else None,
            field=to_field,
            count=1,
            forget=forget_sentence(sentence, earlier=True) if to_private else None,
        )
        saved, moved = move_sentences(self.store, move)
        log.info("moved a sentence from %s draft %d (%s) to %s", record, saved.id, from_field, moved.record)
        target_info = {"record": moved.record, "id": moved.id, "url": f"/{moved.record}/drafts/{moved.id}"}
        return Response.json({**self.draft_state(saved), "target": target_info})

    def _move_target(self, source: StoredDraft) -> StoredDraft | None:
        """Where a sentence of ``source`` moves: its companion in the other record (None: a new one)."""
        if source.record == "clinical":
            return self.store.companion_of(source.id)
        if source.companion is None:
            raise DraftDataError(
                "this private note has no clinical draft to move it to: it was dictated on its own"
            )
        return self.store.get_draft(source.companion)

    def api_export(self, request: Request) -> Response:
        """A finalized note as a file to save: text, Markdown or FHIR JSON (audited)."""
        private = self._record(request) == "private"
        kind = request.body.get("kind")
        if kind not in EXPORT_KINDS:
            raise DraftDataError(f"unknown export kind {kind!r}; kinds: {', '.join(EXPORT_KINDS)}")
        note_id = self._id(request)
        exported = self.dictation.export(note_id, cast("ExportKind", kind), private=private, store=self.store)
        name = f"{'private-' if private else ''}note-{note_id}-{kind}{exported.suffix}"
        return Response(
            200,
            exported.text.encode("utf-8"),
            exported.media_type,
            {"Content-Disposition": f'attachment; filename="{name}"'},
        )


def _amendable_text(note: Note, fmt: NoteFormat) -> str:
    """The note as it now reads, for the Amend form: the editor's text without its $EDITOR comment."""
    from .editor import editable_text

    return editable_text(note.content, fmt, None)


def _form_text(request: Request, key: str) -> str | None:
    """A form field as text (None when absent or not text)."""
    value = request.body.get(key)
    return value if isinstance(value, str) else None
