"""One SQLite file: owner-only, encrypted with its key (SQLCipher), WAL, foreign keys and migrations.

The only place (with the rest of this package) that speaks SQL, and the one place
that opens a file: every file goes through the SQLCipher driver, keyed with a raw
256-bit key when it is encrypted (or is new and given a key), plain when it is a
plain SQLite file. Library errors (``sqlite3``'s and ``sqlcipher3``'s trees) are
translated here, once, into the store's errors; every change runs in one
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
from typing import Literal, cast

import sqlcipher3.dbapi2 as sqlcipher

from ..core.errors import StoreBusyError, StoreError
from ..core.types import Record

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5_000
# The two files of a store, one per record.
FILES: dict[Record, str] = {"clinical": "clinical.db", "private": "private.db"}
# Every exception either driver raises: ``except DB_ERRORS`` wherever a statement may fail.
DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, sqlcipher.Error)
SQLITE_HEADER = b"SQLite format 3\x00"
FileState = Literal["absent", "plain", "encrypted"]
_OPEN_TRIES = 3  # a file swapped under us (by `dictanote store encrypt`) is reopened


def file_state(path: Path) -> FileState:
    """Whether a store file is absent (or empty: new), plain SQLite, or encrypted, from its first bytes.

    A file whose first bytes are not SQLite's header is taken as encrypted: only its key
    can tell it from a damaged file, and opening it says which.
    """
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return "absent"
    except OSError as exc:
        raise StoreError(f"cannot read the note store {path}: {exc.strerror}") from exc
    if not head:
        return "absent"
    return "plain" if head == SQLITE_HEADER else "encrypted"


def _translate(exc: Exception, path: Path, keyed: bool = False) -> StoreError:
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
    if keyed and "not a database" in text:
        return StoreError(
            f"cannot unlock the note store {path} (wrong passphrase or key; or the file is damaged "
            "or is not a dictanote database)"
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreError(f"{path} is damaged or is not a dictanote database ({exc})")
    if "readonly" in text or "unable to open" in text or "permission" in text:
        return StoreError(f"cannot open the note store {path} for writing ({exc})")
    return StoreError(f"the note store {path} failed: {exc}")


def connect(path: Path, key: bytes | None, timeout_ms: int | None = None) -> sqlite3.Connection:
    """A raw connection to one file through SQLCipher: keyed first thing when ``key`` is given, else plain.

    Autocommit (``isolation_level=None``), rows by name, shareable between threads
    (the caller locks). The key is a raw 256-bit key (no key stretching per open).
    """
    timeout_ms = BUSY_TIMEOUT_MS if timeout_ms is None else timeout_ms
    try:
        conn = sqlcipher.connect(
            str(path), isolation_level=None, check_same_thread=False, timeout=timeout_ms / 1000
        )
        if key is not None:
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our one-line error, not a log
        conn.row_factory = sqlcipher.Row
        conn.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")
    except DB_ERRORS as exc:
        raise _translate(exc, path, key is not None) from exc
    # The store's code reads rows by name and needs nothing sqlite3 has that SQLCipher lacks.
    return cast(sqlite3.Connection, conn)


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


@contextmanager
def triggers_lifted(conn: sqlite3.Connection, *tables: str) -> Iterator[None]:
    """The guard triggers of ``tables`` (append-only, immutable) dropped for the body, then put back.

    Only inside the caller's write transaction: a failure rolls the drop back with everything else.
    """
    marks = ", ".join("?" for _ in tables)
    triggers = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks})", tables
    ).fetchall()
    for t in triggers:
        conn.execute(f'DROP TRIGGER "{t["name"].replace(chr(34), chr(34) * 2)}"')
    yield
    for t in triggers:
        conn.execute(t["sql"])


class Database:
    """A connection to one store file, safe to share between threads (one lock)."""

    def __init__(self, path: Path, migrations: tuple[Migration, ...], key: bytes | None = None) -> None:
        """Open ``path`` (created owner-only if absent) and apply the migrations it lacks.

        ``key``: the file's SQLCipher key. A new file given a key is created encrypted;
        a plain SQLite file is opened plain whatever the key (``dictanote store
        encrypt`` moves it); an encrypted file needs its key.
        """
        self.path = path
        self._lock = threading.RLock()
        self.encrypted = False
        for _ in range(_OPEN_TRIES):
            if self._connect(key):
                break
        else:
            raise StoreBusyError(f"the note store {path} kept being replaced while opening it; try again")
        try:
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                log.warning("journal mode is %s, not WAL", mode)
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA secure_delete = ON")  # deleted text is overwritten, not left free
            self._conn.execute("PRAGMA synchronous = FULL")
        except DB_ERRORS as exc:
            self._conn.close()
            raise _translate(exc, path, self.encrypted) from exc
        self._migrate(migrations)

    def _connect(self, key: bytes | None) -> bool:
        """Connect and read the file once; False (closed again) if it was replaced meanwhile.

        `dictanote store encrypt` swaps a file for its encrypted copy while holding it
        locked; a connection that opened the old file then reads it only after the swap,
        so the inode is compared once a read has gone through, before anything is written.
        """
        _private_file(self.path)
        state = file_state(self.path)
        if state == "encrypted" and key is None:
            raise StoreError(
                f"the note store {self.path} is encrypted and no key was given for it; if "
                "`dictanote store encrypt` ran since this program started, start it again"
            )
        self.encrypted = state != "plain" and key is not None
        try:
            before = os.stat(self.path).st_ino
            self._conn = connect(self.path, key if self.encrypted else None)
        except OSError as exc:
            raise StoreError(f"cannot open the note store {self.path}: {exc.strerror}") from exc
        try:
            self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            after = os.stat(self.path).st_ino
        except DB_ERRORS as exc:
            self._conn.close()
            raise _translate(exc, self.path, self.encrypted) from exc
        except OSError:
            after = None
        if after == before:
            return True
        self._conn.close()
        log.info("%s was replaced while opening it; opening it again", self.path.name)
        return False

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
            except DB_ERRORS as exc:
                raise _translate(exc, self.path) from exc
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException as exc:
                try:
                    self._conn.execute("ROLLBACK")
                except DB_ERRORS:
                    log.debug("rollback failed", exc_info=True)
                if isinstance(exc, DB_ERRORS):
                    raise _translate(exc, self.path) from exc
                raise

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for reading."""
        with self._lock:
            try:
                self._conn.execute("BEGIN")
            except DB_ERRORS as exc:
                raise _translate(exc, self.path) from exc
            try:
                yield self._conn
            except DB_ERRORS as exc:
                raise _translate(exc, self.path) from exc
            finally:
                try:
                    self._conn.execute("COMMIT")
                except DB_ERRORS:
                    log.debug("end of read failed", exc_info=True)

    def integrity_ok(self) -> bool:
        """Whether SQLite's own integrity check passes."""
        with self._lock:
            return bool(self._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok")

    def compact(self) -> bool:
        """Rebuild the file and empty its WAL, so rows rewritten in place leave no old copy on disk.

        False when another connection kept the WAL from being emptied (it is at their checkpoint).
        """
        with self._lock:
            try:
                self._conn.execute("VACUUM")
                busy = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            except DB_ERRORS as exc:
                raise _translate(exc, self.path) from exc
            return not busy

    def compact_after(self, what: str) -> None:
        """``compact()`` after rows were rewritten in place, saying (never raising) when it could not.

        ``what`` names the rewrite in the warning ("a move", "the correction"); no text is logged.
        """
        try:
            emptied = self.compact()
        except StoreError as exc:
            emptied = False
            log.warning("could not rebuild %s after %s (%s)", self.path.name, what, type(exc).__name__)
        if not emptied:
            log.warning("rows rewritten by %s keep old copies in %s until a checkpoint", what, self.path.name)

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed by SQLite)."""
        with self._lock:
            self._conn.close()
