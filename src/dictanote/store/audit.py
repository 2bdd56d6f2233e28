"""The append-only audit log: what was done to which record and when, never what was written.

Each entry carries an HMAC-SHA256, under the record's audit key (kept outside the
database), of its fields and the hash of the entry before it; ``meta.audit_head``
anchors the last one under the same key. Without the key nobody can rewrite,
backdate, drop or add an entry and still verify. ``verify`` also recomputes the
content hash and signer of every finalized note and amendment from their tables,
and checks that every row the log must cover has its entry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.policy import utc_now
from .db import triggers_lifted

log = logging.getLogger(__name__)

GENESIS = "0" * 64
KEYED = "hmac-sha256"  # meta.audit_chain of a keyed log; "broken: …" for an unkeyed one found broken
ACTIONS = frozenset(
    {
        "created",
        "edited",
        "moved",
        "format-changed",
        "finalized",
        "amended",
        "exported",
        "discarded",
        "corrected",
        "rechained",
        "revised",
    }
)
# Detail keys an entry may carry: ids, counts, field names, content hashes and the signing
# clinician, never note text or client identifiers.
DETAIL_KEYS = frozenset(
    {
        "format",
        "source",
        "fields",
        "from",
        "to",
        "count",
        "version",
        "note",
        "kind",
        "companion",
        "record",
        "amendment",
        "content_sha256",
        "signer",
        "client",  # the client's row number (Client.key), never the clinician's id for them
    }
)
_SEALS = ("content_sha256", "signer", "amendment")  # written only since the log is keyed

Row = sqlite3.Row


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


def content_hash(content: str | bytes) -> str:
    """The SHA-256 of a note's or amendment's stored content (its JSON text, as stored)."""
    data = content if isinstance(content, bytes) else str(content).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


def _detail(r: Row) -> dict[str, Any] | None:
    """An entry's detail, or None where it is not a JSON object (a damaged or forged entry)."""
    try:
        found = json.loads(r["detail"])
    except (TypeError, ValueError, RecursionError):
        return None
    return found if isinstance(found, dict) else None


def seal(content: str, signer: str) -> dict[str, str]:
    """The detail that vouches for a finalized note's or an amendment's content and signer.

    Put it in the ``finalized`` / ``amended`` entry (with ``amendment=ID`` for an
    amendment). A later ``corrected`` entry on the same note (``object="note"``) or
    amendment (``amendment=ID``) that carries ``content_sha256`` replaces the hash verify expects.
    """
    return {"content_sha256": content_hash(content), "signer": signer}


def _mac(key: bytes, *parts: Any) -> str:
    payload = json.dumps(parts, separators=(",", ":"), default=repr)  # a forged blob: no match, no crash
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


Fields = tuple[int, str, str, str, int | None, str]  # seq, at, action, object, object_id, detail


def _plain_digest(prev: str, fields: Fields) -> str:
    """The unkeyed hash the log used before it was keyed (read only to upgrade such a log)."""
    payload = json.dumps([prev, *fields], separators=(",", ":"), default=repr)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _digest(key: bytes, prev: str, fields: Fields) -> str:
    return _mac(key, "entry", prev, *fields)


def _head(key: bytes, seq: int, digest: str) -> str:
    return f"{seq}:{digest}:{_mac(key, 'head', seq, digest)}"


def _key_check(key: bytes) -> str:
    """A value that tells whether a log was written with ``key`` without revealing it."""
    return _mac(key, "key-check")[:16]


def _meta(conn: sqlite3.Connection, name: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (name,)).fetchone()
    return None if row is None else str(row["value"])


def _set_meta(conn: sqlite3.Connection, name: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (name, value),
    )


