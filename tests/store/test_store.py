"""The inbox and the notes on real SQLite files: drafts, versions, the private record, finalizing."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import textwrap
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from dictanote.core.errors import (
    BadInputError,
    EditConflictError,
    RecordNotFoundError,
    StoreBusyError,
    StoreError,
    TextInputError,
)
from dictanote.core.policy import PRIVATE_CUT_MARK
from dictanote.core.types import MeasureValue, SessionInfo
from dictanote.store import Store, StoreKeys
from dictanote.store import db as store_db
from dictanote.store.keys import file_keys
from tests.store.drafts import sample_draft
from tests.util import RAW_ERRORS, open_raw, signable

REPO = Path(__file__).resolve().parents[2]


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
    with closing(open_raw(store.data_dir / "clinical.db")) as conn:
        assert (
            conn.execute("SELECT count(*) FROM draft_revisions WHERE draft_id = ?", (saved.id,)).fetchone()[0]
            == 2
        )


def test_store_finalized_notes_are_immutable(store: Store) -> None:
    saved = store.save_draft(signable(store, sample_draft()))
    note = store.finalize_draft(saved.id, expected_version=1, signed_by="A. Lee, LMFT")
    assert note.content == saved.draft and note.signed_by == "A. Lee, LMFT"
    with pytest.raises(RecordNotFoundError, match="finalized"):
        store.get_draft(saved.id)
    with pytest.raises(RecordNotFoundError):
        store.finalize_draft(saved.id, expected_version=None, signed_by="A. Lee")
    with closing(open_raw(store.data_dir / "clinical.db")) as conn:
        for sql in ("UPDATE notes SET content = 'x'", "DELETE FROM notes", "DELETE FROM audit"):
            with pytest.raises(RAW_ERRORS, match=r"immutable|cannot be deleted|append-only"):
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
    with closing(open_raw(store.data_dir / "clinical.db")) as conn:
        assert conn.execute("SELECT count(*) FROM draft_revisions").fetchone()[0] == 0
    assert [e.action for e in store.audit_entries()] == ["created", "discarded"]


def test_store_client_measures_come_from_finalized_notes(store: Store) -> None:
    for date, score in (("2026-10-01", 17), ("2026-10-15", 12)):
        saved = store.save_draft(
            signable(store, sample_draft(date=date, measures=(MeasureValue("PHQ-9", score),)))
        )
        store.finalize_draft(saved.id, expected_version=None, signed_by="A. Lee")
    still = sample_draft(date="2026-10-29", measures=(MeasureValue("PHQ-9", 3),))
    store.save_draft(signable(store, still))  # still a draft
    assert [(d, m.to) for d, m in store.client_measures("t1")] == [("2026-10-01", 17), ("2026-10-15", 12)]
    assert store.client_measures("ZZ") == []


# --- a draft and its private companion are saved as one unit ------------------------------------------

PAIR_WRITER = textwrap.dedent(
    """
    import os, random, signal, sys, threading
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    from tests.store.drafts import sample_draft
    from dictanote.store import Store
    pair = sample_draft(private=sample_draft("psychotherapy", client=None))
    with Store.open(Path(sys.argv[1])) as store:
        store.save_draft(pair)  # warm: the kill lands in a save, not in the first open
        delay = random.Random(int(sys.argv[2])).uniform(0.0, 0.06)
        threading.Timer(delay, os.kill, (os.getpid(), signal.SIGKILL)).start()
        while True:
            store.save_draft(pair)
    """
)


def _paired(tmp: Path) -> tuple[list[int], list[int]]:
    """The clinical inbox's ids, and the clinical ids the private inbox's drafts name (-1: none)."""
    with Store.open(tmp) as store:
        companions = sorted(
            -1 if d.companion is None else d.companion for d in store.list_drafts(private=True)
        )
        return [d.id for d in store.list_drafts()], companions


def test_store_pair_save_with_private_locked_saves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 200)
    pair = sample_draft(private=sample_draft("psychotherapy", client=None))
    with Store.open(tmp_path) as store:
        holder = open_raw(tmp_path / "private.db")
        holder.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StoreBusyError) as refused:
                store.save_draft(pair)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert "private.db" in str(refused.value) and "nothing was changed" in str(refused.value)
        assert store.list_drafts() == [] and store.list_drafts(private=True) == []
        saved = store.save_draft(pair)  # the retry after the lock is gone: one pair, no duplicate
        assert [d.id for d in store.list_drafts()] == [saved.id]
        assert store.companion_of(saved.id) is not None
        assert [d.companion for d in store.list_drafts(private=True)] == [saved.id]


def test_store_pair_survives_kill_9_during_saves(tmp_path: Path) -> None:
    Store.open(tmp_path).close()
    for seed in range(15):
        writer = subprocess.Popen(
            [sys.executable, "-c", PAIR_WRITER.format(repo=str(REPO)), str(tmp_path), str(seed)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        _, err = writer.communicate(timeout=60)
        assert writer.returncode == -signal.SIGKILL, err
    clinical, companions = _paired(tmp_path)
    assert len(clinical) >= 15 and companions == clinical  # every clinical draft has its private note
    with Store.open(tmp_path) as store:
        assert store.verify_audit().ok and store.verify_audit(private=True).ok
        assert store.database("private").integrity_ok()


def _private_rows(tmp: Path) -> list[tuple[int, str, int, int]]:
    """Each private draft row: id, status, how many revisions, whether it is pending (read raw)."""
    with closing(open_raw(tmp / "private.db")) as conn:
        return [
            tuple(r)
            for r in conn.execute(
                "SELECT id, status, (SELECT count(*) FROM draft_revisions WHERE draft_id = d.id), "
                "(SELECT count(*) FROM pending_pairs WHERE draft_id = d.id) FROM drafts d ORDER BY id"
            )
        ]


def test_store_pair_half_saved_is_discarded_on_open(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        kept = store.save_draft(sample_draft(private=sample_draft("psychotherapy", client=None)))
        orphan = store._save_pending_companion(sample_draft("psychotherapy"), "cli", 99, "lost-token")
        shown, _ = store._records["private"].inbox()  # without the recovery: a pending half is invisible
        assert [d.companion for d in shown] == [kept.id]
    assert _private_rows(tmp_path) == [(1, "inbox", 1, 0), (orphan, "inbox", 1, 1)]
    Store.open(tmp_path).close()  # the open finds the save never finished: the half is discarded
    assert _private_rows(tmp_path) == [(1, "inbox", 1, 0), (orphan, "discarded", 0, 0)]
    assert _paired(tmp_path) == ([kept.id], [kept.id])
    with Store.open(tmp_path) as store:
        assert [e.action for e in store.audit_entries(private=True)][-1] == "discarded"
        assert store.verify_audit(private=True).ok
        with pytest.raises(RecordNotFoundError, match="discarded"):
            store.get_draft(orphan, private=True)


def test_store_pair_half_committed_in_both_files_is_completed_on_open(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        companion = sample_draft("psychotherapy", client=None)
        private_id = store._save_pending_companion(companion, "cli", 1, "kept-token")
        with store.database("clinical").write() as conn:  # phase 2 committed, phase 3 never ran
            store._records["clinical"].insert_draft(conn, sample_draft(), "cli", None, pair=(1, "kept-token"))
    assert _private_rows(tmp_path) == [(private_id, "inbox", 1, 1)]
    Store.open(tmp_path).close()  # the open finds the clinical half saved: the pair is completed
    assert _private_rows(tmp_path) == [(private_id, "inbox", 1, 0)]
    with Store.open(tmp_path) as store:
        assert [(d.id, d.companion, d.draft) for d in store.list_drafts(private=True)] == [
            (private_id, 1, companion)
        ]
        assert store.companion_of(1) is not None


# --- private words already saved in the clinical record are cut out ------------------------------------

LEAKY = (
    "Subjective. Client reports better sleep. Private note. I noticed strong countertransference anger. "
    "End private note. Plan. Continue weekly."
)
PRIVATE_SPAN = re.compile(r"Private note\..*?End private note\.", re.DOTALL)


def cut_private(transcript: str) -> str:
    """The store's contract for ``redact``: the transcript with each private span replaced by the mark."""
    return PRIVATE_SPAN.sub(PRIVATE_CUT_MARK, transcript)


