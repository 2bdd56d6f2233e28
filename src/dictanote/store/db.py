"""One SQLite file: opened with owner-only permissions, WAL, foreign keys and migrations.

The only place (with the rest of this package) that speaks SQL. Library errors
are translated here, once, into the store's errors; every change runs in one
``BEGIN IMMEDIATE`` transaction so a crash or a full disk leaves the file as it was.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..core.errors import StoreBusyError, StoreError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5_000


def _translate(exc: sqlite3.Error, path: Path) -> StoreError:
    """One message per kind of SQLite failure, saying that nothing was lost."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return StoreBusyError(
            f"the note store {path} is locked by another dictanote process; nothing was changed, try again"
        )
    if "full" in text or "disk i/o" in text or "no space" in text:
        return StoreError(
            f"could not write the note store {path} (disk full or I/O error); "
            "nothing was changed and nothing saved was lost"
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreError(f"{path} is damaged or is not a dictanote database ({exc})")
    if "readonly" in text or "unable to open" in text or "permission" in text:
        return StoreError(f"cannot open the note store {path} for writing ({exc})")
    return StoreError(f"the note store {path} failed: {exc}")


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the owner alone; tighten it if it exists."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o700)
    except OSError as exc:
        raise StoreError(f"cannot create the data directory {path}: {exc.strerror}") from exc
    return path


def _private_file(path: Path) -> None:
    """Create the database file 0600 before SQLite does, so its WAL and SHM files inherit that mode."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        os.close(fd)
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)
    except OSError as exc:
        raise StoreError(f"cannot create the note store {path}: {exc.strerror}") from exc


Migration = Callable[[sqlite3.Connection], None]


class Database:
    """A connection to one store file, safe to share between threads (one lock)."""

    def __init__(self, path: Path, migrations: tuple[Migration, ...]) -> None:
        self.path = path
        self._lock = threading.RLock()
        _private_file(path)
        try:
            self._conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
            )
            self._conn.row_factory = sqlite3.Row
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                log.warning("journal mode is %s, not WAL", mode)
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.Error as exc:
            raise _translate(exc, path) from exc
        self._migrate(migrations)

    @property
    def schema_version(self) -> int:
        """How many migrations this file has had."""
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self, migrations: tuple[Migration, ...]) -> None:
        """Apply the migrations this file lacks, each in its own transaction."""
        current = self.schema_version
        if current > len(migrations):
            raise StoreError(
                f"{self.path} was written by a newer dictanote (schema {current}, this one knows "
                f"{len(migrations)}); upgrade dictanote"
            )
        for number, migration in enumerate(migrations[current:], start=current + 1):
            with self.write() as conn:
                # Another process may have migrated while we waited for the lock.
                if int(conn.execute("PRAGMA user_version").fetchone()[0]) >= number:
                    continue
                migration(conn)
                conn.execute(f"PRAGMA user_version = {number}")
                log.info("migrated %s to schema %d", self.path.name, number)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed whole, or rolled back whole."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _translate(exc, self.path) from exc
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException as exc:
                try:
                    self._conn.execute("ROLLBACK")
                except sqlite3.Error:
                    log.debug("rollback failed", exc_info=True)
                if isinstance(exc, sqlite3.Error):
                    raise _translate(exc, self.path) from exc
                raise

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for reading."""
        with self._lock:
            try:
                self._conn.execute("BEGIN")
            except sqlite3.Error as exc:
                raise _translate(exc, self.path) from exc
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise _translate(exc, self.path) from exc
            finally:
                try:
                    self._conn.execute("COMMIT")
                except sqlite3.Error:
                    log.debug("end of read failed", exc_info=True)

    def integrity_ok(self) -> bool:
        """Whether SQLite's own integrity check passes."""
        with self._lock:
            return bool(self._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok")

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed by SQLite)."""
        with self._lock:
            self._conn.close()
