"""Moving a plain store to encryption in place (`dictanote store encrypt`), and saying what is encrypted.

Each plain file is copied into an encrypted sibling (``sqlcipher_export``) while the
file is held exclusively, the copy is synced and compared with the original (integrity,
schema, every table's rows), then swapped in with one ``os.replace``. Interrupted
anywhere, the original is untouched or already replaced whole; a leftover copy is
removed by the next run. Never reads a key from anywhere but ``StoreKeys``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..core.errors import StoreBusyError, StoreError
from ..core.types import Record
from .db import DB_ERRORS, FILES, FileState, _translate, connect, file_state
from .keys import KeySources, StoreKeys, key_sources

log = logging.getLogger(__name__)

TEMP_SUFFIX = ".encrypting"
# How long `store encrypt` waits for another process to let go of a file before giving up.
IN_USE_TIMEOUT_MS = 2_000

Outcome = Literal["encrypted", "already encrypted", "not created yet"]


@dataclass(frozen=True)
class FileReport:
    """What ``encrypt_store`` did to one file (and how many rows it checked in the copy)."""

    record: Record
    path: Path
    outcome: Outcome
    rows: int = 0


@dataclass(frozen=True)
class StoreStatus:
    """Per file whether it is encrypted, where the keys are kept, and any copy a stopped run left."""

    data_dir: Path
    files: dict[Record, FileState]
    keys: KeySources
    leftovers: tuple[Path, ...]


def _temp(path: Path) -> Path:
    return path.with_name(path.name + TEMP_SUFFIX)


def store_status(data_dir: Path) -> StoreStatus:
    """Whether each file is encrypted, and where the keys come from; unlocks nothing."""
    paths = {record: data_dir / name for record, name in FILES.items()}
    return StoreStatus(
        data_dir=data_dir,
        files={record: file_state(path) for record, path in paths.items()},
        keys=key_sources(data_dir),
        leftovers=tuple(_temp(p) for p in paths.values() if _temp(p).exists()),
    )


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def _fsync(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _tables(conn: sqlite3.Connection, schema: str) -> dict[str, tuple[int, str]]:
    """Per table of ``schema``: its row count and a digest of its rows (in any order)."""
    execute = conn.execute
    names = [
        r[0] for r in execute(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    found: dict[str, tuple[int, str]] = {}
    for name in names:
        rows = sorted(
            hashlib.sha256(repr(tuple(r)).encode()).digest()
            for r in execute(f'SELECT * FROM {schema}."{name}"')
        )
        found[name] = (len(rows), hashlib.sha256(b"".join(rows)).hexdigest())
    return found


def _lock(path: Path) -> sqlite3.Connection:
    """A plain connection holding ``path`` exclusively (no WAL, no other reader), or StoreBusyError."""
    conn = connect(path, None, IN_USE_TIMEOUT_MS)
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        # Leaving WAL needs every other connection closed; it also empties and removes -wal and -shm.
        conn.execute("PRAGMA journal_mode = MEMORY")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")  # in EXCLUSIVE locking mode the lock stays until close
    except DB_ERRORS as exc:
        conn.close()
        error = _translate(exc, path)
        if isinstance(error, StoreBusyError):
            raise StoreBusyError(
                f"{path} is open in another dictanote process (the review page or the daemon?); "
                "stop it and run `dictanote store encrypt` again; nothing was changed"
            ) from exc
        raise error from exc
    return conn


def export_copy(lock: sqlite3.Connection, path: Path, key: bytes) -> Path:
    """Write the encrypted copy of the file ``lock`` holds next to it, synced to disk; its path."""
    temp = _temp(path)
    _remove(temp)
    execute = lock.execute
    version = int(execute("PRAGMA main.user_version").fetchone()[0])
    execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.hex()}'\"", (str(temp),))
    try:
        execute("SELECT sqlcipher_export('encrypted')")
        execute(f"PRAGMA encrypted.user_version = {version}")
    finally:
        execute("DETACH DATABASE encrypted")
    os.chmod(temp, 0o600)
    _fsync(temp)
    return temp


def _verify(lock: sqlite3.Connection, temp: Path, key: bytes) -> int:
    """The copy opens with the key, passes the integrity check and holds the same schema and rows."""
    copy = connect(temp, key)
    try:
        ok = copy.execute("PRAGMA integrity_check").fetchone()[0]
        theirs = _tables(copy, "main")
        their_schema = copy.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        their_version = copy.execute("PRAGMA user_version").fetchone()[0]
    finally:
        copy.close()
    execute = lock.execute
    ours = _tables(lock, "main")
    our_schema = execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    problem = None
    if ok != "ok":
        problem = f"its integrity check failed ({ok})"
    elif [tuple(r) for r in their_schema] != [tuple(r) for r in our_schema]:
        problem = "its schema differs"
    elif their_version != execute("PRAGMA user_version").fetchone()[0]:
        problem = "its schema version differs"
    elif theirs != ours:
        differ = sorted(name for name in ours.keys() | theirs.keys() if ours.get(name) != theirs.get(name))
        problem = f"its rows differ (table {differ[0]})"
    if problem is not None:
        name = temp.name.removesuffix(TEMP_SUFFIX)
        raise StoreError(f"the encrypted copy of {name} is wrong: {problem}; the original was kept as it was")
    return sum(count for count, _ in ours.values())


def encrypt_file(path: Path, key: bytes) -> tuple[Outcome, int]:
    """Encrypt one plain store file in place; what happened and how many rows were checked."""
    state = file_state(path)
    if state != "plain":
        _remove(_temp(path))  # a copy a stopped run left; the file itself is as it was
        return ("already encrypted" if state == "encrypted" else "not created yet"), 0
    lock = _lock(path)
    try:
        temp = export_copy(lock, path, key)
        rows = _verify(lock, temp, key)
        for stale in ("-wal", "-shm", "-journal"):  # none are left out of WAL; a crashed run's are stale
            _remove(path.with_name(path.name + stale))
        os.replace(temp, path)
    except DB_ERRORS as exc:
        raise _translate(exc, path) from exc
    except OSError as exc:
        raise StoreError(
            f"could not encrypt {path}: {exc.strerror}; the original was kept as it was"
        ) from exc
    finally:
        lock.close()
    try:
        _fsync(path.parent, directory=True)  # the swap itself survives a power cut
    except OSError:
        log.warning("could not sync %s after encrypting %s", path.parent, path.name)
    log.info("encrypted %s (%d rows checked)", path.name, rows)
    return "encrypted", rows


def encrypt_store(data_dir: Path, keys: StoreKeys) -> tuple[FileReport, ...]:
    """Encrypt every plain file of the store in ``data_dir`` in place, one file at a time.

    ``keys`` must hold a database key for each file (``store_keys(..., migrating=True)``).
    A file already encrypted is left alone; stopped anywhere, every file still opens
    with all its rows (one may be encrypted and the other not), and running it again
    finishes the job.
    """
    paths = {record: data_dir / name for record, name in FILES.items()}
    if any(file_state(paths[r]) == "plain" and keys.database(r) is None for r in FILES):
        raise StoreError("the store's database keys were not given; nothing was encrypted")
    reports = []
    for record, path in paths.items():
        outcome, rows = encrypt_file(path, keys.database(record) or b"")
        reports.append(FileReport(record, path, outcome, rows))
    return tuple(reports)