def append(
    conn: sqlite3.Connection, key: bytes, action: str, obj: str, object_id: int | None, **detail: Any
) -> AuditEntry:
    """Add an entry, chained under ``key``, inside the caller's write transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    unknown = set(detail) - DETAIL_KEYS
    if unknown:
        raise ValueError(f"audit detail may not carry {sorted(unknown)}")
    row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (row["seq"] + 1, row["hash"]) if row else (1, GENESIS)
    at = utc_now()
    text = json.dumps(detail, sort_keys=True, separators=(",", ":"))
    digest = _digest(key, prev, (seq, at, action, obj, object_id, text))
    conn.execute(
        "INSERT INTO audit (seq, at, action, object, object_id, detail, prev, hash) VALUES (?,?,?,?,?,?,?,?)",
        (seq, at, action, obj, object_id, text, prev, digest),
    )
    _set_meta(conn, "audit_head", _head(key, seq, digest))
    return AuditEntry(seq, at, action, obj, object_id, detail)


def entries(conn: sqlite3.Connection) -> list[AuditEntry]:
    """Every entry, oldest first."""
    return [
        AuditEntry(r["seq"], r["at"], r["action"], r["object"], r["object_id"], _detail(r) or {})
        for r in conn.execute("SELECT * FROM audit ORDER BY seq")
    ]


# --- verifying -----------------------------------------------------------------------------


def _walk(rows: Sequence[Row], digest: Callable[[str, Row], str]) -> tuple[str | None, str]:
    """Follow the chain: the first entry altered, removed or inserted (or None), and the last hash."""
    prev = GENESIS
    for expected_seq, r in enumerate(rows, start=1):
        if r["seq"] != expected_seq:
            return f"entry {expected_seq} is missing (next entry is {r['seq']})", prev
        if r["prev"] != prev:
            return f"entry {r['seq']} does not follow entry {r['seq'] - 1}", prev
        if digest(prev, r) != r["hash"]:
            return f"entry {r['seq']} was altered", prev
        prev = r["hash"]
    return None, prev


def _fields(r: Row) -> Fields:
    return r["seq"], r["at"], r["action"], r["object"], r["object_id"], r["detail"]


def _plain_problem(conn: sqlite3.Connection, rows: Sequence[Row]) -> str | None:
    """What is wrong with an unkeyed (plain SHA-256) log, as the code before keying checked it."""
    problem, last = _walk(rows, lambda prev, r: _plain_digest(prev, _fields(r)))
    if problem:
        return problem
    for r in rows:
        detail = _detail(r)
        if detail is None:
            return f"entry {r['seq']}'s detail is not readable"
        if r["action"] == "rechained" or any(k in detail for k in _SEALS):
            return f"entry {r['seq']} is one only a keyed log writes (a keyed log rewritten without its key)"
    if _meta(conn, "audit_head") != (f"{len(rows)}:{last}" if rows else None):
        return "the last entries were removed (the chain's head does not match)"
    return None


def _state_problem(conn: sqlite3.Connection, key: bytes, rows: Sequence[Row]) -> str | None:
    """Whether the log is keyed, and with this key."""
    state = _meta(conn, "audit_chain")
    if state is not None and state.startswith("broken:"):
        found = state.removeprefix("broken:").strip()
        return f"the log was already broken before it was keyed ({found}); it was kept as found"
    if rows and state != KEYED:
        return "the log is not keyed (its marker in meta was removed)"
    if rows and _meta(conn, "audit_key") != _key_check(key):
        return "the log was not written with this store's audit key (key replaced, or log rewritten)"
    return None


def _chain_problem(conn: sqlite3.Connection, key: bytes, rows: Sequence[Row]) -> str | None:
    """The first entry altered, removed or inserted, or a head that is not the last entry's."""
    problem, last = _walk(rows, lambda prev, r: _digest(key, prev, _fields(r)))
    if problem is None and _meta(conn, "audit_head") != (_head(key, len(rows), last) if rows else None):
        problem = "the last entries were removed (the chain's head does not match)"
    return problem


def verify(conn: sqlite3.Connection, key: bytes) -> AuditReport:
    """Check the chain under ``key``, its head, and that it covers every row it must: the first problem."""
    rows = conn.execute("SELECT * FROM audit ORDER BY seq").fetchall()
    problem = _state_problem(conn, key, rows) or _chain_problem(conn, key, rows) or _coverage(conn, rows)
    return AuditReport(problem is None, len(rows), problem)


