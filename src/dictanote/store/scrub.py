"""Private words cut out of clinical rows saved before the segmenter cut them: a one-time correction.

Rewrites only the ``transcript`` of each clinical row's JSON (draft revisions, notes,
amendments) through a ``redact`` function, in one transaction with one ``corrected``
audit entry per row; the fields a clinician reviewed or signed never change. Never
logs or audits text, and never touches the private record.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from ..core.errors import BadInputError
from ..core.policy import utc_now
from . import audit
from .db import Database, triggers_lifted

log = logging.getLogger(__name__)

DONE = "private_words_cut"  # meta key: when this file's rows were corrected
_TABLES = ("draft_revisions", "notes", "amendments")

Redact = Callable[[str], str]


def _cut(content: Any, redact: Redact, what: str) -> str | None:
    """A row's JSON with its transcript redacted; None if that changes nothing (or the row is unreadable)."""
    try:
        data = json.loads(content)
    except (TypeError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("transcript"), str):
        return None
    try:
        cut = redact(data["transcript"])
    except BadInputError as exc:  # e.g. longer than the segmenter reads: kept, and said
        log.warning("could not correct %s (%s); left as it was", what, type(exc).__name__)
        return None
    if cut == data["transcript"]:
        return None
    data["transcript"] = cut
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _revisions(conn: sqlite3.Connection, key: bytes, redact: Redact) -> int:
    count = 0
    rows = conn.execute("SELECT draft_id, version, content FROM draft_revisions ORDER BY draft_id, version")
    for r in rows.fetchall():
        if (new := _cut(r["content"], redact, f"draft {r['draft_id']} version {r['version']}")) is not None:
            conn.execute(
                "UPDATE draft_revisions SET content = ? WHERE draft_id = ? AND version = ?",
                (new, r["draft_id"], r["version"]),
            )
            audit.append(
                conn, key, "corrected", "draft", r["draft_id"], kind="revision", version=r["version"]
            )
            count += 1
    return count


def _notes(conn: sqlite3.Connection, key: bytes, redact: Redact) -> int:
    """Finalized notes and their amendments; each entry carries the new content hash (see ``audit.seal``)."""
    count = 0
    for r in conn.execute("SELECT id, content FROM notes ORDER BY id").fetchall():
        if (new := _cut(r["content"], redact, f"note {r['id']}")) is not None:
            conn.execute("UPDATE notes SET content = ? WHERE id = ?", (new, r["id"]))
            sha = audit.content_hash(new)
            audit.append(conn, key, "corrected", "note", r["id"], kind="original", content_sha256=sha)
            count += 1
    for r in conn.execute("SELECT id, note_id, content FROM amendments ORDER BY id").fetchall():
        if (new := _cut(r["content"], redact, f"amendment {r['id']}")) is not None:
            conn.execute("UPDATE amendments SET content = ? WHERE id = ?", (new, r["id"]))
            sha = audit.content_hash(new)
            detail = {"kind": "amendment", "amendment": r["id"], "content_sha256": sha}
            audit.append(conn, key, "corrected", "note", r["note_id"], **detail)
            count += 1
    return count


def _done(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM meta WHERE key = ?", (DONE,)).fetchone() is not None


def scrub(db: Database, key: bytes, redact: Redact) -> int:
    """Correct, once per file, every clinical row saved with private words; how many rows changed.

    Finalized notes and amendments are immutable, so their triggers are lifted inside
    this one transaction only; the ``corrected`` entry is the amendment-style record of
    the change. Afterwards the file is rebuilt so that no old copy stays on disk.
    """
    with db.read() as conn:
        if _done(conn):
            return 0
    with db.write() as conn:
        if _done(conn):
            return 0  # another process did it while we waited for the lock
        with triggers_lifted(conn, *_TABLES):
            count = _revisions(conn, key, redact) + _notes(conn, key, redact)
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (DONE, utc_now()))
    log.info("cut private words out of %d clinical rows", count)
    db.compact_after("the correction")
    return count
