"""The store's secrets: a key per database file (SQLCipher) and a key per audit log (HMAC).

Keys are kept outside the databases they protect. This module finds or makes
them; it never prints or logs a key, and never writes one in plain text except
as the owner-only fallback file the audit key needs where no OS keyring exists.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import StoreError
from ..core.types import Record

log = logging.getLogger(__name__)

KEY_BYTES = 32


@dataclass(frozen=True)
class StoreKeys:
    """What one store needs to open its two files: per record a database key and an audit key.

    A database key of ``None`` means that file is plain SQLite (not encrypted).
    """

    clinical_audit: bytes
    private_audit: bytes
    clinical_db: bytes | None = None
    private_db: bytes | None = None

    def __repr__(self) -> str:  # never show a key, not even in a traceback
        return "StoreKeys(<hidden>)"

    def database(self, record: Record) -> bytes | None:
        """The SQLCipher key of one record's file, or ``None`` for a plain file."""
        return self.clinical_db if record == "clinical" else self.private_db

    def audit(self, record: Record) -> bytes:
        """The HMAC key of one record's audit log."""
        return self.clinical_audit if record == "clinical" else self.private_audit


def _key_file(path: Path) -> bytes:
    """Read, or create owner-only, a file holding one random key."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        except FileExistsError:
            if stat.S_IMODE(path.stat().st_mode) & 0o077:
                path.chmod(0o600)
            data = path.read_bytes()
            if len(data) != KEY_BYTES:
                damaged = f"the key file {path} is damaged ({len(data)} bytes, expected {KEY_BYTES})"
                raise StoreError(damaged) from None
            return data
        key = secrets.token_bytes(KEY_BYTES)
        with os.fdopen(fd, "wb") as out:
            out.write(key)
            out.flush()
            os.fsync(out.fileno())
        log.info("made a new key file %s", path.name)
        return key
    except OSError as exc:
        raise StoreError(f"cannot read or create the key file {path}: {exc.strerror}") from exc


def file_keys(key_dir: Path) -> StoreKeys:
    """Audit keys from owner-only files in ``key_dir`` (made on first use); databases plain."""
    return StoreKeys(
        clinical_audit=_key_file(key_dir / "clinical-audit.key"),
        private_audit=_key_file(key_dir / "private-audit.key"),
    )