def _raw_bytes(path: Path) -> bytes:
    """Every byte of a database file and its WAL, after a full checkpoint."""
    with closing(open_raw(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = path.read_bytes()
        wal = path.with_name(path.name + "-wal")
        return data + (wal.read_bytes() if wal.exists() else b"")


def _plain(tmp: Path) -> StoreKeys:
    """The keys of a plain (unencrypted) store, as every store was before encryption: its bytes can be read."""
    return file_keys(tmp / "keys")


def _old_store(tmp: Path) -> tuple[int, int]:
    """A store as the old segmenter left it: private words in clinical transcripts. (draft id, note id)"""
    leaky = replace(sample_draft(), transcript=LEAKY)
    with Store.open(tmp, _plain(tmp)) as store:
        kept = store.save_draft(leaky)
        store.update_draft(
            kept.id, replace(leaky, session=SessionInfo(client="JD", duration_minutes=50)), expected_version=1
        )
        signed = store.save_draft(signable(store, leaky))
        gone = store.save_draft(leaky)
        store.discard_draft(gone.id, expected_version=1)
        note = store.finalize_draft(signed.id, expected_version=1, signed_by="A. Lee")
        fixed = replace(leaky, session=SessionInfo(client="JD", date="2026-11-20"))
        store.amend_note(note.id, fixed, reason="date was left out", signed_by="A. Lee")
    with closing(open_raw(tmp / "clinical.db")) as conn:  # a discarded revision's words left in free pages
        conn.execute("PRAGMA secure_delete = OFF")
        conn.execute(
            "INSERT INTO draft_revisions (draft_id, version, at, format, content) VALUES (?, 9, '', 'soap', ?)",
            (gone.id, LEAKY * 300),
        )
        conn.execute("DELETE FROM draft_revisions WHERE draft_id = ?", (gone.id,))
    assert b"countertransference" in _raw_bytes(tmp / "clinical.db")
    return kept.id, note.id


def test_store_scrub_cuts_private_words_from_saved_rows(tmp_path: Path) -> None:
    draft_id, note_id = _old_store(tmp_path)
    with Store.open(tmp_path, _plain(tmp_path), redact=cut_private) as store:
        cut = cut_private(LEAKY)
        assert PRIVATE_CUT_MARK in cut and "countertransference" not in cut
        draft = store.get_draft(draft_id).draft
        assert draft.transcript == cut and draft.session.duration_minutes == 50  # only the transcript changed
        note = store.get_note(note_id)
        assert note.original == replace(sample_draft(), transcript=cut, session=note.original.session)
        assert note.original.session.client_id == "T1"
        assert note.content.transcript == cut and note.content.session.date == "2026-11-20"
        corrected = [e for e in store.audit_entries() if e.action == "corrected"]
        hashes = [e.detail.pop("content_sha256", None) for e in corrected]
        assert [(e.object, e.object_id, e.detail) for e in corrected] == [
            ("draft", 1, {"kind": "revision", "version": 1}),
            ("draft", 1, {"kind": "revision", "version": 2}),
            ("draft", 2, {"kind": "revision", "version": 1}),
            ("note", note_id, {"kind": "original"}),
            ("note", note_id, {"kind": "amendment", "amendment": 1}),
        ]
        assert hashes[:3] == [None] * 3 and all(hashes[3:])  # a note's new content is sealed in the log
        assert store.verify_audit().ok
    assert b"countertransference" not in _raw_bytes(tmp_path / "clinical.db")
    with closing(open_raw(tmp_path / "clinical.db")) as conn, pytest.raises(RAW_ERRORS, match="immutable"):
        conn.execute("UPDATE notes SET signed_by = 'x'")  # the immutability triggers are back
    with Store.open(tmp_path, _plain(tmp_path), redact=cut_private) as again:  # once only
        assert sum(e.action == "corrected" for e in again.audit_entries()) == 5


def test_store_scrub_keeps_a_row_it_cannot_read_and_opens(tmp_path: Path) -> None:
    def picky(transcript: str) -> str:
        if len(transcript) > len(LEAKY):
            raise TextInputError("longer than the segmenter reads")
        return cut_private(transcript)

    with Store.open(tmp_path) as store:
        short, long = (store.save_draft(replace(sample_draft(), transcript=t)) for t in (LEAKY, LEAKY * 2))
    with Store.open(tmp_path, redact=picky) as store:
        assert store.get_draft(short.id).draft.transcript == cut_private(LEAKY)
        assert store.get_draft(long.id).draft.transcript == LEAKY * 2  # left as it was, and logged
        assert [e.object_id for e in store.audit_entries() if e.action == "corrected"] == [short.id]


def test_store_scrub_runs_once_and_never_on_the_private_record(tmp_path: Path) -> None:
    with Store.open(tmp_path, redact=cut_private) as store:
        saved = store.save_draft(replace(sample_draft("psychotherapy"), transcript=LEAKY))
    with Store.open(tmp_path, redact=cut_private) as store:
        assert store.get_draft(saved.id, private=True).draft.transcript == LEAKY
        assert [e.action for e in store.audit_entries()] == []


# --- a damaged row is named, and the others are still shown ----------------------------------------

DAMAGE = [
    ("not json at all", "not JSON"),
    ('{"format": 1}', "not a draft"),
    ("[]", "not a draft"),
    (
        '{"format": "soap", "fields": [{"id": "s", "sentences": [{"text": "x", "confidence": [1]}]}]}',
        "not a draft",
    ),
    ('{"format": "soap", "fields": [], "session": {"secret": "JD"}}', "not a draft"),
]


def damage_draft(path: Path, draft_id: int, content: str) -> None:
    """Rewrite a draft's latest revision with a second connection, as an attacker or a bad disk would."""
    with closing(open_raw(path)) as conn:
        conn.execute("DROP TRIGGER IF EXISTS draft_revisions_append_only")
        conn.execute(
            "UPDATE draft_revisions SET content = ? WHERE draft_id = ? AND version = "
            "(SELECT version FROM drafts WHERE id = ?)",
            (content, draft_id, draft_id),
        )


@pytest.mark.parametrize(("content", "problem"), DAMAGE)
def test_store_damaged_draft_is_named_and_skipped(tmp_path: Path, content: str, problem: str) -> None:
    with Store.open(tmp_path) as store:
        first, second = store.save_draft(sample_draft()), store.save_draft(sample_draft())
    damage_draft(tmp_path / "clinical.db", first.id, content)
    with Store.open(tmp_path) as store:
        assert [d.id for d in store.list_drafts()] == [second.id]
        [damaged] = store.damaged_drafts()
        assert damaged.id == first.id and problem in damaged.problem and "JD" not in damaged.problem
        assert store.damaged_drafts(private=True) == []
        with pytest.raises(StoreError, match=f"draft {first.id} .*damaged") as refused:
            store.get_draft(first.id)
        assert not isinstance(refused.value, BadInputError) and "\n" not in str(refused.value)


def test_store_signing_needs_a_client_of_the_list_and_a_date_of_service(store: Store) -> None:
    saved = store.save_draft(sample_draft(client="M.R."))  # initials dictated, no client chosen
    with pytest.raises(BadInputError, match="names no client"):
        store.finalize_draft(saved.id, expected_version=1, signed_by="A. Lee")
    store.add_client("mr-2", name="Mark R.")
    unknown = replace(saved.draft, session=replace(saved.draft.session, client_id="zz"))
    with pytest.raises(RecordNotFoundError, match="no client 'zz'"):
        store.update_draft(saved.id, unknown, expected_version=1)
    chosen = replace(saved.draft, session=replace(saved.draft.session, client_id="MR-2"))
    updated = store.update_draft(saved.id, chosen, expected_version=1)
    assert updated.draft.session.client_id == "mr-2"  # spelled as the list has it
    with pytest.raises(BadInputError, match="no date of service"):
        store.finalize_draft(saved.id, expected_version=2, signed_by="A. Lee")
    assert store.get_draft(saved.id).version == 2  # refused: nothing changed
    dated = replace(updated.draft, session=replace(updated.draft.session, date="2026-11-30"))
    store.update_draft(saved.id, dated, expected_version=2)
    note = store.finalize_draft(saved.id, expected_version=3, signed_by="A. Lee")
    assert [n.id for n in store.list_notes(client="MR-2")] == [note.id]


def test_store_private_note_signs_with_its_clinical_drafts_client(store: Store) -> None:
    pair = signable(store, sample_draft(private=sample_draft("psychotherapy", client=None)))
    saved = store.save_draft(pair)
    private = store.companion_of(saved.id)
    assert private is not None and private.draft.session.client_id == "T1"
    assert private.draft.session.client is None  # the private record names the client by id only
    note = store.finalize_draft(private.id, expected_version=None, signed_by="A. Lee", private=True)
    assert note.content.session.client_id == "T1"
    alone = store.save_draft(sample_draft("psychotherapy", client=None))
    with pytest.raises(BadInputError, match=r"private draft \d+ names no client"):
        store.finalize_draft(alone.id, expected_version=None, signed_by="A. Lee", private=True)
