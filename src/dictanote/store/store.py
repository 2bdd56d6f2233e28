"""The inbox of drafts and the finalized notes, in two SQLite files.

``clinical.db`` holds the clinical record; ``private.db`` holds psychotherapy
(process) notes, which never appear in the clinical record's listings or
exports unless asked for with ``private=True``. Every change is one transaction
with its audit entry; nothing here ever logs or audits note text.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any

from ..core.codec import draft_from_dict, draft_to_dict
from ..core.errors import BadInputError, EditConflictError, RecordNotFoundError
from ..core.policy import PRIVATE_FORMAT, utc_now
from ..core.types import Amendment, Draft, MeasureValue, Note, Record, StoredDraft
from . import audit
from .db import Database, private_dir
from .keys import StoreKeys, file_keys
from .schema import MIGRATIONS

log = logging.getLogger(__name__)

FILES: dict[Record, str] = {"clinical": "clinical.db", "private": "private.db"}


def _content(draft: Draft) -> str:
    return json.dumps(draft_to_dict(draft), ensure_ascii=False, separators=(",", ":"))


def _draft(text: str) -> Draft:
    return draft_from_dict(json.loads(text))


def _changes(old: Draft, new: Draft) -> Iterator[tuple[str, dict[str, Any]]]:
    """Audit entries for an edit: format switched, sentences moved between fields, fields edited.

    Only field ids and counts come out; the sentences' text never does.
    """
    if old.format != new.format:
        yield "format-changed", {"from": old.format, "to": new.format}
        return
    homes: dict[str, list[str]] = {}  # sentence text -> the fields it was in
    for f in old.fields:
        for s in f.sentences:
            homes.setdefault(s.text, []).append(f.id)
    moves: Counter[tuple[str, str]] = Counter()
    edited: set[str] = set()
    for f in new.fields:
        for s in f.sentences:
            places = homes.get(s.text)
            if not places:
                edited.add(f.id)  # a new or reworded sentence
                continue
            src = f.id if f.id in places else places[0]
            places.remove(src)
            if src != f.id:
                moves[(src, f.id)] += 1
    for places in homes.values():
        edited.update(places)  # sentences deleted or reworded away
    for (src, dst), count in sorted(moves.items()):
        yield "moved", {"from": src, "to": dst, "count": count}
    if old.session != new.session:
        edited.add("session")
    if edited:
        yield "edited", {"fields": sorted(edited)}


class _Record:
    """One database file and the operations on it."""

    def __init__(self, record: Record, db: Database, audit_key: bytes) -> None:
        self.record = record
        self.db = db
        self.audit_key = audit_key

    def insert_draft(self, conn: sqlite3.Connection, draft: Draft, source: str, companion: int | None) -> int:
        now = utc_now()
        cur = conn.execute(
            "INSERT INTO drafts (created_at, updated_at, source, status, version, companion) "
            "VALUES (?, ?, ?, 'inbox', 1, ?)",
            (now, now, source, companion),
        )
        draft_id = int(cur.lastrowid or 0)
        self._revision(conn, draft_id, 1, now, draft)
        detail: dict[str, Any] = {"format": draft.format, "source": source}
        if companion is not None:
            detail["companion"] = companion
        audit.append(conn, "created", "draft", draft_id, **detail)
        return draft_id

    @staticmethod
    def _revision(conn: sqlite3.Connection, draft_id: int, version: int, at: str, draft: Draft) -> None:
        conn.execute(
            "INSERT INTO draft_revisions (draft_id, version, at, format, client, content) "
            "VALUES (?,?,?,?,?,?)",
            (draft_id, version, at, draft.format, draft.session.client, _content(draft)),
        )

    def _row(self, conn: sqlite3.Connection, draft_id: int) -> sqlite3.Row:
        row: sqlite3.Row | None = conn.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
        if row is None or row["status"] != "inbox":
            where = "private inbox" if self.record == "private" else "inbox"
            state = f" (it was {row['status']})" if row is not None else ""
            raise RecordNotFoundError(
                f"no draft {draft_id} in the {where}{state}; `dictanote drafts list` shows the inbox"
            )
        return row

    def stored(self, conn: sqlite3.Connection, row: sqlite3.Row) -> StoredDraft:
        rev = conn.execute(
            "SELECT content FROM draft_revisions WHERE draft_id = ? AND version = ?",
            (row["id"], row["version"]),
        ).fetchone()
        return StoredDraft(
            id=row["id"],
            record=self.record,
            draft=_draft(rev["content"]),
            version=row["version"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            source=row["source"],
            companion=row["companion"],
        )

    def get(self, draft_id: int) -> StoredDraft:
        with self.db.read() as conn:
            return self.stored(conn, self._row(conn, draft_id))

    def inbox(self) -> list[StoredDraft]:
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT * FROM drafts WHERE status = 'inbox' ORDER BY created_at, id"
            ).fetchall()
            return [self.stored(conn, r) for r in rows]

    @staticmethod
    def _check_version(row: sqlite3.Row, expected: int | None) -> None:
        if expected is not None and expected != row["version"]:
            raise EditConflictError(
                f"draft {row['id']} was changed elsewhere (you have version {expected}, the store has "
                f"{row['version']}); reload it before saving again"
            )

    def update(self, draft_id: int, draft: Draft, expected: int) -> StoredDraft:
        with self.db.write() as conn:
            row = self._row(conn, draft_id)
            self._check_version(row, expected)
            old = self.stored(conn, row).draft
            version = row["version"] + 1
            now = utc_now()
            self._revision(conn, draft_id, version, now, draft)
            conn.execute(
                "UPDATE drafts SET version = ?, updated_at = ? WHERE id = ?", (version, now, draft_id)
            )
            for action, detail in _changes(old, draft):
                audit.append(conn, action, "draft", draft_id, version=version, **detail)
            return self.stored(
                conn, conn.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
            )

    def finalize(self, draft_id: int, expected: int | None, signed_by: str) -> Note:
        if not signed_by.strip():
            raise BadInputError("a note is finalized by someone: give the clinician's name (--signed-by)")
        with self.db.write() as conn:
            row = self._row(conn, draft_id)
            self._check_version(row, expected)
            draft = self.stored(conn, row).draft
            now = utc_now()
            cur = conn.execute(
                "INSERT INTO notes (draft_id, format, client, session_date, created_at, finalized_at, "
                "signed_by, content) VALUES (?,?,?,?,?,?,?,?)",
                (
                    draft_id,
                    draft.format,
                    draft.session.client,
                    draft.session.date,
                    row["created_at"],
                    now,
                    signed_by.strip(),
                    _content(draft),
                ),
            )
            note_id = int(cur.lastrowid or 0)
            conn.execute(
                "UPDATE drafts SET status = 'finalized', updated_at = ? WHERE id = ?", (now, draft_id)
            )
            audit.append(conn, "finalized", "draft", draft_id, note=note_id, version=row["version"])
            return self.note(conn, note_id)

    def discard(self, draft_id: int, expected: int | None) -> None:
        """Drop a draft's content for good; the audit log keeps that it happened."""
        with self.db.write() as conn:
            row = self._row(conn, draft_id)
            self._check_version(row, expected)
            conn.execute("DELETE FROM draft_revisions WHERE draft_id = ?", (draft_id,))
            conn.execute(
                "UPDATE drafts SET status = 'discarded', updated_at = ? WHERE id = ?", (utc_now(), draft_id)
            )
            audit.append(conn, "discarded", "draft", draft_id, version=row["version"])

    def note(self, conn: sqlite3.Connection, note_id: int) -> Note:
        row = conn.execute("SELECT * FROM notes WHERE id = ?", (note_id,)).fetchone()
        if row is None:
            where = "private notes" if self.record == "private" else "notes"
            raise RecordNotFoundError(
                f"no note {note_id} among the {where}; `dictanote notes list` shows them"
            )
        amendments = tuple(
            Amendment(at=a["at"], reason=a["reason"], signed_by=a["signed_by"], content=_draft(a["content"]))
            for a in conn.execute("SELECT * FROM amendments WHERE note_id = ? ORDER BY id", (note_id,))
        )
        return Note(
            id=row["id"],
            record=self.record,
            draft_id=row["draft_id"],
            original=_draft(row["content"]),
            created_at=row["created_at"],
            finalized_at=row["finalized_at"],
            signed_by=row["signed_by"],
            amendments=amendments,
        )

    def get_note(self, note_id: int) -> Note:
        with self.db.read() as conn:
            return self.note(conn, note_id)

    def notes(self, client: str | None) -> list[Note]:
        with self.db.read() as conn:
            if client is None:
                ids = conn.execute("SELECT id FROM notes ORDER BY finalized_at, id").fetchall()
            else:
                ids = conn.execute(
                    "SELECT id FROM notes WHERE client = ? ORDER BY finalized_at, id", (client,)
                ).fetchall()
            return [self.note(conn, r["id"]) for r in ids]

    def amend(self, note_id: int, draft: Draft, reason: str, signed_by: str) -> Note:
        if not reason.strip():
            raise BadInputError("an amendment needs a reason (--reason)")
        if not signed_by.strip():
            raise BadInputError("an amendment is signed by someone: give the clinician's name (--signed-by)")
        with self.db.write() as conn:
            self.note(conn, note_id)
            conn.execute(
                "INSERT INTO amendments (note_id, at, reason, signed_by, content) VALUES (?,?,?,?,?)",
                (note_id, utc_now(), reason.strip(), signed_by.strip(), _content(draft)),
            )
            audit.append(conn, "amended", "note", note_id)
            return self.note(conn, note_id)

    def exported(self, note_id: int, kind: str) -> None:
        with self.db.write() as conn:
            self.note(conn, note_id)
            audit.append(conn, "exported", "note", note_id, kind=kind)


