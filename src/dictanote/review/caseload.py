"""The review page's caseload routes: a client's page (by client id) and their treatment plan page,
and the goal links a draft's sentences may carry (checked against the client's plan).

Functions of the ``ReviewApp`` and the request, registered in its route table by ``routes``.
Reads and writes through the store and the one ``Dictation``; never speaks SQL or HTTP headers,
and never logs a client's id, name or plan text.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..core.errors import DictanoteError
from ..core.plans import Objective, PlanContent, TreatmentPlan, plan_from_text, plan_to_text
from ..core.types import Client, Draft, Note, StoredDraft
from . import views
from .chart import group_measures, line_chart
from .edits import sentence_key
from .pages import Handler, ReviewApp
from .web import Request, Response

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


def routes(app: ReviewApp, cid: str) -> tuple[tuple[str, str, Handler], ...]:
    """The caseload's routes for ``app``'s table (``cid``: the pattern of a client id)."""

    def client_page(request: Request) -> Response:
        return show_client(app, request)

    def plan_page(request: Request) -> Response:
        return show_plan(app, request)

    def save_plan(request: Request) -> Response:
        return edit_plan(app, request)

    return (
        ("GET", rf"/clients/{cid}", client_page),
        ("GET", rf"/clients/{cid}/plan", plan_page),
        ("POST", rf"/clients/{cid}/plan", save_plan),
    )


def client_url(client_id: str) -> str:
    """A client's page."""
    return f"/clients/{quote(client_id, safe='')}"


# --- what the pages show -------------------------------------------------------------------------


def _linked(draft: Draft) -> set[str]:
    return {g.lower() for f in draft.fields for s in f.sentences for g in s.goals}


def goal_rows(content: PlanContent, notes: list[Note], drafts: list[StoredDraft]) -> list[dict[str, Any]]:
    """Each goal of the plan with its objectives and the signed notes (and drafts) whose sentences link it."""
    note_links = [(n, _linked(n.content)) for n in notes]
    draft_links = [(d, _linked(d.draft)) for d in drafts]
    return [
        {
            "id": g.id,
            "text": g.text,
            "problem": g.problem or "",
            "objectives": [objective_row(o) for o in content.objectives_of(g.id)],
            "notes": [
                {"id": n.id, "date": _service_date(n), "url": f"/clinical/notes/{n.id}"}
                for n, ids in note_links
                if g.id.lower() in ids
            ],
            "drafts": [
                {"id": d.id, "date": d.draft.session.date or "", "url": f"/clinical/drafts/{d.id}"}
                for d, ids in draft_links
                if g.id.lower() in ids
            ],
        }
        for g in content.goals
    ]


def _service_date(note: Note) -> str:
    return note.content.session.date or note.finalized_at[:10]


def objective_row(o: Objective) -> dict[str, Any]:
    """An objective as the pages list it: its words, and its measure, target and date when known."""
    measured = f"{o.direction or 'at'} {o.target}" if o.measure and o.target is not None else ""
    return {
        "id": o.id,
        "goal": o.goal,
        "text": o.text,
        "measure": o.measure or "",
        "target": measured,
        "by": o.by or "",
    }


def plan_facts(plan: TreatmentPlan) -> dict[str, Any]:
    """A stored plan version's facts: version, when, who, why."""
    return {
        "version": plan.version,
        "created_at": plan.created_at,
        "signed_by": plan.signed_by,
        "reason": plan.reason,
        "review_date": plan.content.review_date or "",
    }


def _charts(app: ReviewApp, client_id: str, plan: TreatmentPlan | None) -> list[dict[str, Any]]:
    objectives = plan.content.objectives if plan else ()
    charts = []
    for s in group_measures(app.store.client_measures(client_id)):
        target = next((o for o in objectives if o.measure == s.name and o.target is not None), None)
        charts.append({"name": s.name, "svg": line_chart(s, target), "points": s.points})
    return charts


def client_drafts(app: ReviewApp, client: Client) -> list[StoredDraft]:
    """The client's clinical drafts in the inbox, oldest first."""
    mine = client.id.lower()
    return [d for d in app.store.list_drafts() if (d.draft.session.client_id or "").lower() == mine]