# --- coverage: every row the log must account for has its entry ---------------------------


def _seals(rows: Sequence[Row]) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]]]:
    """The content hash and signer the log vouches for, per note id and per amendment id."""
    notes: dict[int, dict[str, Any]] = {}
    amendments: dict[int, dict[str, Any]] = {}
    for r in rows:
        detail = _detail(r) or {}
        if r["action"] == "finalized" and "note" in detail:
            notes[detail["note"]] = {"entry": "finalized", **detail}
        elif r["action"] == "amended" and "amendment" in detail:
            amendments[detail["amendment"]] = {"entry": "amended", **detail}
        elif r["action"] == "corrected" and r["object"] == "note" and "content_sha256" in detail:
            target = amendments if "amendment" in detail else notes
            ident = detail["amendment"] if "amendment" in detail else r["object_id"]
            if ident in target:
                target[ident] = {**target[ident], "content_sha256": detail["content_sha256"]}
    return notes, amendments


def _covers(name: str, action: str, ids: Sequence[int], logged: set[int] | dict[int, Any]) -> str | None:
    missing = [i for i in ids if i not in logged]
    if not missing:
        return None
    return (
        f"the log covers {len(ids) - len(missing)} of {len(ids)} {name}s "
        f"({name} {missing[0]} has no {action!r} entry)"
    )


def _drafts_problem(conn: sqlite3.Connection, rows: Sequence[Row]) -> str | None:
    logged: dict[str, set[int]] = {"created": set(), "finalized": set(), "discarded": set()}
    for r in rows:
        if r["object"] == "draft" and r["action"] in logged:
            logged[r["action"]].add(r["object_id"])
    drafts = conn.execute("SELECT id, status FROM drafts ORDER BY id").fetchall()
    problem = _covers("draft", "created", [d["id"] for d in drafts], logged["created"])
    for d in drafts:
        status = d["status"]
        if problem is None and status in ("finalized", "discarded") and d["id"] not in logged[status]:
            problem = f"draft {d['id']} is {status} but the log has no {status!r} entry for it"
    return problem


def _sealed_problem(name: str, found: Sequence[Row], sealed: dict[int, dict[str, Any]]) -> str | None:
    """Each row (note or amendment) has its entry, whose content hash and signer match the row."""
    action = "finalized" if name == "note" else "amended"
    problem = _covers(name, action, [r["id"] for r in found], sealed)
    for r in found:
        if problem is not None:
            break
        seal_ = sealed[r["id"]]
        if seal_.get("content_sha256") != content_hash(r["content"]):
            problem = f"{name} {r['id']}'s content does not match its {seal_['entry']!r} entry"
        elif seal_.get("signer") != r["signed_by"]:
            problem = f"{name} {r['id']}'s signer does not match its {seal_['entry']!r} entry"
    gone = sorted(set(sealed) - {r["id"] for r in found})
    if problem is None and gone:
        problem = f"{name} {gone[0]} is in the log but not in the record (it was deleted)"
    return problem


def _caseload_problem(conn: sqlite3.Connection, rows: Sequence[Row]) -> str | None:
    """Every client row has its 'created' entry; every plan version its entry, with its content's hash."""
    created = {r["object_id"] for r in rows if r["object"] == "client" and r["action"] == "created"}
    found = [r["id"] for r in conn.execute("SELECT id FROM clients ORDER BY id")]
    problem = _covers("client", "created", found, created)
    if problem is not None:
        return problem
    sealed = {
        r["object_id"]: _detail(r) or {}
        for r in rows
        if r["object"] == "plan" and r["action"] in ("created", "revised")
    }
    plans = conn.execute("SELECT id, content FROM plans ORDER BY id").fetchall()
    problem = _covers("plan", "created", [p["id"] for p in plans], sealed)
    for p in plans:
        if problem is None and sealed[p["id"]].get("content_sha256") != content_hash(p["content"]):
            problem = f"plan {p['id']}'s content does not match its entry in the log"
    return problem


