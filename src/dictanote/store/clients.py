"""The client list of the clinical record: add, edit, archive, read; and clients made once from initials.

Every change is one transaction with its audit entry, which names the row's number and
the fields changed, never a client's id, name, date of birth or pronouns. Validation of
what the clinician types lives here, so the CLI and the review page refuse the same input.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from typing import Any

from ..core.errors import BadInputError, RecordNotFoundError
from ..core.policy import iso_day, utc_now
from ..core.types import Client
from . import audit
from .db import triggers_lifted

ID_MAX = 32
NAME_MAX = 120
_ID = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{ID_MAX - 1}}}")
# Set by the migration that adds the table to a store that already holds drafts (see ``seed``).
SEED_PENDING = "clients_from_initials"
# Set by the migration that links notes to clients, in a store whose notes name initials (``link_notes``).
LINK_PENDING = "notes_to_clients"
_FIELDS = ("name", "dob", "pronouns")


def check_id(client_id: str) -> str:
    """A client id as given, or a BadInputError: 1-32 letters, digits, '.', '_' or '-', no spaces."""
    if not client_id:
        raise BadInputError("a client id is needed (1-32 letters, digits, '.', '_' or '-')")
    if len(client_id) > ID_MAX:
        raise BadInputError(f"a client id is at most {ID_MAX} characters (this one has {len(client_id)})")
    if not _ID.fullmatch(client_id):
        raise BadInputError(
            "a client id has letters, digits, '.', '_' or '-' only, no spaces, and starts with a letter "
            "or digit"
        )
    return client_id


def _check_text(value: str | None, what: str, required: bool) -> str | None:
    if value is None:
        if required:
            raise BadInputError(f"a client needs a {what} (--name): a display name or initials")
        return None
    text = " ".join(value.split())
    if not text:
        if required:
            raise BadInputError(f"a client needs a {what} (--name): a display name or initials")
        return None
    if len(text) > NAME_MAX or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise BadInputError(f"the {what} is at most {NAME_MAX} printable characters")
    return text


def check_dob(dob: str | None, today: dt.date | None = None) -> str | None:
    """A date of birth as YYYY-MM-DD (None or '' for none), not in the future; else a BadInputError."""
    if dob is None or not dob.strip():
        return None
    try:
        day = iso_day(dob)
    except ValueError:
        raise BadInputError(
            f"a date of birth is a date as YYYY-MM-DD, e.g. 1990-04-02 (got {dob!r})"
        ) from None
    if day > (today or dt.datetime.now(dt.timezone.utc).date()):
        raise BadInputError("a date of birth cannot be in the future")
    return day.isoformat()


def _client(row: sqlite3.Row) -> Client:
    return Client(
        key=row["id"],
        id=row["code"],
        name=row["name"],
        dob=row["dob"],
        pronouns=row["pronouns"],
        archived=row["status"] == "archived",
        confirmed=bool(row["confirmed"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def get_row(conn: sqlite3.Connection, client_id: str) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM clients WHERE code = ? COLLATE NOCASE", (client_id,)
    ).fetchone()
    if row is None:
        raise RecordNotFoundError(f"no client {client_id!r}; `dictanote clients list --all` shows them")
    return row


def get(conn: sqlite3.Connection, client_id: str) -> Client:
    """One client by id (ids compare without case)."""
    return _client(get_row(conn, client_id))


def known(conn: sqlite3.Connection, client_id: str) -> str:
    """The client id as the list spells it; a RecordNotFoundError (one line) for an id not in the list."""
    return str(get_row(conn, client_id)["code"])


def listed(conn: sqlite3.Connection, archived: bool) -> list[Client]:
    """The clients, in the order they were added; archived ones only when ``archived``."""
    where = "" if archived else "WHERE status = 'active'"
    return [_client(r) for r in conn.execute(f"SELECT * FROM clients {where} ORDER BY id").fetchall()]


def _insert(conn: sqlite3.Connection, values: dict[str, Any], confirmed: bool) -> int:
    now = utc_now()
    cur = conn.execute(
        "INSERT INTO clients (code, name, dob, pronouns, status, confirmed, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, 'active', ?, ?, ?)",
        (values["code"], values["name"], values["dob"], values["pronouns"], int(confirmed), now, now),
    )
    return int(cur.lastrowid or 0)


def add(
    conn: sqlite3.Connection, key: bytes, client_id: str, name: str, dob: str | None, pronouns: str | None
) -> Client:
    """A new, confirmed client; refused when the id (in any case) is taken."""
    values = {
        "code": check_id(client_id),
        "name": _check_text(name, "name", required=True),
        "dob": check_dob(dob),
        "pronouns": _check_text(pronouns, "pronouns", required=False),
    }
    if conn.execute("SELECT 1 FROM clients WHERE code = ? COLLATE NOCASE", (client_id,)).fetchone():
        raise BadInputError(f"client id {client_id!r} is already taken; choose another (or `clients edit`)")
    row_id = _insert(conn, values, confirmed=True)
    audit.append(conn, key, "created", "client", row_id, fields=sorted(k for k in _FIELDS if values[k]))
    return _client(conn.execute("SELECT * FROM clients WHERE id = ?", (row_id,)).fetchone())


def edit(conn: sqlite3.Connection, key: bytes, client_id: str, changes: dict[str, str | None]) -> Client:
    """Change a client's name, date of birth or pronouns ('' clears the optional ones); confirms them."""
    row = get_row(conn, client_id)
    checked: dict[str, str | None] = {}
    for field, value in changes.items():
        if field == "name":
            checked[field] = _check_text(value, "name", required=True)
        elif field == "dob":
            checked[field] = check_dob(value)
        elif field == "pronouns":
            checked[field] = _check_text(value, "pronouns", required=False)
        else:
            raise BadInputError(f"a client has no field {field!r}; allowed: {', '.join(_FIELDS)}")
    changed = sorted(f for f, v in checked.items() if v != row[f])
    if changed or not row["confirmed"]:
        sets = ", ".join(f"{f} = ?" for f in changed)
        conn.execute(
            f"UPDATE clients SET {sets}{', ' if sets else ''}confirmed = 1, updated_at = ? WHERE id = ?",
            (*(checked[f] for f in changed), utc_now(), row["id"]),
        )
        fields = changed if row["confirmed"] else sorted([*changed, "confirmed"])
        audit.append(conn, key, "edited", "client", row["id"], fields=fields)
    return get(conn, row["code"])


