"""The inbox and the notes on real SQLite files: drafts, versions, the private record, finalizing."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from dictanote.core.errors import (
    BadInputError,
    EditConflictError,
    RecordNotFoundError,
)
from dictanote.core.types import MeasureValue
from dictanote.store import Store
from tests.store.drafts import sample_draft


def test_store_round_trips_a_draft(store: Store) -> None:
    draft = sample_draft(measures=(MeasureValue("PHQ-9", 9, 14),), date="2026-11-20")
    saved = store.save_draft(draft, source="daemon")
    assert saved.draft == draft
    assert (saved.version, saved.record, saved.source) == (1, "clinical", "daemon")
    assert store.get_draft(saved.id).draft == draft


def test_store_keeps_private_notes_apart(store: Store) -> None:
    companion = sample_draft("psychotherapy", client=None)
    saved = store.save_draft(sample_draft(private=companion))
    assert saved.draft.private is None
    private = store.list_drafts(private=True)
    assert [(d.record, d.companion, d.draft) for d in private] == [("private", saved.id, companion)]
    assert store.companion_of(saved.id) == private[0]
    only_private = store.save_draft(sample_draft("psychotherapy"))
    assert only_private.record == "private"
    assert [d.draft.format for d in store.list_drafts()] == ["soap"]
    # Nothing of the private note is in the clinical file.
    raw = (store.data_dir / "clinical.db").read_bytes() + (store.data_dir / "clinical.db-wal").read_bytes()
    assert b"protective" not in raw


def test_store_edits_are_versioned_and_conflicts_refused(store: Store) -> None:
    saved = store.save_draft(sample_draft())
    subjective, objective, assessment, plan = saved.draft.fields
    moved = replace(
        saved.draft,
        fields=(
            subjective,
            replace(objective, sentences=()),
            replace(assessment, sentences=objective.sentences),
            plan,
        ),
    )
    second = store.update_draft(saved.id, moved, expected_version=1)
    assert second.version == 2
    with pytest.raises(EditConflictError, match="reload"):
        store.update_draft(saved.id, saved.draft, expected_version=1)
    assert store.get_draft(saved.id).draft == moved
    # Every version is kept.
    with sqlite3.connect(store.data_dir / "clinical.db") as conn:
        assert conn.execute(
            "SELECT count(*) FROM draft_revisions WHERE draft_id = ?", (saved.id,)
        ).fetchone() == (2,)


def test_store_finalized_notes_are_immutable(store: Store) -> None:
    saved = store.save_draft(sample_draft())
    note = store.finalize_draft(saved.id, expected_version=1, signed_by="A. Lee, LMFT")
    assert note.content == saved.draft and note.signed_by == "A. Lee, LMFT"
    with pytest.raises(RecordNotFoundError, match="finalized"):
        store.get_draft(saved.id)
    with pytest.raises(RecordNotFoundError):
        store.finalize_draft(saved.id, expected_version=None, signed_by="A. Lee")
    with sqlite3.connect(store.data_dir / "clinical.db") as conn:
        for sql in ("UPDATE notes SET content = 'x'", "DELETE FROM notes", "DELETE FROM audit"):
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute(sql)
    fixed = replace(note.content, session=replace(note.content.session, duration_minutes=45))
    amended = store.amend_note(note.id, fixed, reason="duration was left out", signed_by="A. Lee, LMFT")
    assert amended.original == saved.draft and amended.content == fixed
    assert amended.amendments[0].reason == "duration was left out" and amended.amended_at


def test_store_finalize_needs_a_signature(store: Store) -> None:
    saved = store.save_draft(sample_draft())
    with pytest.raises(BadInputError, match="signed-by"):
        store.finalize_draft(saved.id, expected_version=1, signed_by="  ")
    assert store.get_draft(saved.id).version == 1


def test_store_discard_deletes_the_content(store: Store) -> None:
    saved = store.save_draft(sample_draft())
    store.discard_draft(saved.id, expected_version=1)
    assert store.list_drafts() == []
    with sqlite3.connect(store.data_dir / "clinical.db") as conn:
        assert conn.execute("SELECT count(*) FROM draft_revisions").fetchone() == (0,)
    assert [e.action for e in store.audit_entries()] == ["created", "discarded"]


def test_store_client_measures_come_from_finalized_notes(store: Store) -> None:
    for date, score in (("2026-10-01", 17), ("2026-10-15", 12)):
        saved = store.save_draft(sample_draft(date=date, measures=(MeasureValue("PHQ-9", score),)))
        store.finalize_draft(saved.id, expected_version=None, signed_by="A. Lee")
    store.save_draft(sample_draft(date="2026-10-29", measures=(MeasureValue("PHQ-9", 3),)))  # still a draft
    assert [(d, m.to) for d, m in store.client_measures("JD")] == [("2026-10-01", 17), ("2026-10-15", 12)]
    assert store.client_measures("ZZ") == []
