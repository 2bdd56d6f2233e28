"""The inbox of drafts and the finalized notes, in two SQLite files.

``clinical.db`` holds the clinical record; ``private.db`` holds psychotherapy
(process) notes, which never appear in the clinical record's listings or
exports unless asked for with ``private=True``. Every change is one transaction
with its audit entry (a draft and its private companion: one per file, made one
unit by ``Store._save_pair``); nothing here ever logs or audits note text.
"""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any

from ..core.codec import draft_from_dict, draft_to_dict
from ..core.errors import BadInputError, DraftDataError, EditConflictError, RecordNotFoundError, StoreError
from ..core.plans import PlanContent, TreatmentPlan
from ..core.policy import PRIVATE_FORMAT, utc_now
from ..core.types import (
    Amendment,
    Client,
    DamagedDraft,
    Draft,
    MeasureValue,
    Note,
    Record,
    SessionInfo,
    StoredDraft,
)
from . import audit, clients, plans
from .db import FILES, Database, private_dir
from .keys import StoreKeys, store_keys
from .schema import MIGRATIONS
from .scrub import scrub

log = logging.getLogger(__name__)

# A private draft whose clinical half is not saved yet is no draft at all (see ``Store._save_pair``).
_NOT_PENDING = "id NOT IN (SELECT draft_id FROM pending_pairs)"


def _content(draft: Draft) -> str:
    return json.dumps(draft_to_dict(draft), ensure_ascii=False, separators=(",", ":"))


def _decode(text: Any) -> Draft | str:
    """A stored row's content as a draft, or what is wrong with it in words (never its text)."""
    if text is None:
        return "its content is missing"
    try:
        raw = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return "its stored content is not JSON"
    try:
        return draft_from_dict(raw)
    except (DraftDataError, TypeError, ValueError, LookupError, AttributeError, RecursionError):
        return "its stored content is not a draft (wrong shape)"