# --- the pages -----------------------------------------------------------------------------------


def show_client(app: ReviewApp, request: Request) -> Response:
    """A client's page: who, the plan's goals with the notes that address them, notes, drafts, measures."""
    client = app.store.get_client(request.params["cid"])
    plan = app.store.plan(client.id)
    labels = views.format_labels(app.dictation.formats())
    notes = app.store.list_notes(client=client.id)
    drafts = client_drafts(app, client)
    now = dt.datetime.now(dt.timezone.utc)
    return app.page(
        200,
        "client.html",
        request.csrf,
        title=f"Client {client.id}",
        client=client,
        plan=plan_facts(plan) if plan else None,
        plan_url=client_url(client.id) + "/plan",
        goals=goal_rows(plan.content, notes, drafts) if plan else [],
        charts=_charts(app, client.id, plan),
        notes=[views.note_row(n, labels) for n in notes],
        drafts=[views.draft_row(d, labels, now) for d in drafts],
    )


def _plan_page(
    app: ReviewApp,
    request: Request,
    client: Client,
    status: int,
    form: tuple[str, str, str] = ("", "", ""),
    message: str = "",
) -> Response:
    """The plan page; ``form``: the text, reason and signer the clinician sent (kept when refused)."""
    text, reason, signer = form
    plan = app.store.plan(client.id)
    content = plan.content if plan else None
    return app.page(
        status,
        "plan.html",
        request.csrf,
        title=f"Treatment plan · {client.id}",
        client=client,
        client_url=client_url(client.id),
        plan=plan_facts(plan) if plan else None,
        problems=list(content.problems) if content else [],
        goals=goal_rows(content, [], []) if content else [],
        history=[plan_facts(p) for p in reversed(app.store.plan_history(client.id))],
        text=text or plan_to_text(content, client.id),
        reason=reason,
        signer=signer or app.dictation.config.settings.clinician,
        message=message,
    )


def show_plan(app: ReviewApp, request: Request) -> Response:
    """The client's plan as it stands, its versions with their reasons, and the edit form."""
    client = app.store.get_client(request.params["cid"])
    return _plan_page(app, request, client, 200)


def edit_plan(app: ReviewApp, request: Request) -> Response:
    """The plan form: the plan's text, a reason and the signer (the ``clinician`` setting unless changed);
    a new version. A plan that cannot be read comes back in the form, its text kept, with the one-line reason.
    """
    client = app.store.get_client(request.params["cid"])
    text, reason, signer = (_field(request, k) for k in ("text", "reason", "signed_by"))
    signer = signer.strip() or app.dictation.config.settings.clinician
    try:
        content, said = plan_from_text(text, dt.date.today())
        saved = app.store.save_plan(client.id, content, reason=reason.strip() or said, signed_by=signer)
    except DictanoteError as exc:
        log.info("plan not saved: %s", type(exc).__name__)
        form = (text, reason, signer)
        return _plan_page(app, request, client, exc.http_status, form, " ".join(str(exc).split()))
    log.info("plan saved at version %d", saved.version)
    return Response.redirect(client_url(client.id) + "/plan")


def _field(request: Request, key: str) -> str:
    value = request.body.get(key)
    return value if isinstance(value, str) else ""


# --- goal links on a draft --------------------------------------------------------------------


def goal_context(app: ReviewApp, stored: StoredDraft) -> dict[str, Any] | None:
    """What the draft page needs to link sentences to goals: the plan's goals and, per sentence key,
    the suggested goal (None: no client, no plan, or a private draft)."""
    client_id = stored.draft.session.client_id
    if stored.record != "clinical" or not client_id:
        return None
    plan = app.store.plan(client_id)
    if plan is None:
        return None
    texts = {g.id: g.text for g in plan.content.goals}
    suggested = {
        sentence_key(s.field, s.index): {"id": s.goal, "text": texts[s.goal]}
        for s in app.dictation.goal_suggestions(stored, app.store)
    }
    return {
        "goals": [{"id": g.id, "text": g.text} for g in plan.content.goals],
        "texts": texts,
        "suggested": suggested,
        "plan_url": client_url(client_id) + "/plan",
    }
