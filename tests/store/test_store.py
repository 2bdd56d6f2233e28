"""The store on real SQLite files: migrations, permissions, transactions, crashes, audit chain."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest

from dictanote.core.errors import (
    BadInputError,
    EditConflictError,
    RecordNotFoundError,
    StoreBusyError,
    StoreError,
)
from dictanote.core.types import Draft, DraftField, MeasureValue, Sentence, SessionInfo
from dictanote.store import Store
from dictanote.store import db as store_db
from dictanote.store.schema import MIGRATIONS


def _draft(
    fmt: str = "soap", client: str | None = "JD", private: Draft | None = None, **session: object
) -> Draft:
    fields = {
        "soap": (
            DraftField(
                "subjective", "Subjective", (Sentence("Client reports better sleep.", "spoken_header", 0.97),)
            ),
            DraftField("objective", "Objective", (Sentence("Calm and engaged.", "inferred", 0.55),)),
            DraftField("assessment", "Assessment", ()),
            DraftField("plan", "Plan", (Sentence("Meet again next week.", "inferred", 0.9, role="plan"),)),
        ),
        "psychotherapy": (
            DraftField(
                "reflections", "Reflections", (Sentence("I felt protective today.", "inferred", 0.8),)
            ),
            DraftField("process_observations", "Process observations", ()),
            DraftField("questions", "Questions", ()),
        ),
    }[fmt]
    return Draft(
        format=fmt,
        transcript="Client reports better sleep. Calm and engaged. Meet again next week.",
        fields=fields,
        session=SessionInfo(client=client, **session),  # type: ignore[arg-type]
        segmenter="roles-hmm-v1",
        private=private,
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store.open(tmp_path / "store") as opened:
        yield opened


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_store_migrates_an_empty_file(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "clinical.db").touch()  # a zero-byte file, as a crash at creation could leave
    with Store.open(folder) as store:
        assert store.database("clinical").schema_version == len(MIGRATIONS)
        assert store.database("private").schema_version == len(MIGRATIONS)
        assert store.save_draft(_draft()).id == 1
    with Store.open(folder) as again:  # reopening applies nothing twice
        assert [d.id for d in again.list_drafts()] == [1]


def test_store_refuses_a_newer_schema(tmp_path: Path) -> None:
    Store.open(tmp_path).close()
    with sqlite3.connect(tmp_path / "clinical.db") as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer dictanote"):
        Store.open(tmp_path)


def test_store_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "clinical.db").write_bytes(b"this is not sqlite " * 100)
    with pytest.raises(StoreError, match="not a dictanote database"):
        Store.open(tmp_path)


def test_store_files_are_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    old = os.umask(0o022)
    try:
        with Store.open(folder) as store:
            store.save_draft(_draft())
            files = sorted(folder.iterdir())
            assert {p.name for p in files} >= {"clinical.db", "private.db", "clinical.db-wal"}
            for path in files:
                assert _mode(path) == 0o600, path.name
    finally:
        os.umask(old)
    assert _mode(folder) == 0o700


def test_store_round_trips_a_draft(store: Store) -> None:
    draft = _draft(measures=(MeasureValue("PHQ-9", 9, 14),), date="2026-11-20")
    saved = store.save_draft(draft, source="daemon")
    assert saved.draft == draft
    assert (saved.version, saved.record, saved.source) == (1, "clinical", "daemon")
    assert store.get_draft(saved.id).draft == draft


def test_store_keeps_private_notes_apart(store: Store) -> None:
    companion = _draft("psychotherapy", client=None)
    saved = store.save_draft(_draft(private=companion))
    assert saved.draft.private is None
    private = store.list_drafts(private=True)
    assert [(d.record, d.companion, d.draft) for d in private] == [("private", saved.id, companion)]
    assert store.companion_of(saved.id) == private[0]
    only_private = store.save_draft(_draft("psychotherapy"))
    assert only_private.record == "private"
    assert [d.draft.format for d in store.list_drafts()] == ["soap"]
    # Nothing of the private note is in the clinical file.
    raw = (store.data_dir / "clinical.db").read_bytes() + (store.data_dir / "clinical.db-wal").read_bytes()
    assert b"protective" not in raw


def test_store_edits_are_versioned_and_conflicts_refused(store: Store) -> None:
    saved = store.save_draft(_draft())
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


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("move", [("moved", {"from": "objective", "to": "assessment", "count": 1})]),
        ("reword", [("edited", {"fields": ["plan"]})]),
        ("session", [("edited", {"fields": ["session"]})]),
        ("delete", [("edited", {"fields": ["subjective"]})]),
    ],
)
def test_store_audits_edits_without_text(
    store: Store, change: str, expected: list[tuple[str, dict[str, object]]]
) -> None:
    saved = store.save_draft(_draft())
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


def test_store_finalized_notes_are_immutable(store: Store) -> None:
    saved = store.save_draft(_draft())
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
    saved = store.save_draft(_draft())
    with pytest.raises(BadInputError, match="signed-by"):
        store.finalize_draft(saved.id, expected_version=1, signed_by="  ")
    assert store.get_draft(saved.id).version == 1


def test_store_discard_deletes_the_content(store: Store) -> None:
    saved = store.save_draft(_draft())
    store.discard_draft(saved.id, expected_version=1)
    assert store.list_drafts() == []
    with sqlite3.connect(store.data_dir / "clinical.db") as conn:
        assert conn.execute("SELECT count(*) FROM draft_revisions").fetchone() == (0,)
    assert [e.action for e in store.audit_entries()] == ["created", "discarded"]


def test_store_client_measures_come_from_finalized_notes(store: Store) -> None:
    for date, score in (("2026-10-01", 17), ("2026-10-15", 12)):
        saved = store.save_draft(_draft(date=date, measures=(MeasureValue("PHQ-9", score),)))
        store.finalize_draft(saved.id, expected_version=None, signed_by="A. Lee")
    store.save_draft(_draft(date="2026-10-29", measures=(MeasureValue("PHQ-9", 3),)))  # still a draft
    assert [(d, m.to) for d, m in store.client_measures("JD")] == [("2026-10-01", 17), ("2026-10-15", 12)]
    assert store.client_measures("ZZ") == []


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
def test_store_audit_chain_detects_tampering(tmp_path: Path, sql: str, problem: str) -> None:
    with Store.open(tmp_path) as store:
        saved = store.save_draft(_draft())
        store.finalize_draft(saved.id, expected_version=1, signed_by="A. Lee")
        store.record_export(1, "fhir")
        assert store.verify_audit().ok
    _tamper(tmp_path / "clinical.db", sql)
    with Store.open(tmp_path) as store:
        report = store.verify_audit()
    assert not report.ok and problem in (report.problem or "")


# --- processes: concurrency, locks, crashes, full disk ------------------------

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from test_store import _draft
    from dictanote.store import Store
    with Store.open(Path(sys.argv[1])) as store:
        for _ in range(int(sys.argv[2])):
            store.save_draft(_draft())
    """
)


