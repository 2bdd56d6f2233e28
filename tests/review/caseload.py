"""A caseload for the client, plan and goal-link tests of ``tests/review`` (imported, never a fixture):
a plan with two goals and a PHQ-9 objective, and notes of clients called "M.R." told apart by id."""

from __future__ import annotations

import datetime as dt

from dictanote.core.plans import plan_from_text
from dictanote.core.types import Draft, MeasureValue, SessionInfo
from dictanote.store import Store
from tests.util import make_draft

PLAN = """
review_date = "2027-06-30"
[[problems]]
id = "P1"
text = "Depression"
[[goals]]
id = "G1"
problem = "P1"
text = "Reduce depressive symptoms"
[[goals]]
id = "G2"
text = "Return to work full time"
[[objectives]]
goal = "G1"
text = "PHQ-9 below 10 by 2027-03-31"
"""


def session_draft(client_id: str, date: str, words: str, score: int | None = None) -> Draft:
    """A SOAP draft of one session with an "M.R." client of the list (and a PHQ-9 score if given)."""
    measures = (MeasureValue("PHQ-9", score),) if score is not None else ()
    session = SessionInfo(client="M.R.", client_id=client_id, date=date, measures=measures)
    return make_draft("soap", {"subjective": [words], "plan": ["Meet next week."]}, session=session)


def sign(store: Store, draft: Draft) -> int:
    """Save and sign ``draft``; the note's id."""
    saved = store.save_draft(draft)
    return store.finalize_draft(saved.id, expected_version=saved.version, signed_by="Dr A").id


def give_plan(store: Store, client_id: str = "mr-1") -> None:
    """Give the client ``PLAN`` (its first version)."""
    content, _ = plan_from_text(PLAN, dt.date(2026, 11, 30))
    store.save_plan(client_id, content, reason="", signed_by="Dr A")
