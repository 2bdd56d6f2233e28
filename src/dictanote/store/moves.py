"""Sentences moved between a clinical draft and its private companion, in two files, destination first.

Owns the order of a move's two writes and the rewrite of the clinical draft's earlier
revisions so that none keeps the moved words. Knows nothing of sentences: the caller
gives both drafts as they must end and a ``forget`` function. Never logs or audits text.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..core.policy import utc_now
from ..core.types import Draft, Record, StoredDraft
from . import audit
from .db import triggers_lifted
from .store import Store, _content, _decode, _Record

log = logging.getLogger(__name__)

Forget = Callable[[Draft], Draft]


@dataclass(frozen=True)
class Move:
    """Sentences leaving draft ``source_id`` of record ``source`` for the other record's companion draft.

    ``kept``: the source draft without them; ``target``: the companion with them
    (``target_id`` None: a new companion, to the private record only); ``forget``: how
    each earlier revision of a clinical source loses the moved words (None: kept).
    """

    source: Record
    source_id: int
    expected_version: int
    kept: Draft
    target: Draft
    target_id: int | None
    target_version: int | None
    field: str  # where they land (audited: a field id, never words)
    count: int
    forget: Forget | None = None


def move_sentences(store: Store, m: Move) -> tuple[StoredDraft, StoredDraft]:
    """Carry out ``m`` in ``store``: the source draft and the target draft as they now stand."""
    source, target = move(store._rec(False), store._rec(True), m)
    to_private = m.source == "clinical"
    return store.get_draft(source, private=not to_private), store.get_draft(target, private=to_private)


def move(clinical: _Record, private: _Record, m: Move) -> tuple[int, int]:
    """Carry out ``m``; the source's id and the target's id.

    The destination is committed first, then the source: a failure in between leaves
    the words in both drafts, never in neither. To the private record the clinical
    write lock is held throughout (the order ``Store._save_pair`` uses) and the file is
    rebuilt afterwards, so no old copy of a rewritten revision stays on disk.
    """
    if m.source == "clinical":
        with clinical.db.write() as conn:
            row = clinical._row(conn, m.source_id)
            clinical._check_version(row, m.expected_version)
            target_id = _land(private, m)
            _leave(clinical, conn, m, target_id)
        clinical.db.compact_after("a move")
        return m.source_id, target_id
    with private.db.read() as conn:
        private._check_version(private._row(conn, m.source_id), m.expected_version)
    target_id = _land(clinical, m)
    with private.db.write() as conn:
        private._check_version(private._row(conn, m.source_id), m.expected_version)
        _leave(private, conn, m, target_id)
    return m.source_id, target_id


def _land(rec: _Record, m: Move) -> int:
    """The target draft with the moved sentences, committed: a new revision, or a new companion draft."""
    detail: dict[str, Any] = {
        "kind": f"from-{m.source}",
        "record": m.source,
        "companion": m.source_id,
        "fields": [m.field],
        "count": m.count,
    }
    with rec.db.write() as conn:
        if m.target_id is None:
            target_id = rec.insert_draft(conn, m.target, "review", m.source_id)
            version = 1
        else:
            target_id = m.target_id
            row = rec._row(conn, target_id)
            rec._check_version(row, m.target_version)
            version = _next_revision(rec, conn, target_id, row["version"], m.target)
        audit.append(conn, rec.audit_key, "moved", "draft", target_id, version=version, **detail)
    return target_id


def _leave(rec: _Record, conn: sqlite3.Connection, m: Move, target_id: int) -> None:
    """The source draft without the moved sentences, inside the caller's transaction."""
    row = rec._row(conn, m.source_id)
    version = _next_revision(rec, conn, m.source_id, row["version"], m.kept)
    if m.forget is not None:
        rewritten = _forget_earlier(conn, m.source_id, version, m.forget)
        log.info("draft %d: %d earlier revisions no longer hold the moved words", m.source_id, rewritten)
    to: Record = "clinical" if m.source == "private" else "private"
    detail = {"kind": f"to-{to}", "record": to, "companion": target_id, "count": m.count}
    audit.append(conn, rec.audit_key, "moved", "draft", m.source_id, version=version, **detail)


def _next_revision(rec: _Record, conn: sqlite3.Connection, draft_id: int, version: int, draft: Draft) -> int:
    now = utc_now()
    rec._revision(conn, draft_id, version + 1, now, draft)
    conn.execute("UPDATE drafts SET version = ?, updated_at = ? WHERE id = ?", (version + 1, now, draft_id))
    return version + 1


def _forget_earlier(conn: sqlite3.Connection, draft_id: int, current: int, forget: Forget) -> int:
    """Each earlier revision of the draft through ``forget`` (append-only lifted in this transaction only)."""
    count = 0
    rows = conn.execute(
        "SELECT version, content FROM draft_revisions WHERE draft_id = ? AND version < ?", (draft_id, current)
    ).fetchall()
    with triggers_lifted(conn, "draft_revisions"):
        for r in rows:
            found = _decode(r["content"])
            if isinstance(found, str):
                log.warning("draft %d version %d is damaged: its words could not be checked", draft_id, r[0])
                continue
            new = _content(forget(found))
            if new != r["content"]:
                conn.execute(
                    "UPDATE draft_revisions SET content = ? WHERE draft_id = ? AND version = ?",
                    (new, draft_id, r["version"]),
                )
                count += 1
    return count
