"""The audit log: actions without their words, and a hash chain that shows tampering."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from dictanote.core.types import SessionInfo
from dictanote.store import Store
from tests.store.drafts import sample_draft


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("move", [("moved", {"from": "objective", "to": "assessment", "count": 1})]),
        ("reword", [("edited", {"fields": ["plan"]})]),
        ("session", [("edited", {"fields": ["session"]})]),
        ("delete", [("edited", {"fields": ["subjective"]})]),
    ],
)
def test_audit_audits_edits_without_text(
    store: Store, change: str, expected: list[tuple[str, dict[str, object]]]
) -> None:
    saved = store.save_draft(sample_draft())
    s, o, a, p = saved.draft.fields
    new = {
        "move": replace(
            saved.draft, fields=(s, replace(o, sentences=()), replace(a, sentences=o.sentences), p)
        ),
        "reword": replace(
            saved.draft,
            fields=(s, o, a, replace(p, sentences=(replace(p.sentences[0], text="Meet in two weeks."),))),
        ),
        "session": replace(saved.draft, session=SessionInfo(client="JD", duration_minutes=50)),
        "delete": replace(saved.draft, fields=(replace(s, sentences=()), o, a, p)),
    }[change]
    store.update_draft(saved.id, new, expected_version=1)
    entries = store.audit_entries()[1:]
    assert [(e.action, {k: v for k, v in e.detail.items() if k != "version"}) for e in entries] == expected
    assert "Meet" not in json.dumps([e.detail for e in store.audit_entries()])


def _tamper(path: Path, *sql: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER audit_append_only")
        conn.execute("DROP TRIGGER audit_undeletable")
        for statement in sql:
            conn.execute(statement)


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("UPDATE audit SET action = 'edited' WHERE seq = 2", "entry 2 was altered"),
        ("UPDATE audit SET detail = '{}' WHERE seq = 1", "entry 1 was altered"),
        ("DELETE FROM audit WHERE seq = 2", "entry 2 is missing"),
        ("DELETE FROM audit WHERE seq = 3", "last entries were removed"),
    ],
)
def test_audit_audit_chain_detects_tampering(tmp_path: Path, sql: str, problem: str) -> None:
    with Store.open(tmp_path) as store:
        saved = store.save_draft(sample_draft())
        store.finalize_draft(saved.id, expected_version=1, signed_by="A. Lee")
        store.record_export(1, "fhir")
        assert store.verify_audit().ok
    _tamper(tmp_path / "clinical.db", sql)
    with Store.open(tmp_path) as store:
        report = store.verify_audit()
    assert not report.ok and problem in (report.problem or "")
