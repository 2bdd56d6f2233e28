"""The audit log: actions without their words, and a keyed chain that shows tampering.

The tampering tests act as an attacker with write access to the files but not the
audit key would: a second sqlite3 connection drops the triggers, rewrites rows and
recomputes the plain SHA-256 chain the log used before it was keyed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from dictanote.core.codec import draft_to_dict
from dictanote.core.types import SessionInfo
from dictanote.store import Store
from dictanote.store.keys import StoreKeys
from dictanote.store.schema import MIGRATIONS
from tests.store.drafts import sample_draft
from tests.util import signable

# Plain (unencrypted) files, so a second sqlite3 connection can tamper with them.
KEYS = StoreKeys(clinical_audit=b"c" * 32, private_audit=b"p" * 32)
TRIGGERS = (
    "audit_append_only",
    "audit_undeletable",
    "notes_immutable",
    "notes_undeletable",
    "amendments_immutable",
    "amendments_undeletable",
)


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


def _plain_digest(
    prev: str, seq: int, at: str, action: str, obj: str, object_id: int | None, detail: str
) -> str:
    """The chain's hash before it was keyed (what an attacker can recompute without the key)."""
    payload = json.dumps([prev, seq, at, action, obj, object_id, detail], separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _rechain_plain(conn: sqlite3.Connection) -> None:
    """Recompute every entry's hash and the head as the unkeyed chain did."""
    prev = "0" * 64
    rows = conn.execute(
        "SELECT seq, at, action, object, object_id, detail FROM audit ORDER BY seq"
    ).fetchall()
    for new_seq, (seq, at, action, obj, object_id, detail) in enumerate(rows, start=1):
        digest = _plain_digest(prev, new_seq, at, action, obj, object_id, detail)
        conn.execute(
            "UPDATE audit SET seq = ?, prev = ?, hash = ? WHERE seq = ?", (new_seq, prev, digest, seq)
        )
        prev = digest
    conn.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"{len(rows)}:{prev}",))


