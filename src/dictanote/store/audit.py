"""The append-only audit log: what was done to which record and when, never what was written.

Each entry carries the hash of the one before it (and ``meta.audit_head`` the
last one), so an entry altered or deleted anywhere, the last included, breaks
the chain and ``verify`` says where.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from ..core.policy import utc_now

GENESIS = "0" * 64
ACTIONS = frozenset(
    {"created", "edited", "moved", "format-changed", "finalized", "amended", "exported", "discarded"}
)
# Detail keys an entry may carry: ids, counts and field names, never note text or client identifiers.
DETAIL_KEYS = frozenset(
    {"format", "source", "fields", "from", "to", "count", "version", "note", "kind", "companion", "record"}
)


@dataclass(frozen=True)
class AuditEntry:
    """One action in the log."""

    seq: int
    at: str
    action: str
    object: str
    object_id: int | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class AuditReport:
    """What ``verify`` found: ok, how many entries, and the first problem if any."""

    ok: bool
    entries: int
    problem: str | None = None


def _digest(prev: str, seq: int, at: str, action: str, obj: str, object_id: int | None, detail: str) -> str:
    payload = json.dumps([prev, seq, at, action, obj, object_id, detail], separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(
    conn: sqlite3.Connection, action: str, obj: str, object_id: int | None, **detail: Any
) -> AuditEntry:
    """Add an entry inside the caller's write transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    unknown = set(detail) - DETAIL_KEYS
    if unknown:
        raise ValueError(f"audit detail may not carry {sorted(unknown)}")
    row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (row["seq"] + 1, row["hash"]) if row else (1, GENESIS)
    at = utc_now()
    text = json.dumps(detail, sort_keys=True, separators=(",", ":"))
    digest = _digest(prev, seq, at, action, obj, object_id, text)
    conn.execute(
        "INSERT INTO audit (seq, at, action, object, object_id, detail, prev, hash) VALUES (?,?,?,?,?,?,?,?)",
        (seq, at, action, obj, object_id, text, prev, digest),
    )
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('audit_head', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (f"{seq}:{digest}",),
    )
    return AuditEntry(seq, at, action, obj, object_id, detail)


def entries(conn: sqlite3.Connection) -> list[AuditEntry]:
    """Every entry, oldest first."""
    return [
        AuditEntry(r["seq"], r["at"], r["action"], r["object"], r["object_id"], json.loads(r["detail"]))
        for r in conn.execute("SELECT * FROM audit ORDER BY seq")
    ]


def verify(conn: sqlite3.Connection) -> AuditReport:
    """Recompute the chain; report the first entry that was altered, removed or inserted."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    for r in conn.execute("SELECT * FROM audit ORDER BY seq"):
        count += 1
        if r["seq"] != expected_seq:
            return AuditReport(False, count, f"entry {expected_seq} is missing (next entry is {r['seq']})")
        if r["prev"] != prev:
            return AuditReport(False, count, f"entry {r['seq']} does not follow entry {r['seq'] - 1}")
        digest = _digest(prev, r["seq"], r["at"], r["action"], r["object"], r["object_id"], r["detail"])
        if digest != r["hash"]:
            return AuditReport(False, count, f"entry {r['seq']} was altered")
        prev = digest
        expected_seq += 1
    head = conn.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()
    last = f"{expected_seq - 1}:{prev}" if count else None
    if (head["value"] if head else None) != last:
        return AuditReport(False, count, "the last entries were removed (the chain's head does not match)")
    return AuditReport(True, count)