def archive(conn: sqlite3.Connection, key: bytes, client_id: str, undo: bool) -> Client:
    """Archive a client (hidden from lists, notes kept), or with ``undo`` make them active again."""
    row = get_row(conn, client_id)
    status = "active" if undo else "archived"
    if row["status"] != status:
        conn.execute(
            "UPDATE clients SET status = ?, updated_at = ? WHERE id = ?", (status, utc_now(), row["id"])
        )
        audit.append(conn, key, "edited", "client", row["id"], fields=["status"], to=status)
    return get(conn, row["code"])


def _initials(conn: sqlite3.Connection) -> list[str]:
    """The client initials of stored drafts (current versions) and notes, first seen first; never logged."""
    rows = conn.execute(
        "SELECT r.content FROM drafts d "
        "JOIN draft_revisions r ON r.draft_id = d.id AND r.version = d.version WHERE d.status = 'inbox' "
        "UNION ALL SELECT content FROM notes"
    ).fetchall()
    found: list[str] = []
    for (content,) in rows:
        try:
            client = json.loads(content).get("session", {}).get("client")
        except (TypeError, ValueError, AttributeError, RecursionError):
            continue  # a damaged row is named by the inbox, not here
        if isinstance(client, str) and client.strip():
            found.append(client.strip())
    return found


def _derived_id(initials: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9]", "", initials).upper()[:ID_MAX]
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: ID_MAX - len(suffix)] + suffix
    return candidate


def seed(conn: sqlite3.Connection, key: bytes) -> int:
    """Once, after the migration that added the table: an unconfirmed client per distinct set of initials.

    Initials spelled differently with the same letters ('M.R.', 'mr') are one client;
    its id is the letters (made unique), its name the first spelling seen. Returns how many.
    """
    pending = conn.execute("SELECT 1 FROM meta WHERE key = ?", (SEED_PENDING,)).fetchone()
    if pending is None:
        return 0
    taken = {r[0].lower() for r in conn.execute("SELECT code FROM clients")}
    seen: set[str] = set()
    made = 0
    for initials in _initials(conn):
        letters = re.sub(r"[^A-Za-z0-9]", "", initials).upper()
        if not letters or letters in seen:
            continue
        seen.add(letters)
        code = _derived_id(initials, taken)
        taken.add(code.lower())
        values = {"code": code, "name": initials[:NAME_MAX], "dob": None, "pronouns": None}
        row_id = _insert(conn, values, confirmed=False)
        audit.append(conn, key, "created", "client", row_id, source="initials")
        made += 1
    conn.execute("DELETE FROM meta WHERE key = ?", (SEED_PENDING,))
    return made


def _letters(initials: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", initials).upper()


def link_notes(conn: sqlite3.Connection) -> int:
    """Once: notes signed before the client list name the unconfirmed client made from their initials.

    Only the ``client_id`` column is set (the note's content is as signed); a note whose
    initials match no unconfirmed client, or several, stays unlinked. Returns how many.
    """
    if conn.execute("SELECT 1 FROM meta WHERE key = ?", (LINK_PENDING,)).fetchone() is None:
        return 0
    by_letters: dict[str, list[str]] = {}
    for row in conn.execute("SELECT code, name FROM clients WHERE confirmed = 0 ORDER BY id"):
        by_letters.setdefault(_letters(row["name"]), []).append(row["code"])
    linked = 0
    rows = conn.execute("SELECT id, client FROM notes WHERE client_id IS NULL AND client IS NOT NULL")
    with triggers_lifted(conn, "notes"):
        for row in rows.fetchall():
            codes = by_letters.get(_letters(row["client"]), [])
            if len(codes) == 1:
                conn.execute("UPDATE notes SET client_id = ? WHERE id = ?", (codes[0], row["id"]))
                linked += 1
    conn.execute("DELETE FROM meta WHERE key = ?", (LINK_PENDING,))
    return linked