def _tamper(path: Path, *sql: str, rechain: bool = False) -> None:
    """Drop the append-only triggers in a second connection, run ``sql``, maybe recompute the chain."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            for trigger in TRIGGERS:
                conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            for statement in sql:
                conn.execute(statement)
            if rechain:
                _rechain_plain(conn)
    finally:
        conn.close()


def _history(data: Path) -> None:
    """A draft finalized, amended and exported, and a draft with a private companion discarded."""
    with Store.open(data, keys=KEYS) as store:
        saved = store.save_draft(signable(store, sample_draft()))
        note = store.finalize_draft(saved.id, expected_version=1, signed_by="A. Lee")
        store.amend_note(
            note.id, sample_draft(client="JD", duration_minutes=50), reason="r", signed_by="A. Lee"
        )
        store.record_export(note.id, "fhir")
        other = store.save_draft(sample_draft(private=sample_draft("psychotherapy", client=None)))
        store.discard_draft(other.id, expected_version=1)
        assert store.verify_audit().ok and store.verify_audit(private=True).ok


def _verify(data: Path, keys: StoreKeys = KEYS, *, private: bool = False) -> str | None:
    with Store.open(data, keys=keys) as store:
        report = store.verify_audit(private=private)
    assert report.ok == (report.problem is None)
    return report.problem


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("UPDATE audit SET action = 'edited' WHERE seq = 2", "entry 2 was altered"),
        ("UPDATE audit SET detail = '{}' WHERE seq = 1", "entry 1 was altered"),
        ("DELETE FROM audit WHERE seq = 2", "entry 2 is missing"),
        ("DELETE FROM audit WHERE seq = 7", "last entries were removed"),
        ("UPDATE audit SET at = X'00ff' WHERE seq = 3", "entry 3 was altered"),
    ],
)
def test_audit_chain_detects_tampering(tmp_path: Path, sql: str, problem: str) -> None:
    _history(tmp_path)
    _tamper(tmp_path / "clinical.db", sql)
    assert problem in (_verify(tmp_path) or "")


@pytest.mark.parametrize(
    "sql",
    [
        pytest.param("DELETE FROM audit WHERE action = 'exported'", id="exports-deleted"),
        pytest.param(
            "UPDATE audit SET at = '2020-01-01T09:00:00Z' WHERE action = 'finalized'",
            id="finalized-backdated",
        ),
        pytest.param("UPDATE audit SET detail = '{\"kind\":\"text\"}' WHERE action = 'exported'", id="kind"),
    ],
)
def test_audit_chain_recomputed_without_the_key_fails(tmp_path: Path, sql: str) -> None:
    _history(tmp_path)
    _tamper(tmp_path / "clinical.db", sql, rechain=True)
    assert "was altered" in (_verify(tmp_path) or "")


def test_audit_verify_with_another_key_fails(tmp_path: Path) -> None:
    _history(tmp_path)
    other = StoreKeys(clinical_audit=b"x" * 32, private_audit=b"p" * 32)
    assert "audit key" in (_verify(tmp_path, other) or "")
    assert _verify(tmp_path, other, private=True) is None
    assert _verify(tmp_path) is None


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        pytest.param(
            "UPDATE notes SET content = replace(content, 'better sleep', 'worse sleep')",
            "note 1's content does not match its 'finalized' entry",
            id="note-content",
        ),
        pytest.param(
            "UPDATE notes SET signed_by = 'B. Mallory'",
            "note 1's signer does not match its 'finalized' entry",
            id="note-signer",
        ),
        pytest.param(
            "UPDATE amendments SET content = replace(content, 'better sleep', 'no sleep')",
            "amendment 1's content does not match its 'amended' entry",
            id="amendment-content",
        ),
        pytest.param(
            "UPDATE amendments SET signed_by = 'B. Mallory'",
            "amendment 1's signer does not match its 'amended' entry",
            id="amendment-signer",
        ),
        pytest.param(
            "DELETE FROM amendments", "amendment 1 is in the log but not in the record", id="amend-gone"
        ),
    ],
)
def test_audit_note_content_and_signer_are_in_the_chain(tmp_path: Path, sql: str, problem: str) -> None:
    _history(tmp_path)
    _tamper(tmp_path / "clinical.db", sql)
    assert problem in (_verify(tmp_path) or "")


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        pytest.param(
            ("DELETE FROM audit", "DELETE FROM meta WHERE key = 'audit_head'"),
            "the log covers 0 of 2 drafts (draft 1 has no 'created' entry)",
            id="emptied",
        ),
        pytest.param(
            (
                "INSERT INTO drafts (created_at, updated_at, source, status, version) "
                "VALUES ('2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'cli', 'inbox', 1)",
            ),
            "the log covers 2 of 3 drafts (draft 3 has no 'created' entry)",
            id="draft-without-created",
        ),
        pytest.param(
            (
                "INSERT INTO notes (draft_id, format, created_at, finalized_at, signed_by, content) "
                "SELECT 2, format, created_at, finalized_at, signed_by, content FROM notes",
            ),
            "the log covers 1 of 2 notes (note 2 has no 'finalized' entry)",
            id="note-without-finalized",
        ),
        pytest.param(
            (
                "INSERT INTO amendments (note_id, at, reason, signed_by, content) "
                "SELECT note_id, at, reason, signed_by, content FROM amendments",
            ),
            "the log covers 1 of 2 amendments (amendment 2 has no 'amended' entry)",
            id="amendment-without-amended",
        ),
        pytest.param(
            ("UPDATE drafts SET status = 'discarded' WHERE id = 1",),
            "draft 1 is discarded but the log has no 'discarded' entry for it",
            id="discarded-without-entry",
        ),
    ],
)
def test_audit_log_shorter_than_the_record_fails(tmp_path: Path, sql: tuple[str, ...], problem: str) -> None:
    _history(tmp_path)
    _tamper(tmp_path / "clinical.db", *sql)
    assert problem in (_verify(tmp_path) or "")


def test_audit_private_log_is_keyed_and_covered(tmp_path: Path) -> None:
    _history(tmp_path)
    _tamper(tmp_path / "private.db", "DELETE FROM audit WHERE action = 'discarded'", rechain=True)
    assert "was altered" in (_verify(tmp_path, private=True) or "")
    assert _verify(tmp_path) is None


# --- stores written before the log was keyed ----------------------------------------------


def _legacy_entry(
    conn: sqlite3.Connection, at: str, action: str, obj: str, object_id: int, **detail: object
) -> None:
    """An entry exactly as the unkeyed code wrote it."""
    row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (row[0] + 1, row[1]) if row else (1, "0" * 64)
    text = json.dumps(detail, sort_keys=True, separators=(",", ":"))
    digest = _plain_digest(prev, seq, at, action, obj, object_id, text)
    conn.execute(
        "INSERT INTO audit (seq, at, action, object, object_id, detail, prev, hash) VALUES (?,?,?,?,?,?,?,?)",
        (seq, at, action, obj, object_id, text, prev, digest),
    )
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('audit_head', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (f"{seq}:{digest}",),
    )


def _legacy_store(data: Path) -> None:
    """A store as the code before the keyed log left it: schema 1, one note amended and exported."""
    data.mkdir(mode=0o700)
    # No spoken initials: they would add the migration's 'created' client entries (tests/store/test_clients.py)
    content = json.dumps(draft_to_dict(sample_draft(client=None)), ensure_ascii=False, separators=(",", ":"))
    at = "2026-03-02T10:00:00Z"
    for name in ("clinical.db", "private.db"):
        conn = sqlite3.connect(data / name, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN")
        MIGRATIONS[0](conn)
        conn.execute("PRAGMA user_version = 1")
        if name == "clinical.db":
            conn.execute("INSERT INTO drafts VALUES (1, ?, ?, 'cli', 'finalized', 1, NULL)", (at, at))
            conn.execute("INSERT INTO draft_revisions VALUES (1, 1, ?, 'soap', 'JD', ?)", (at, content))
            _legacy_entry(conn, at, "created", "draft", 1, format="soap", source="cli")
            conn.execute(
                "INSERT INTO notes VALUES (1, 1, 'soap', 'JD', NULL, ?, ?, 'A. Lee', ?)", (at, at, content)
            )
            _legacy_entry(conn, at, "finalized", "draft", 1, note=1, version=1)
            conn.execute("INSERT INTO amendments VALUES (1, 1, ?, 'typo', 'A. Lee', ?)", (at, content))
            _legacy_entry(conn, at, "amended", "note", 1)
            _legacy_entry(conn, at, "exported", "note", 1, kind="text")
        conn.execute("COMMIT")
        conn.close()


@pytest.fixture
def legacy(tmp_path: Path) -> Iterator[Path]:
    """The data directory of a store written before the audit log was keyed."""
    data = tmp_path / "legacy"
    _legacy_store(data)
    yield data


def test_audit_unkeyed_log_is_rechained_once_on_open(legacy: Path) -> None:
    with Store.open(legacy, keys=KEYS) as store:
        entries = store.audit_entries()
        report = store.verify_audit()
    assert report.ok, report
    assert [e.action for e in entries] == ["created", "finalized", "amended", "exported", "rechained"]
    assert entries[-1].detail == {"count": 4}
    assert entries[1].detail["signer"] == "A. Lee" and entries[2].detail["amendment"] == 1
    with Store.open(legacy, keys=KEYS) as store:
        assert [e.action for e in store.audit_entries()].count("rechained") == 1
    # Once keyed, recomputing the old plain chain no longer passes.
    _tamper(legacy / "clinical.db", "DELETE FROM audit WHERE action = 'exported'", rechain=True)
    assert "was altered" in (_verify(legacy) or "")


@pytest.mark.parametrize(
    ("sql", "rechain", "problem"),
    [
        ("DELETE FROM audit WHERE action = 'exported'", False, "last entries were removed"),
        ("UPDATE audit SET detail = 'not json' WHERE seq = 2", True, "entry 2's detail is not readable"),
        (
            'UPDATE audit SET detail = \'{"note":1,"signer":"A. Lee"}\' WHERE seq = 2',
            True,
            "entry 2 is one only a keyed log writes",
        ),
    ],
)
def test_audit_unkeyed_log_already_broken_is_kept_and_reported(
    legacy: Path, sql: str, rechain: bool, problem: str
) -> None:
    _tamper(legacy / "clinical.db", sql, rechain=rechain)
    with sqlite3.connect(legacy / "clinical.db") as conn:
        before = conn.execute("SELECT * FROM audit ORDER BY seq").fetchall()
    found = _verify(legacy)
    assert found is not None and "before it was keyed" in found and problem in found
    with sqlite3.connect(legacy / "clinical.db") as conn:
        assert conn.execute("SELECT * FROM audit ORDER BY seq").fetchall() == before
    assert _verify(legacy) == found  # reported again, never papered over


def test_audit_keyed_log_rewritten_in_the_old_form_is_reported_not_rechained(legacy: Path) -> None:
    with Store.open(legacy) as store:  # the store's own keys, made by this first open: keyed once
        assert [e.action for e in store.audit_entries()][-1] == "rechained"
        assert store.verify_audit().ok
    # The attacker strips what keying added and recomputes the old plain chain, markers removed.
    _tamper(
        legacy / "clinical.db",
        "DELETE FROM audit WHERE action = 'rechained'",
        "UPDATE audit SET detail = '{\"note\":1,\"version\":1}' WHERE action = 'finalized'",
        "UPDATE audit SET detail = '{}' WHERE action = 'amended'",
        "DELETE FROM meta WHERE key IN ('audit_chain', 'audit_key')",
        rechain=True,
    )
    with Store.open(legacy) as store:  # its keys existed before: no re-keying as genuine
        report = store.verify_audit()
        assert "rechained" not in [e.action for e in store.audit_entries()]
    assert not report.ok and "audit key already existed" in (report.problem or "")
