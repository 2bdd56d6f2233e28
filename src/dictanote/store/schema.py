"""The store's schema as ordered migrations; ``PRAGMA user_version`` counts those applied.

Append a function to ``MIGRATIONS`` to change the schema; never edit one that
has shipped. Both database files (clinical and private) share this schema.
"""

from __future__ import annotations

import sqlite3


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run SQL statements one by one inside the caller's transaction.

    (``executescript`` would commit the open transaction first, so a failed
    migration could leave half a schema behind.)
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            conn.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement: {pending.strip()[:60]}")


def _v1_initial(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        -- The inbox: one row per draft; its content lives in append-only revisions.
        CREATE TABLE drafts (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            source TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('inbox', 'finalized', 'discarded')),
            version INTEGER NOT NULL CHECK (version >= 1),
            companion INTEGER
        );
        CREATE TABLE draft_revisions (
            draft_id INTEGER NOT NULL REFERENCES drafts (id),
            version INTEGER NOT NULL,
            at TEXT NOT NULL,
            format TEXT NOT NULL,
            client TEXT,
            content TEXT NOT NULL,
            PRIMARY KEY (draft_id, version)
        );
        CREATE TRIGGER draft_revisions_append_only BEFORE UPDATE ON draft_revisions
        BEGIN SELECT RAISE(ABORT, 'draft revisions are append-only'); END;

        -- Finalized notes never change; a later change is an amendment with its own time.
        CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            draft_id INTEGER NOT NULL UNIQUE REFERENCES drafts (id),
            format TEXT NOT NULL,
            client TEXT,
            session_date TEXT,
            created_at TEXT NOT NULL,
            finalized_at TEXT NOT NULL,
            signed_by TEXT NOT NULL,
            content TEXT NOT NULL
        );
        CREATE INDEX notes_client ON notes (client);
        CREATE TRIGGER notes_immutable BEFORE UPDATE ON notes
        BEGIN SELECT RAISE(ABORT, 'finalized notes are immutable; amend instead'); END;
        CREATE TRIGGER notes_undeletable BEFORE DELETE ON notes
        BEGIN SELECT RAISE(ABORT, 'finalized notes cannot be deleted'); END;

        CREATE TABLE amendments (
            id INTEGER PRIMARY KEY,
            note_id INTEGER NOT NULL REFERENCES notes (id),
            at TEXT NOT NULL,
            reason TEXT NOT NULL,
            signed_by TEXT NOT NULL,
            content TEXT NOT NULL
        );
        CREATE TRIGGER amendments_immutable BEFORE UPDATE ON amendments
        BEGIN SELECT RAISE(ABORT, 'amendments are immutable'); END;
        CREATE TRIGGER amendments_undeletable BEFORE DELETE ON amendments
        BEGIN SELECT RAISE(ABORT, 'amendments cannot be deleted'); END;

        -- What was done and when, never what was written; each entry hashes the one before.
        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            object TEXT NOT NULL,
            object_id INTEGER,
            detail TEXT NOT NULL,
            prev TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_undeletable BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        """,
    )


def _v2_draft_pairs(conn: sqlite3.Connection) -> None:
    """A draft and its private companion are saved in two steps, one per file (see ``Store.save_draft``).

    The clinical draft carries a random ``pair_token``; the private half waits in
    ``pending_pairs`` with the same token until the clinical half is committed.
    """
    run_script(
        conn,
        """
        ALTER TABLE drafts ADD COLUMN pair_token TEXT;
        CREATE UNIQUE INDEX drafts_pair_token ON drafts (pair_token);
        CREATE TABLE pending_pairs (
            draft_id INTEGER PRIMARY KEY REFERENCES drafts (id),
            token TEXT NOT NULL
        );
        """,
    )


def _v3_clients(conn: sqlite3.Connection) -> None:
    """The client list (see ``clients.py``): ``id`` is the row's number (what the audit log and, later,
    drafts and notes refer to); ``code`` is the clinician's own id for the client.

    A store that already holds drafts is marked so that ``Store.open`` makes an unconfirmed
    client from each distinct set of stored initials, once, with its audit entries.
    """
    run_script(
        conn,
        """
        CREATE TABLE clients (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL,
            dob TEXT,
            pronouns TEXT,
            status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
            confirmed INTEGER NOT NULL CHECK (confirmed IN (0, 1)),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TRIGGER clients_undeletable BEFORE DELETE ON clients
        BEGIN SELECT RAISE(ABORT, 'clients are archived, never deleted'); END;
        INSERT INTO meta (key, value) SELECT 'clients_from_initials', 'pending'
            WHERE EXISTS (SELECT 1 FROM drafts);
        """,
    )


def _v4_caseload(conn: sqlite3.Connection) -> None:
    """Drafts and notes name their client of the caseload (``client_id``: the clinician's id for
    them, the same as the draft's ``session.client_id``); treatment plans, one row per version.

    Notes stored before, with initials only, are marked to be linked to the unconfirmed client
    made from those initials (``clients.link_notes``, run by ``Store.open`` after ``clients.seed``),
    so the client's page shows them; their content is not rewritten (a signed note never changes).
    """
    run_script(
        conn,
        """
        ALTER TABLE draft_revisions ADD COLUMN client_id TEXT;
        ALTER TABLE notes ADD COLUMN client_id TEXT;
        CREATE INDEX notes_client_id ON notes (client_id COLLATE NOCASE);
        INSERT INTO meta (key, value) SELECT 'notes_to_clients', 'pending'
            WHERE EXISTS (SELECT 1 FROM notes WHERE client IS NOT NULL);

        CREATE TABLE plans (
            id INTEGER PRIMARY KEY,
            client INTEGER NOT NULL REFERENCES clients (id),
            version INTEGER NOT NULL CHECK (version >= 1),
            created_at TEXT NOT NULL,
            reason TEXT NOT NULL,
            signed_by TEXT NOT NULL,
            content TEXT NOT NULL,
            UNIQUE (client, version)
        );
        CREATE TRIGGER plans_append_only BEFORE UPDATE ON plans
        BEGIN SELECT RAISE(ABORT, 'a treatment plan is changed by a new version'); END;
        CREATE TRIGGER plans_undeletable BEFORE DELETE ON plans
        BEGIN SELECT RAISE(ABORT, 'treatment plan versions are kept'); END;
        """,
    )


MIGRATIONS = (_v1_initial, _v2_draft_pairs, _v3_clients, _v4_caseload)