def _draft(text: Any, what: str, path: Path) -> Draft:
    """Stored content read back; a row that cannot be is a StoreError naming it (exit 4, not bad input)."""
    found = _decode(text)
    if isinstance(found, str):
        raise StoreError(f"{what} in {path.name} is damaged: {found}; the other records are not affected")
    return found


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

    def insert_draft(
        self,
        conn: sqlite3.Connection,
        draft: Draft,
        source: str,
        companion: int | None,
        pair: tuple[int, str] | None = None,
    ) -> int:
        """A new draft at version 1 with its 'created' entry; ``pair``: (its id, its pair token)."""
        now = utc_now()
        draft_id, token = pair if pair is not None else (None, None)
        cur = conn.execute(
            "INSERT INTO drafts (id, created_at, updated_at, source, status, version, companion, pair_token) "
            "VALUES (?, ?, ?, ?, 'inbox', 1, ?, ?)",
            (draft_id, now, now, source, companion, token),
        )
        draft_id = int(cur.lastrowid or 0)
        self._revision(conn, draft_id, 1, now, draft)
        detail: dict[str, Any] = {"format": draft.format, "source": source}
        if companion is not None:
            detail["companion"] = companion
        audit.append(conn, self.audit_key, "created", "draft", draft_id, **detail)
        return draft_id

    @staticmethod
    def _revision(conn: sqlite3.Connection, draft_id: int, version: int, at: str, draft: Draft) -> None:
        conn.execute(
            "INSERT INTO draft_revisions (draft_id, version, at, format, client, client_id, content) "
            "VALUES (?,?,?,?,?,?,?)",
            (
                draft_id,
                version,
                at,
                draft.format,
                draft.session.client,
                draft.session.client_id,
                _content(draft),
            ),
        )

    @staticmethod
    def next_id(conn: sqlite3.Connection) -> int:
        """The id the next draft gets (stable while the caller holds the write lock)."""
        return int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM drafts").fetchone()[0])

    def _row(self, conn: sqlite3.Connection, draft_id: int) -> sqlite3.Row:
        row: sqlite3.Row | None = conn.execute(
            f"SELECT * FROM drafts WHERE id = ? AND {_NOT_PENDING}", (draft_id,)
        ).fetchone()
        if row is None or row["status"] != "inbox":
            where = "private inbox" if self.record == "private" else "inbox"
            state = f" (it was {row['status']})" if row is not None else ""
            raise RecordNotFoundError(
                f"no draft {draft_id} in the {where}{state}; `dictanote drafts list` shows the inbox"
            )
        return row

    def _what(self, kind: str, object_id: int) -> str:
        return f"{'private ' if self.record == 'private' else ''}{kind} {object_id}"

    @staticmethod
    def _content_of(conn: sqlite3.Connection, row: sqlite3.Row) -> Any:
        rev = conn.execute(
            "SELECT content FROM draft_revisions WHERE draft_id = ? AND version = ?",
            (row["id"], row["version"]),
        ).fetchone()
        return rev["content"] if rev is not None else None

    def stored(self, conn: sqlite3.Connection, row: sqlite3.Row, draft: Draft | None = None) -> StoredDraft:
        """A draft row with its current content (read here unless given)."""
        if draft is None:
            draft = _draft(self._content_of(conn, row), self._what("draft", row["id"]), self.db.path)
        return StoredDraft(
            id=row["id"],
            record=self.record,
            draft=draft,
            version=row["version"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            source=row["source"],
            companion=row["companion"],
        )

    def get(self, draft_id: int) -> StoredDraft:
        with self.db.read() as conn:
            return self.stored(conn, self._row(conn, draft_id))

    def inbox(self) -> tuple[list[StoredDraft], list[DamagedDraft]]:
        """The drafts in the inbox, oldest first, and apart those whose content cannot be read."""
        good: list[StoredDraft] = []
        damaged: list[DamagedDraft] = []
        with self.db.read() as conn:
            rows = conn.execute(
                f"SELECT * FROM drafts WHERE status = 'inbox' AND {_NOT_PENDING} ORDER BY created_at, id"
            ).fetchall()
            for row in rows:
                found = _decode(self._content_of(conn, row))
                if isinstance(found, str):
                    damaged.append(DamagedDraft(row["id"], found))
                else:
                    good.append(self.stored(conn, row, found))
        return good, damaged

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
                audit.append(conn, self.audit_key, action, "draft", draft_id, version=version, **detail)
            return self.stored(
                conn, conn.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
            )

    def finalize(
        self, draft_id: int, expected: int | None, signed_by: str, fallback: SessionInfo | None = None
    ) -> Note:
        """Sign a draft; refused without a client and a date of service (``fallback``: the session of
        the clinical draft a private one was dictated with, where the private draft names none)."""
        if not signed_by.strip():
            raise BadInputError("a note is finalized by someone: give the clinician's name (--signed-by)")
        with self.db.write() as conn:
            row = self._row(conn, draft_id)
            self._check_version(row, expected)
            draft = self.stored(conn, row).draft
            client_id = draft.session.client_id or (fallback.client_id if fallback else None)
            service_date = draft.session.date or (fallback.date if fallback else None)
            _signable(self._what("draft", draft_id), client_id, service_date)
            now = utc_now()
            cur = conn.execute(
                "INSERT INTO notes (draft_id, format, client, client_id, session_date, created_at, "
                "finalized_at, signed_by, content) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    draft_id,
                    draft.format,
                    draft.session.client,
                    client_id,
                    service_date,
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
            stored = conn.execute("SELECT content, signed_by FROM notes WHERE id = ?", (note_id,)).fetchone()
            detail = {"note": note_id, "version": row["version"]}
            seal = audit.seal(stored["content"], stored["signed_by"])
            audit.append(conn, self.audit_key, "finalized", "draft", draft_id, **detail, **seal)
            return self.note(conn, note_id)

    def discard(self, draft_id: int, expected: int | None) -> None:
        """Drop a draft's content for good; the audit log keeps that it happened."""
        with self.db.write() as conn:
            row = self._row(conn, draft_id)
            self._check_version(row, expected)
            self.drop(conn, draft_id)

    def drop(self, conn: sqlite3.Connection, draft_id: int) -> None:
        """Delete a draft's content inside the caller's transaction; its row says 'discarded', as the log."""
        version = conn.execute("SELECT version FROM drafts WHERE id = ?", (draft_id,)).fetchone()["version"]
        conn.execute("DELETE FROM draft_revisions WHERE draft_id = ?", (draft_id,))
        conn.execute("DELETE FROM pending_pairs WHERE draft_id = ?", (draft_id,))
        conn.execute(
            "UPDATE drafts SET status = 'discarded', updated_at = ? WHERE id = ?", (utc_now(), draft_id)
        )
        audit.append(conn, self.audit_key, "discarded", "draft", draft_id, version=version)

    @staticmethod
    def complete_pair(conn: sqlite3.Connection, draft_id: int, clinical_id: int) -> None:
        """Step (3) of a pair's save: this private draft names its clinical draft and is shown."""
        conn.execute("UPDATE drafts SET companion = ? WHERE id = ?", (clinical_id, draft_id))
        conn.execute("DELETE FROM pending_pairs WHERE draft_id = ?", (draft_id,))

    def note(self, conn: sqlite3.Connection, note_id: int) -> Note:
        row = conn.execute("SELECT * FROM notes WHERE id = ?", (note_id,)).fetchone()
        if row is None:
            where = "private notes" if self.record == "private" else "notes"
            raise RecordNotFoundError(
                f"no note {note_id} among the {where}; `dictanote notes list` shows them"
            )
        what = self._what("note", note_id)
        amendments = tuple(
            Amendment(
                at=a["at"],
                reason=a["reason"],
                signed_by=a["signed_by"],
                content=_draft(a["content"], f"amendment {a['id']} of {what}", self.db.path),
            )
            for a in conn.execute("SELECT * FROM amendments WHERE note_id = ? ORDER BY id", (note_id,))
        )
        return Note(
            id=row["id"],
            record=self.record,
            draft_id=row["draft_id"],
            original=_draft(row["content"], what, self.db.path),
            created_at=row["created_at"],
            finalized_at=row["finalized_at"],
            signed_by=row["signed_by"],
            amendments=amendments,
        )

    def get_note(self, note_id: int) -> Note:
        with self.db.read() as conn:
            return self.note(conn, note_id)

    def notes(self, client_id: str | None) -> list[Note]:
        """Notes in the order signed; of one client (by id, without case) when ``client_id`` is given."""
        with self.db.read() as conn:
            if client_id is None:
                ids = conn.execute("SELECT id FROM notes ORDER BY finalized_at, id").fetchall()
            else:
                ids = conn.execute(
                    "SELECT id FROM notes WHERE client_id = ? COLLATE NOCASE ORDER BY finalized_at, id",
                    (client_id,),
                ).fetchall()
            return [self.note(conn, r["id"]) for r in ids]

    def amend(self, note_id: int, draft: Draft, reason: str, signed_by: str) -> Note:
        if not reason.strip():
            raise BadInputError("an amendment needs a reason (--reason)")
        if not signed_by.strip():
            raise BadInputError("an amendment is signed by someone: give the clinician's name (--signed-by)")
        with self.db.write() as conn:
            self.note(conn, note_id)
            cur = conn.execute(
                "INSERT INTO amendments (note_id, at, reason, signed_by, content) VALUES (?,?,?,?,?)",
                (note_id, utc_now(), reason.strip(), signed_by.strip(), _content(draft)),
            )
            amendment = int(cur.lastrowid or 0)
            stored = conn.execute(
                "SELECT content, signed_by FROM amendments WHERE id = ?", (amendment,)
            ).fetchone()
            seal = audit.seal(stored["content"], stored["signed_by"])
            audit.append(conn, self.audit_key, "amended", "note", note_id, amendment=amendment, **seal)
            return self.note(conn, note_id)

    def key_audit(self, allowed: bool) -> None:
        """Key an audit log written before its key existed (once; see ``audit.upgrade``)."""
        with self.db.read() as conn:
            if audit.is_keyed(conn):
                return
        with self.db.write() as conn:
            audit.upgrade(conn, self.audit_key, allowed=allowed)

    def exported(self, note_id: int, kind: str) -> None:
        with self.db.write() as conn:
            self.note(conn, note_id)
            audit.append(conn, self.audit_key, "exported", "note", note_id, kind=kind)


class Store(AbstractContextManager["Store"]):
    """The drafts inbox and finalized notes of one user, clinical and private apart."""

    def __init__(self, data_dir: Path, clinical: Database, private: Database, keys: StoreKeys) -> None:
        self.data_dir = data_dir
        self._records: dict[Record, _Record] = {
            "clinical": _Record("clinical", clinical, keys.audit("clinical")),
            "private": _Record("private", private, keys.audit("private")),
        }
        try:  # before anything else writes an entry: an unkeyed log is keyed first
            for rec in self._records.values():
                rec.key_audit(allowed=keys.rechain)
        except BaseException:
            self.close()
            raise

    @classmethod
    def open(
        cls, data_dir: Path, keys: StoreKeys | None = None, redact: Callable[[str], str] | None = None
    ) -> Store:
        """Open (creating and migrating as needed) the store in ``data_dir``.

        ``keys``: the store's secrets (see ``keys.py``); by default ``store_keys(data_dir)``:
        the OS keyring, else ``DICTANOTE_PASSPHRASE``; new files encrypted.
        ``redact``: the transcript with its private spans cut out; given, every clinical
        row saved before private words were cut is corrected through it, once (see
        ``scrub.py``). A save that stopped between its two files is completed or undone
        here (see ``_save_pair``).
        """
        store = cls._open(data_dir, keys)
        try:
            store._recover_pairs()
            store._seed_clients()
            if redact is not None:
                clinical = store._rec(False)
                scrub(clinical.db, clinical.audit_key, redact)
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def _open(cls, data_dir: Path, keys: StoreKeys | None) -> Store:
        """The two files opened and migrated, the audit logs keyed."""
        private_dir(data_dir)
        if keys is None:
            keys = store_keys(data_dir)
        clinical = Database(data_dir / FILES["clinical"], MIGRATIONS, keys.database("clinical"))
        try:
            private = Database(data_dir / FILES["private"], MIGRATIONS, keys.database("private"))
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

        A psychotherapy-format draft goes to the private record entirely. A draft and
        its companion are saved as one unit: both, or (with an error) neither.
        """
        draft = self._with_client(draft)
        if draft.format == PRIVATE_FORMAT or draft.private is None:
            rec = self._rec(draft.format == PRIVATE_FORMAT)
            with rec.db.write() as conn:
                draft_id = rec.insert_draft(conn, draft, source, None)
            return rec.get(draft_id)
        return self._save_pair(draft, draft.private, source)

    def _save_pair(self, draft: Draft, companion: Draft, source: str) -> StoredDraft:
        """A clinical draft and its private companion, in two files, as one unit.

        SQLite commits each file atomically, never the two together, so: (1) the private
        half is committed, hidden, in ``pending_pairs`` with a random token; (2) the
        clinical draft is committed carrying that token, and from then on the pair
        exists; (3) the pending mark goes. The clinical write lock is held through (1)
        and (2), so ``_recover_pairs`` never takes a save in progress for one that
        stopped. A failure in (1) or (2) saved nothing; one in (3) is logged and left
        to the recovery, the draft is saved.
        """
        clinical, private = self._rec(False), self._rec(True)
        token = secrets.token_hex(16)
        private_id: int | None = None
        try:
            with clinical.db.write() as conn:
                draft_id = clinical.next_id(conn)
                private_id = self._save_pending_companion(companion, source, draft_id, token)
                clinical.insert_draft(conn, _without_private(draft), source, None, pair=(draft_id, token))
        except BaseException:
            if private_id is not None:
                self._recover_pairs()  # the hidden half goes now, or at the next open
            raise
        try:
            with private.db.write() as conn:
                private.complete_pair(conn, private_id, draft_id)
        except StoreError as exc:
            log.warning(
                "draft %d saved; its private companion %d is completed later (%s)",
                draft_id,
                private_id,
                type(exc).__name__,
            )
        return clinical.get(draft_id)

    def _save_pending_companion(self, companion: Draft, source: str, draft_id: int, token: str) -> int:
        """Step (1) of ``_save_pair``: the private half, committed but hidden until step (3)."""
        private = self._rec(True)
        with private.db.write() as conn:
            private_id = private.insert_draft(conn, companion, source, draft_id)
            conn.execute("INSERT INTO pending_pairs (draft_id, token) VALUES (?, ?)", (private_id, token))
        return private_id

    def _recover_pairs(self) -> None:
        """Complete, or discard, private halves that a stopped save left hidden (see ``_save_pair``).

        A half whose token is in clinical.db belongs to a saved draft: it is completed.
        Any other was never saved: its content is deleted and the log says 'discarded'.
        A store too busy to do it now leaves them hidden for the next try.
        """
        clinical, private = self._rec(False), self._rec(True)
        try:
            with private.db.read() as conn:
                if conn.execute("SELECT 1 FROM pending_pairs LIMIT 1").fetchone() is None:
                    return
            with clinical.db.write() as cconn, private.db.write() as pconn:
                for row in pconn.execute("SELECT draft_id, token FROM pending_pairs").fetchall():
                    found = cconn.execute(
                        "SELECT id FROM drafts WHERE pair_token = ?", (row["token"],)
                    ).fetchone()
                    if found is None:
                        private.drop(pconn, row["draft_id"])
                        log.info("discarded private draft %d: its save never finished", row["draft_id"])
                    else:
                        private.complete_pair(pconn, row["draft_id"], found["id"])
        except StoreError as exc:
            log.warning("could not finish interrupted saves now (%s); tried again later", type(exc).__name__)

    def list_drafts(self, *, private: bool = False) -> list[StoredDraft]:
        """The inbox (or the private inbox), oldest first; damaged drafts are left out (see below)."""
        if private:
            self._recover_pairs()
        return self._rec(private).inbox()[0]

    def damaged_drafts(self, *, private: bool = False) -> list[DamagedDraft]:
        """Drafts in the inbox whose stored content cannot be read: their ids and what is wrong."""
        return self._rec(private).inbox()[1]

    def get_draft(self, draft_id: int, *, private: bool = False) -> StoredDraft:
        """One draft waiting in the inbox."""
        if private:
            self._recover_pairs()
        return self._rec(private).get(draft_id)

    def companion_of(self, draft_id: int) -> StoredDraft | None:
        """The private draft dictated together with clinical draft ``draft_id``, if any."""
        for stored in self.list_drafts(private=True):
            if stored.companion == draft_id:
                return stored
        return None

    def update_draft(
        self, draft_id: int, draft: Draft, *, expected_version: int, private: bool = False
    ) -> StoredDraft:
        """Save an edit as a new revision; refused if someone saved since ``expected_version``.

        A client named in the session must be in the client list (its id is kept as the list spells it).
        """
        return self._rec(private).update(
            draft_id, _without_private(self._with_client(draft)), expected_version
        )

    def finalize_draft(
        self, draft_id: int, *, expected_version: int | None, signed_by: str, private: bool = False
    ) -> Note:
        """Sign a draft: it becomes an immutable note and leaves the inbox.

        Refused (``BadInputError``, one line) without a client and a date of service; a private
        draft without its own takes those of the clinical draft (or note) it was dictated with.
        """
        return self._rec(private).finalize(
            draft_id, expected_version, signed_by, self._fallback(draft_id, private)
        )

    def check_signable(self, draft_id: int, *, private: bool = False) -> None:
        """Refuse now, as ``finalize_draft`` would, a draft without a client or a date of service
        (so a command can say so before it asks or prints anything else)."""
        stored = self._rec(private).get(draft_id)
        fallback = self._fallback(draft_id, private) or SessionInfo()
        what = f"{'private ' if private else ''}draft {draft_id}"
        session = stored.draft.session
        _signable(what, session.client_id or fallback.client_id, session.date or fallback.date)

    def _fallback(self, draft_id: int, private: bool) -> SessionInfo | None:
        """For a private draft, the session of the clinical draft it was dictated with."""
        if not private:
            return None
        companion = self._rec(True).get(draft_id).companion
        return self._clinical_session(companion) if companion is not None else None

    def _clinical_session(self, draft_id: int) -> SessionInfo | None:
        """The session of clinical draft ``draft_id``, in the inbox or signed; None if it was discarded."""
        rec = self._rec(False)
        with rec.db.read() as conn:
            row = conn.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
            if row is None or row["status"] == "discarded":
                return None
            if row["status"] == "inbox":
                return rec.stored(conn, row).draft.session
            note = conn.execute("SELECT id FROM notes WHERE draft_id = ?", (draft_id,)).fetchone()
            return rec.note(conn, note["id"]).content.session if note is not None else None

    def _with_client(self, draft: Draft) -> Draft:
        """The draft with its client id spelled as the list has it (and its private companion naming
        the client by that id only); ``RecordNotFoundError`` for a client not in the list."""
        client_id = draft.session.client_id
        if client_id is None:
            return draft
        with self._rec(False).db.read() as conn:
            code = clients.known(conn, client_id)
        session = replace(draft.session, client_id=code)
        private = draft.private
        if private is not None:
            private = replace(  # the private record names the client by id only
                private,
                session=replace(
                    private.session, client=None, client_id=code, date=session.date, time=session.time
                ),
            )
        return replace(draft, session=session, private=private)

    def discard_draft(self, draft_id: int, *, expected_version: int | None, private: bool = False) -> None:
        """Delete a draft's content; the audit log keeps that it was discarded."""
        self._rec(private).discard(draft_id, expected_version)

    # --- finalized notes ---------------------------------------------------

    def list_notes(self, *, private: bool = False, client: str | None = None) -> list[Note]:
        """Finalized notes, in the order signed, optionally of one client (by client id)."""
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

    def client_measures(self, client_id: str) -> list[tuple[str, MeasureValue]]:
        """A client's rating-scale scores from their finalized clinical notes, by date of service."""
        out: list[tuple[str, MeasureValue]] = []
        for note in self.list_notes(client=client_id):
            when = note.content.session.date or note.finalized_at[:10]
            out.extend((when, m) for m in note.content.session.measures)
        return sorted(out, key=lambda pair: pair[0])

    # --- treatment plans (clinical record; see plans.py) ----------------------

    def plan(self, client_id: str) -> TreatmentPlan | None:
        """The client's treatment plan as it stands, or None."""
        with self._rec(False).db.read() as conn:
            return plans.current(conn, client_id)

    def plan_history(self, client_id: str) -> list[TreatmentPlan]:
        """Every version of the client's plan, oldest first."""
        with self._rec(False).db.read() as conn:
            return plans.history(conn, client_id)

    def save_plan(
        self, client_id: str, content: PlanContent, *, reason: str, signed_by: str
    ) -> TreatmentPlan:
        """A new version of the client's plan (none when unchanged); a change needs a reason."""
        rec = self._rec(False)
        with rec.db.write() as conn:
            return plans.save(conn, rec.audit_key, client_id, content, reason, signed_by)

    # --- the client list (clinical record; see clients.py) -------------------

    def _seed_clients(self) -> None:
        """Once after the migration that added clients: unconfirmed clients from stored initials."""
        rec = self._rec(False)
        with rec.db.read() as conn:
            pending = conn.execute(
                "SELECT 1 FROM meta WHERE key IN (?, ?)", (clients.SEED_PENDING, clients.LINK_PENDING)
            ).fetchone()
            if pending is None:
                return
        with rec.db.write() as conn:
            made = clients.seed(conn, rec.audit_key)
            linked = clients.link_notes(conn)
        log.info("made %d unconfirmed clients from stored initials; linked %d notes", made, linked)

    def add_client(
        self, client_id: str, *, name: str, dob: str | None = None, pronouns: str | None = None
    ) -> Client:
        """A new client with the clinician's own id (unique without case), confirmed."""
        rec = self._rec(False)
        with rec.db.write() as conn:
            return clients.add(conn, rec.audit_key, client_id, name, dob, pronouns)

    def edit_client(self, client_id: str, **changes: str | None) -> Client:
        """Change ``name``, ``dob`` or ``pronouns`` ('' clears the optional two); the client is confirmed."""
        rec = self._rec(False)
        with rec.db.write() as conn:
            return clients.edit(conn, rec.audit_key, client_id, changes)

    def archive_client(self, client_id: str, *, undo: bool = False) -> Client:
        """Archive a client (their notes stay), or with ``undo`` make them active again."""
        rec = self._rec(False)
        with rec.db.write() as conn:
            return clients.archive(conn, rec.audit_key, client_id, undo)

    def get_client(self, client_id: str) -> Client:
        """One client, archived or not."""
        with self._rec(False).db.read() as conn:
            return clients.get(conn, client_id)

    def list_clients(self, *, archived: bool = False) -> list[Client]:
        """The client list in the order added; archived clients only with ``archived``."""
        with self._rec(False).db.read() as conn:
            return clients.listed(conn, archived)

    # --- audit -------------------------------------------------------------

    def audit_entries(self, *, private: bool = False) -> list[audit.AuditEntry]:
        """The audit log of one record, oldest first."""
        with self._rec(private).db.read() as conn:
            return audit.entries(conn)

    def verify_audit(self, *, private: bool = False) -> audit.AuditReport:
        """Check one record's audit log: its keyed chain and head, and that it covers every row."""
        rec = self._rec(private)
        with rec.db.read() as conn:
            return audit.verify(conn, rec.audit_key)


def _signable(what: str, client_id: str | None, service_date: str | None) -> None:
    """Refuse to sign a note that says neither whom it is about nor when the service was."""
    if not client_id:
        raise BadInputError(
            f"{what} names no client: choose one (`dictanote drafts client ID CLIENT`, or on the review page)"
        )
    if not service_date:
        raise BadInputError(
            f"{what} has no date of service: set it (`dictanote drafts client ID CLIENT --date YYYY-MM-DD`)"
        )


def _without_private(draft: Draft) -> Draft:
    return replace(draft, private=None) if draft.private is not None else draft
