"""Treatment plans on a real store: versions with reasons, audited without words, covered by verify."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import closing

import pytest

from dictanote.core.errors import BadInputError, RecordNotFoundError
from dictanote.core.plans import PlanContent, plan_from_text
from dictanote.store import Store
from tests.util import RAW_ERRORS, open_raw

TODAY = dt.date(2026, 11, 30)
PLAN = """
reason = "intake"
review_date = "2027-02-28"
[[problems]]
id = "P1"
text = "Low mood since the move"
[[goals]]
id = "G1"
problem = "P1"
text = "Fewer days of low mood"
[[goals]]
id = "G2"
text = "Back at work three days a week"
[[objectives]]
goal = "G1"
text = "PHQ-9 below 10 by March"
"""


def _plan(text: str = PLAN) -> PlanContent:
    return plan_from_text(text, TODAY)[0]


def test_plans_versions_keep_their_reasons_and_an_unchanged_save_is_no_version(store: Store) -> None:
    store.add_client("C1", name="M.R.")
    assert store.plan("C1") is None
    first = store.save_plan("c1", _plan(), reason="", signed_by="Dr. A")
    assert (first.version, first.reason, first.client_id) == (1, "initial plan", "C1")
    assert first.content.objectives[0].target == 10 and first.content.objectives[0].by == "2027-03-31"
    assert store.save_plan("C1", _plan(), reason="again", signed_by="Dr. A").version == 1
    changed = _plan(PLAN.replace("three days", "four days"))
    with pytest.raises(BadInputError, match="say why the plan changes"):
        store.save_plan("C1", changed, reason="  ", signed_by="Dr. A")
    second = store.save_plan("C1", changed, reason="client asked for more", signed_by="Dr. A")
    assert [(p.version, p.reason) for p in store.plan_history("C1")] == [
        (1, "initial plan"),
        (2, "client asked for more"),
    ]
    assert store.plan("C1") == second and second.content.goals[1].text.startswith("Back at work four")


def test_plans_audit_names_rows_never_words_and_verify_covers_them(store: Store) -> None:
    store.add_client("C1", name="M.R.")
    store.save_plan("C1", _plan(), reason="intake", signed_by="Dr. A")
    entries = [e for e in store.audit_entries() if e.object == "plan"]
    assert [(e.action, e.detail["version"]) for e in entries] == [("created", 1)]
    dumped = json.dumps([e.detail for e in store.audit_entries()])
    assert "mood" not in dumped and "intake" not in dumped and "C1" not in dumped
    assert store.verify_audit().ok
    with closing(open_raw(store.data_dir / "clinical.db")) as conn:
        with pytest.raises(RAW_ERRORS, match="new version"):
            conn.execute("UPDATE plans SET reason = 'x'")
        with pytest.raises(RAW_ERRORS, match="kept"):
            conn.execute("DELETE FROM plans")
        conn.execute("DROP TRIGGER plans_append_only")
        conn.execute("UPDATE plans SET content = replace(content, 'Fewer', 'More')")
    report = store.verify_audit()
    assert not report.ok and "plan 1's content does not match" in str(report.problem)


def test_plans_need_a_listed_client_and_a_signer(store: Store) -> None:
    with pytest.raises(RecordNotFoundError, match="no client 'ZZ'"):
        store.save_plan("ZZ", _plan(), reason="", signed_by="Dr. A")
    store.add_client("C1", name="M.R.")
    with pytest.raises(BadInputError, match="signed-by"):
        store.save_plan("C1", _plan(), reason="", signed_by=" ")
    assert store.plan_history("C1") == []


def test_plans_a_client_row_without_its_entry_fails_verify(store: Store) -> None:
    store.add_client("C1", name="M.R.")
    with closing(open_raw(store.data_dir / "clinical.db")) as conn:
        conn.execute(
            "INSERT INTO clients (code, name, status, confirmed, created_at, updated_at) "
            "VALUES ('X9', 'slipped in', 'active', 1, '', '')"
        )
    report = store.verify_audit()
    assert not report.ok and "client 2 has no 'created' entry" in str(report.problem)