class Store(AbstractContextManager["Store"]):
    """The drafts inbox and finalized notes of one user, clinical and private apart."""

    def __init__(self, data_dir: Path, clinical: Database, private: Database, keys: StoreKeys) -> None:
        self.data_dir = data_dir
        self._records: dict[Record, _Record] = {
            "clinical": _Record("clinical", clinical, keys.audit("clinical")),
            "private": _Record("private", private, keys.audit("private")),
        }

    @classmethod
    def open(cls, data_dir: Path, keys: StoreKeys | None = None) -> Store:
        """Open (creating and migrating as needed) the store in ``data_dir``.

        ``keys``: the store's secrets (see ``keys.py``); by default owner-only key
        files in ``data_dir/keys``.
        """
        private_dir(data_dir)
        if keys is None:
            keys = file_keys(data_dir / "keys")
        clinical = Database(data_dir / FILES["clinical"], MIGRATIONS)
        try:
            private = Database(data_dir / FILES["private"], MIGRATIONS)
        except BaseException:
            clinical.close()
            raise
        return cls(data_dir, clinical, private, keys)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close both database files."""
        for rec in self._records.values():
            rec.db.close()

    def _rec(self, private: bool) -> _Record:
        return self._records["private" if private else "clinical"]

    def database(self, record: Record) -> Database:
        """The database file of one record (for integrity checks and tests)."""
        return self._records[record].db

    # --- the inbox ---------------------------------------------------------

    def save_draft(self, draft: Draft, *, source: str = "cli") -> StoredDraft:
        """Put a new draft in the inbox; its private companion goes to the private record.

        A psychotherapy-format draft goes to the private record entirely. The
        clinical draft is committed first, so a failure saving the companion never
        loses it; the companion then names the clinical draft it belongs to.
        """
        if draft.format == PRIVATE_FORMAT:
            rec = self._rec(True)
            with rec.db.write() as conn:
                draft_id = rec.insert_draft(conn, draft, source, None)
            return rec.get(draft_id)
        companion = draft.private
        clinical = self._rec(False)
        with clinical.db.write() as conn:
            draft_id = clinical.insert_draft(conn, _without_private(draft), source, None)
        if companion is not None:
            private = self._rec(True)
            with private.db.write() as conn:
                private.insert_draft(conn, companion, source, draft_id)
        return clinical.get(draft_id)

    def list_drafts(self, *, private: bool = False) -> list[StoredDraft]:
        """The inbox (or the private inbox), oldest first."""
        return self._rec(private).inbox()

    def get_draft(self, draft_id: int, *, private: bool = False) -> StoredDraft:
        """One draft waiting in the inbox."""
        return self._rec(private).get(draft_id)

    def companion_of(self, draft_id: int) -> StoredDraft | None:
        """The private draft dictated together with clinical draft ``draft_id``, if any."""
        for stored in self._rec(True).inbox():
            if stored.companion == draft_id:
                return stored
        return None

    def update_draft(
        self, draft_id: int, draft: Draft, *, expected_version: int, private: bool = False
    ) -> StoredDraft:
        """Save an edit as a new revision; refused if someone saved since ``expected_version``."""
        return self._rec(private).update(draft_id, _without_private(draft), expected_version)

    def finalize_draft(
        self, draft_id: int, *, expected_version: int | None, signed_by: str, private: bool = False
    ) -> Note:
        """Sign a draft: it becomes an immutable note and leaves the inbox."""
        return self._rec(private).finalize(draft_id, expected_version, signed_by)

    def discard_draft(self, draft_id: int, *, expected_version: int | None, private: bool = False) -> None:
        """Delete a draft's content; the audit log keeps that it was discarded."""
        self._rec(private).discard(draft_id, expected_version)

    # --- finalized notes ---------------------------------------------------

    def list_notes(self, *, private: bool = False, client: str | None = None) -> list[Note]:
        """Finalized notes, oldest first, optionally of one client."""
        return self._rec(private).notes(client)

    def get_note(self, note_id: int, *, private: bool = False) -> Note:
        """One finalized note with its amendments."""
        return self._rec(private).get_note(note_id)

    def amend_note(
        self, note_id: int, draft: Draft, *, reason: str, signed_by: str, private: bool = False
    ) -> Note:
        """Add an amendment with its own time; the original stays as it was signed."""
        return self._rec(private).amend(note_id, _without_private(draft), reason, signed_by)

    def record_export(self, note_id: int, kind: str, *, private: bool = False) -> None:
        """Note in the audit log that a note was exported (what kind, not what it said)."""
        self._rec(private).exported(note_id, kind)

    def client_measures(self, client: str) -> list[tuple[str, MeasureValue]]:
        """A client's rating-scale scores from their finalized clinical notes, oldest first."""
        out: list[tuple[str, MeasureValue]] = []
        for note in self.list_notes(client=client):
            when = note.content.session.date or note.finalized_at[:10]
            out.extend((when, m) for m in note.content.session.measures)
        return sorted(out, key=lambda pair: pair[0])

    def clients(self) -> list[str]:
        """Client identifiers that have finalized clinical notes."""
        return sorted({n.content.session.client for n in self.list_notes() if n.content.session.client})

    # --- audit -------------------------------------------------------------

    def audit_entries(self, *, private: bool = False) -> list[audit.AuditEntry]:
        """The audit log of one record, oldest first."""
        with self._rec(private).db.read() as conn:
            return audit.entries(conn)

    def verify_audit(self, *, private: bool = False) -> audit.AuditReport:
        """Check the audit log's hash chain of one record."""
        with self._rec(private).db.read() as conn:
            return audit.verify(conn)


def _without_private(draft: Draft) -> Draft:
    return replace(draft, private=None) if draft.private is not None else draft
