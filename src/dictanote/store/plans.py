"""Treatment plans in the clinical record: one row per version, never changed, never deleted.

A change is a new version with the reason the clinician gave and who made it; the audit
entry names the plan row, the client's row number and a hash of the content, never a word
of the plan. An unchanged plan saved again is not a new version.
"""

from __future__ import annotations

import json
import sqlite3

from ..core.errors import BadInputError
from ..core.plans import PlanContent, TreatmentPlan, content_from_dict, content_to_dict
from ..core.policy import utc_now
from . import audit, clients

# The reason kept with a client's first plan when the clinician gives none.
FIRST_REASON = "initial plan"


def _plan(row: sqlite3.Row, client_id: str) -> TreatmentPlan:
    return TreatmentPlan(
        client_id=client_id,
        version=row["version"],
        created_at=row["created_at"],
        reason=row["reason"],
        signed_by=row["signed_by"],
        content=content_from_dict(json.loads(row["content"])),
    )


def _text(content: PlanContent) -> str:
    return json.dumps(content_to_dict(content), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def history(conn: sqlite3.Connection, client_id: str) -> list[TreatmentPlan]:
    """Every version of a client's plan, oldest first (empty when they have none)."""
    row = clients.get_row(conn, client_id)
    return [
        _plan(r, row["code"])
        for r in conn.execute("SELECT * FROM plans WHERE client = ? ORDER BY version", (row["id"],))
    ]


def current(conn: sqlite3.Connection, client_id: str) -> TreatmentPlan | None:
    """The client's plan as it stands (its latest version), or None."""
    found = history(conn, client_id)
    return found[-1] if found else None


def save(
    conn: sqlite3.Connection, key: bytes, client_id: str, content: PlanContent, reason: str, signed_by: str
) -> TreatmentPlan:
    """A new version of the client's plan; a change to an existing plan needs a reason."""
    if not signed_by.strip():
        raise BadInputError("a treatment plan is written by someone: give the clinician's name (--signed-by)")
    row = clients.get_row(conn, client_id)
    last = conn.execute(
        "SELECT * FROM plans WHERE client = ? ORDER BY version DESC LIMIT 1", (row["id"],)
    ).fetchone()
    text = _text(content)
    if last is not None and last["content"] == text:
        return _plan(last, row["code"])
    reason = " ".join(reason.split())
    if last is not None and not reason:
        raise BadInputError('say why the plan changes (--reason, or reason = "..." in the plan)')
    version = 1 if last is None else last["version"] + 1
    cur = conn.execute(
        "INSERT INTO plans (client, version, created_at, reason, signed_by, content) VALUES (?,?,?,?,?,?)",
        (row["id"], version, utc_now(), reason or FIRST_REASON, signed_by.strip(), text),
    )
    plan_id = int(cur.lastrowid or 0)
    audit.append(
        conn,
        key,
        "created" if version == 1 else "revised",
        "plan",
        plan_id,
        client=row["id"],
        version=version,
        content_sha256=audit.content_hash(text),
    )
    return _plan(conn.execute("SELECT * FROM plans WHERE id = ?", (plan_id,)).fetchone(), row["code"])