def _coverage(conn: sqlite3.Connection, rows: Sequence[Row]) -> str | None:
    notes, amendments = _seals(rows)
    return (
        _drafts_problem(conn, rows)
        or _caseload_problem(conn, rows)
        or _sealed_problem("note", conn.execute("SELECT * FROM notes ORDER BY id").fetchall(), notes)
        or _sealed_problem(
            "amendment", conn.execute("SELECT * FROM amendments ORDER BY id").fetchall(), amendments
        )
    )


# --- keying a log written before the key existed -------------------------------------------


def is_keyed(conn: sqlite3.Connection) -> bool:
    """Whether this log has been keyed (or found broken and left as it was): nothing left to upgrade."""
    return _meta(conn, "audit_chain") is not None


def _sealed_detail(conn: sqlite3.Connection, r: Row, amended: dict[int, list[int]]) -> str:
    """An unkeyed entry's detail with the content hash and signer of the note or amendment it names."""
    detail = _detail(r) or {}  # every detail was read by ``_plain_problem`` first
    row = None
    if r["action"] == "finalized" and isinstance(detail.get("note"), int):
        row = conn.execute("SELECT content, signed_by FROM notes WHERE id = ?", (detail["note"],)).fetchone()
    elif r["action"] == "amended" and amended.get(r["object_id"]):
        detail["amendment"] = amended[r["object_id"]].pop(0)  # the k-th 'amended' is the k-th amendment
        query = "SELECT content, signed_by FROM amendments WHERE id = ?"
        row = conn.execute(query, (detail["amendment"],)).fetchone()
    if row is not None:
        detail.update(seal(row["content"], row["signed_by"]))
    return json.dumps(detail, sort_keys=True, separators=(",", ":"))


def _rechain(conn: sqlite3.Connection, key: bytes, rows: Sequence[Row]) -> None:
    """Re-hash every entry under ``key``, the append-only triggers lifted inside this transaction only."""
    amended: dict[int, list[int]] = {}
    for a in conn.execute("SELECT id, note_id FROM amendments ORDER BY id"):
        amended.setdefault(a["note_id"], []).append(a["id"])
    prev = GENESIS
    with triggers_lifted(conn, "audit"):
        for r in rows:
            detail = _sealed_detail(conn, r, amended)
            digest = _digest(key, prev, (r["seq"], r["at"], r["action"], r["object"], r["object_id"], detail))
            conn.execute(
                "UPDATE audit SET detail = ?, prev = ?, hash = ? WHERE seq = ?",
                (detail, prev, digest, r["seq"]),
            )
            prev = digest
        _set_meta(conn, "audit_head", _head(key, len(rows), prev))


def upgrade(conn: sqlite3.Connection, key: bytes, *, allowed: bool = True) -> None:
    """Key a log written before the key existed, once, inside the caller's write transaction.

    An intact unkeyed chain is re-hashed under ``key`` (finalized and amended entries
    gain the content hash and signer of what they name) and a ``rechained`` entry says
    so. A broken one is left exactly as found, and ``verify`` keeps reporting it.
    ``allowed`` is false when the store's audit key existed before this open: an
    unkeyed log with entries is then a rewrite in the old form (or an upgrade that
    stopped), and is reported as broken rather than re-keyed as genuine.
    """
    if is_keyed(conn):
        return  # another process did it while we waited for the lock
    rows = conn.execute("SELECT * FROM audit ORDER BY seq").fetchall()
    problem = _plain_problem(conn, rows) if rows else None
    if rows and problem is None and not allowed:
        problem = (
            "the log was found unkeyed although this store's audit key already existed "
            "(rewritten in the old unkeyed form, or an upgrade that stopped half-way)"
        )
    if problem is not None:
        log.warning("the audit log was broken before it was keyed; left as found")
        _set_meta(conn, "audit_chain", f"broken: {problem}")
        return
    if rows:
        _rechain(conn, key, rows)
    _set_meta(conn, "audit_chain", KEYED)
    _set_meta(conn, "audit_key", _key_check(key))
    if rows:
        append(conn, key, "rechained", "log", None, count=len(rows))
        log.info("keyed the audit log (%d entries re-hashed)", len(rows))
