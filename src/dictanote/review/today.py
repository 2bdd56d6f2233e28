"""The daily finalize block: "today" (the drafts due, oldest first), sign and next, the day's summary,
and the draft page's session panel (the client picker, date and time of service, "did the session happen?").

Handlers take the ``ReviewApp`` and the request and answer a page, a redirect or JSON; the store
does the saving (``app.sessions.set_session`` for client, date and time). A private draft is listed
by its id and its client's id only: never its words, never a client's name or initials.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from ..app.choices import check_attendance, check_reason, client_choices
from ..app.sessions import check_service_date, check_service_time, set_session
from ..core.errors import BadInputError, EditConflictError, RecordNotFoundError
from ..core.policy import ATTENDANCE, ATTENDANCE_LABELS, DUE_HOURS, LATE_HOURS, parse_utc
from ..core.types import Client, Record, SessionInfo, StoredDraft
from . import views
from .edits import expected_version
from .pages import Handler, ReviewApp
from .web import Request, Response

if TYPE_CHECKING:
    from ..store import Store

log = logging.getLogger(__name__)


SESSION_KEYS = ("client_id", "date", "time", "attendance", "attendance_reason")
DONE_URL = "/today/done"


def routes(app: ReviewApp) -> tuple[tuple[str, str, Handler], ...]:
    """This module's routes over ``app``, for its route table (the landing page ``/`` among them)."""

    def today(request: Request) -> Response:
        return today_page(app, request)

    def today_next(request: Request) -> Response:
        return next_draft(app, request)

    def today_done(request: Request) -> Response:
        return done_page(app, request)

    def api_session(request: Request) -> Response:
        return save_session(app, request)

    rec = r"(?P<record>clinical|private)"
    num = r"(?P<id>[0-9]{1,12})"
    return (
        ("GET", r"/", today),
        ("GET", rf"/today/next/{rec}/{num}", today_next),
        ("GET", DONE_URL, today_done),
        ("POST", rf"/api/{rec}/drafts/{num}/session", api_session),
    )


# --- the block -------------------------------------------------------------------------------------


def _names(store: Store) -> dict[str, str]:
    """Each listed client's name by id (lower case), archived ones included."""
    return {c.id.lower(): c.name for c in store.list_clients(archived=True)}


def draft_rows(app: ReviewApp, now: dt.datetime) -> dict[Record, list[dict[str, Any]]]:
    """The drafts due, each record's oldest first, as the block lists them (``views.draft_row`` and
    the chosen client's id and name, the spoken initials, the time of service)."""
    labels = views.format_labels(app.dictation.formats())
    names = _names(app.store)
    rows: dict[Record, list[dict[str, Any]]] = {}
    for record in ("clinical", "private"):
        drafts = app.store.list_drafts(private=record == "private")
        rows[record] = [_row(app, d, labels, names, now) for d in drafts]
    return rows


def _row(
    app: ReviewApp, stored: StoredDraft, labels: dict[str, str], names: dict[str, str], now: dt.datetime
) -> dict[str, Any]:
    findings = app.dictation.findings(stored, now, app.store)
    row = views.draft_row(stored, labels, now, findings)
    session = stored.draft.session
    client_id = session.client_id or ""
    clinical = stored.record == "clinical"
    row.update(
        client_id=client_id,
        client_name=names.get(client_id.lower(), "") if clinical else "",
        client_url=views.client_url(client_id) if clinical else "",
        spoken=(session.client or "") if clinical else "",
        time=session.time or "",
        attendance=ATTENDANCE_LABELS.get(session.attendance or "", ""),
    )
    return row


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """How many drafts wait, how many are late and due soon, and the line that says so."""
    late = sum(1 for r in rows if r["age"]["state"] == "late")
    due = sum(1 for r in rows if r["age"]["state"] == "near")
    count = len(rows)
    parts = [f"{late} late"] if late else []
    parts += [f"{due} due soon"] if due else []
    line = f"{count} draft{'s' if count != 1 else ''} to sign" + (f": {', '.join(parts)}" if parts else "")
    return {"count": count, "late": late, "due": due, "line": line if count else "Nothing to sign."}


def today_page(app: ReviewApp, request: Request) -> Response:
    """The landing page: the drafts due, oldest first, with a summary line and a keyboard flow."""
    now = dt.datetime.now(dt.timezone.utc)
    rows = draft_rows(app, now)
    damaged = {r: app.store.damaged_drafts(private=r == "private") for r in ("clinical", "private")}
    return app.page(
        200,
        "today.html",
        request.csrf,
        title="Today",
        summary=summary(rows["clinical"] + rows["private"]),
        clinical=rows["clinical"],
        private=rows["private"],
        damaged=views.damaged_notice(damaged),
        window=f"{LATE_HOURS:.0f}",
        due=f"{DUE_HOURS:.0f}",
    )


def _order(stored: StoredDraft) -> tuple[int, str, int]:
    """Where a draft stands in the block: clinical before private, then oldest first."""
    return (stored.record == "private", stored.created_at, stored.id)


def _place(store: Store, record: Record, draft_id: int) -> tuple[int, str, int] | None:
    """The block's order of a draft just signed (from its note), or still in the inbox; None if gone."""
    private = record == "private"
    for d in store.list_drafts(private=private):
        if d.id == draft_id:
            return _order(d)
    for note in store.list_notes(private=private):
        if note.draft_id == draft_id:
            return (private, note.created_at, draft_id)
    return None