def _python(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code.format(tests=str(Path(__file__).parent)), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_store_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    Store.open(tmp_path).close()
    writers = [_python(WRITER, str(tmp_path), "15") for _ in range(4)]
    for w in writers:
        _, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
    with Store.open(tmp_path) as store:
        assert [d.id for d in store.list_drafts()] == list(range(1, 61))
        report = store.verify_audit()
        assert report.ok and report.entries == 60, report
        assert store.database("clinical").integrity_ok()


def test_store_survives_a_writer_killed_mid_transaction(tmp_path: Path) -> None:
    Store.open(tmp_path).close()
    for delay in (0.4, 0.55, 0.7, 0.85):
        writer = _python(WRITER, str(tmp_path), "100000")
        time.sleep(delay)  # long enough to be writing (the interpreter starts in ~0.2 s)
        writer.send_signal(signal.SIGKILL)
        writer.communicate(timeout=10)
    with Store.open(tmp_path) as store:
        assert store.database("clinical").integrity_ok()
        drafts = store.list_drafts()
        assert drafts, "the writers never got to write"
        assert all(d.draft == _draft() for d in drafts)  # every committed draft whole
        report = store.verify_audit()
        assert report.ok and report.entries == len(drafts), report


def test_store_reports_a_lock_held_too_long(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Store.open(tmp_path).close()
    holder = _python(
        textwrap.dedent(
            """
            import sqlite3, sys, time
            conn = sqlite3.connect(sys.argv[1], isolation_level=None)
            conn.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            time.sleep(5)
            """
        ),
        str(tmp_path / "clinical.db"),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 200)
        with Store.open(tmp_path) as store, pytest.raises(StoreBusyError, match="locked by another"):
            store.save_draft(_draft())
    finally:
        holder.kill()
        holder.communicate(timeout=10)
    with Store.open(tmp_path) as store:
        assert store.list_drafts() == [] and store.verify_audit().ok


def test_store_full_disk_keeps_what_was_saved(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.save_draft(_draft())
    filler = _python(
        textwrap.dedent(
            """
            import resource, signal, sys
            from pathlib import Path
            sys.path.insert(0, {tests!r})
            from dataclasses import replace
            from test_store import _draft
            from dictanote.core.errors import StoreError
            from dictanote.store import Store
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))
            with Store.open(Path(sys.argv[1])) as store:
                try:
                    store.save_draft(replace(_draft(), transcript="x" * 2_000_000))
                except StoreError as exc:
                    print(exc)
            """
        ),
        str(tmp_path),
    )
    out, err = filler.communicate(timeout=60)
    assert "disk full" in out and "nothing saved was lost" in out, err
    with Store.open(tmp_path) as store:
        assert [d.draft for d in store.list_drafts()] == [_draft()]
        assert store.verify_audit().ok and store.database("clinical").integrity_ok()
