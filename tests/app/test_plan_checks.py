"""``Dictation.findings`` with the store: the client's treatment plan reaches the checks by itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from dictanote.app import Dictation, SessionStart
from dictanote.core.plans import Goal, PlanContent
from dictanote.core.types import Draft

PROGRESS = (
    "Session focus. Her sleep since last week. Interventions. I used stimulus control from CBT-I. "
    "Client response. She agreed to leave the bed when awake. Progress. She slept through five nights "
    "of seven. Risk. Denies SI and HI. Plan. Weekly sessions."
)
# Dictated on 2027-04-15: the date of service defaults to it (no date is said).
STARTED = dt.datetime(2027, 4, 15, 15, 0, tzinfo=dt.timezone.utc)
PLAN = PlanContent(
    goals=(Goal("G1", "Sleep through the night"), Goal("G2", "Return to work")), review_date="2027-03-01"
)


def _plan_codes(dictation: Dictation, draft_id: int) -> list[str]:
    with dictation.open_store() as store:
        stored = store.get_draft(draft_id)
        return [f.code for f in dictation.findings(stored, store=store) if f.code.startswith("plan-")]


def _link_progress(draft: Draft, goal: str) -> Draft:
    """The draft as the review page saves it once the clinician links the progress sentences to ``goal``."""
    fields = tuple(
        replace(f, sentences=tuple(replace(s, goals=(goal,)) for s in f.sentences))
        if f.id == "progress"
        else f
        for f in draft.fields
    )
    return replace(draft, fields=fields)


def test_plan_checks_through_the_store(dictation: Dictation) -> None:
    start = SessionStart(client_id="c1", started=STARTED)
    with dictation.open_store() as store:
        store.add_client("C1", name="M.R.")
        store.add_client("C2", name="M.R.")
        result = dictation.from_text(PROGRESS, "progress", start=start)
        assert result.draft.session.date == STARTED.astimezone().strftime("%Y-%m-%d")
        stored = dictation.save(result, source="test", store=store)
        other = dictation.save(
            dictation.from_text(PROGRESS, "progress", start=replace(start, client_id="C2")), store=store
        )
        assert [f.code for f in dictation.findings(stored) if f.code.startswith("plan-")] == []  # no store
    assert _plan_codes(dictation, stored.id) == []  # no plan yet: not the checks' business

    with dictation.open_store() as store:
        store.save_plan("C1", PLAN, reason="", signed_by="A. Lee")
    assert _plan_codes(dictation, stored.id) == ["plan-goal-missing", "plan-review-due"]
    assert _plan_codes(dictation, other.id) == []  # C2, the other M.R., has no plan

    with dictation.open_store() as store:
        store.update_draft(stored.id, _link_progress(stored.draft, "G1"), expected_version=stored.version)
    assert _plan_codes(dictation, stored.id) == ["plan-review-due"]

    with dictation.open_store() as store:
        store.save_plan("C1", replace(PLAN, review_date="2027-06-01"), reason="reviewed", signed_by="A. Lee")
    assert _plan_codes(dictation, stored.id) == []