def next_draft(app: ReviewApp, request: Request) -> Response:
    """Sign and next: on to the block's next draft after this one; the day's summary after the last."""
    record: Record = "private" if request.params["record"] == "private" else "clinical"
    after = _place(app.store, record, int(request.params["id"]))
    waiting = sorted(
        (*app.store.list_drafts(), *app.store.list_drafts(private=True)),
        key=_order,
    )
    later = [d for d in waiting if after is None or _order(d) > after]
    if not later:
        return Response.redirect(DONE_URL)
    found = later[0]
    return Response.redirect(f"/{found.record}/drafts/{found.id}")


def _signed_today(store: Store, private: bool, today: dt.date) -> int:
    """How many notes of the record were signed today (the machine's local day)."""
    return sum(
        1 for n in store.list_notes(private=private) if parse_utc(n.finalized_at).astimezone().date() == today
    )


def done_page(app: ReviewApp, request: Request) -> Response:
    """The block's end: signed today, still in the inbox, due soon and late (with links to those)."""
    now = dt.datetime.now(dt.timezone.utc)
    today = now.astimezone().date()
    rows = draft_rows(app, now)
    waiting = rows["clinical"] + rows["private"]
    return app.page(
        200,
        "today_done.html",
        request.csrf,
        title="Signed today",
        signed=_signed_today(app.store, False, today),
        signed_private=_signed_today(app.store, True, today),
        summary=summary(waiting),
        waiting=[r for r in waiting if r["age"]["state"] in ("late", "near")],
        window=f"{LATE_HOURS:.0f}",
    )


# --- the draft page's session panel ------------------------------------------------------------------


def _client_view(c: Client, clinical: bool) -> dict[str, str]:
    """A client as the panel shows it: id and name on a clinical draft, the id alone on a private one."""
    label = f"{c.id} · {c.name}" if clinical else c.id
    return {"id": c.id, "name": c.name if clinical else "", "label": label}


def session_panel(app: ReviewApp, session: SessionInfo, record: Record) -> dict[str, Any]:
    """What the draft page's session panel shows: the chosen client (id, name) or the picker, never
    preselected, the clients matching the spoken initials first; and "did the session happen?"."""
    clinical = record == "clinical"
    chosen: dict[str, str] | None = None
    if session.client_id:
        try:
            chosen = _client_view(app.store.get_client(session.client_id), clinical)
        except RecordNotFoundError:
            chosen = {"id": session.client_id, "name": "", "label": session.client_id}
    matched, others = client_choices(session.client if clinical else None, app.store.list_clients())
    return {
        "chosen_client": chosen,
        "client_matches": [_client_view(c, clinical) for c in matched],
        "client_others": [_client_view(c, clinical) for c in others],
        "attendance_choices": [{"id": a, "label": ATTENDANCE_LABELS[a]} for a in ATTENDANCE],
    }


def _given(body: dict[str, Any]) -> dict[str, Any]:
    """The session facts the request names (``SESSION_KEYS``); any other key is refused by name."""
    given = {k: v for k, v in body.items() if k != "version"}
    unknown = sorted(set(given) - set(SESSION_KEYS))
    if unknown:
        facts = ", ".join(SESSION_KEYS)
        raise BadInputError(f"session fact {unknown[0]!r} cannot be set here; facts: {facts}")
    for key in ("client_id", "date", "time"):
        if key in given and not isinstance(given[key], str):
            raise BadInputError(f"'{key}' must be text")
    return given


def _checked(store: Store, given: dict[str, Any]) -> dict[str, Any]:
    """Every fact checked before anything is saved: the client in the list, date, time, attendance."""
    checked: dict[str, Any] = {}
    if "client_id" in given:
        try:
            checked["client_id"] = store.get_client(given["client_id"].strip()).id
        except RecordNotFoundError as exc:
            raise BadInputError(" ".join(str(exc).split())) from exc
    if "date" in given:
        checked["date"] = check_service_date(given["date"])
    if "time" in given:
        checked["time"] = check_service_time(given["time"])
    if "attendance" in given:
        checked["attendance"] = check_attendance(given["attendance"])
    if "attendance_reason" in given:
        checked["attendance_reason"] = check_reason(given["attendance_reason"])
    return checked


def save_session(app: ReviewApp, request: Request) -> Response:
    """The session panel's Save: client, date and time of service, attendance and its reason.

    Each fact is checked (one-line 400) before anything is saved; the draft must still be at the
    version the page shows; one revision holds them all (``app.sessions.set_session``).
    """
    record: Record = "private" if request.params["record"] == "private" else "clinical"
    private = record == "private"
    version = expected_version(request.body)
    checked = _checked(app.store, _given(request.body))
    stored = app.store.get_draft(int(request.params["id"]), private=private)
    if stored.version != version:
        raise EditConflictError(f"draft {stored.id} is at version {stored.version}, not {version}")
    session = stored.draft.session
    answered = None
    if "attendance" in checked or "attendance_reason" in checked:
        answered = (
            checked.get("attendance", session.attendance),
            checked.get("attendance_reason", session.attendance_reason),
        )
    when = {k: checked.get(k) for k in ("client_id", "date", "time")}
    stored = set_session(
        app.store, stored.id, **when, attendance=answered, private=private, expected_version=version
    )
    log.info("session of draft %d (%s) set: %s", stored.id, record, ", ".join(sorted(checked)))
    return Response.json({**app.draft_state(stored), "session": stored.draft.session.to_dict()})
