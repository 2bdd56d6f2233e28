"""The store's secrets: a key per database file (SQLCipher) and a key per audit log (HMAC).

The one place keys come from. Per store (data directory) four secrets: the clinical
and private database keys (different) and the two audit keys. They come from the OS
keyring (``keyring``: Secret Service, macOS Keychain, Windows Credential Locker) where
a real one exists, made with ``secrets`` on first use; else from a passphrase (asked
by the entry point, or ``DICTANOTE_PASSPHRASE``), stretched once per process with
scrypt and a per-store salt, one HMAC-derived key per purpose. Audit keys made before
either existed stay in owner-only files. Never prints, logs or stores a key or a
passphrase (the fallback audit key files excepted).

Which source a store uses is fixed when its keys are first made, by a file in
``data_dir/keys``: ``keyring`` (this store's id in the keyring) or ``salt``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import logging
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from ..core.config import PASSPHRASE_ENV
from ..core.errors import BadInputError, StoreError
from ..core.types import Record
from .db import FILES, FileState, file_state, private_dir

log = logging.getLogger(__name__)

KEY_BYTES = 32
SERVICE = "dictanote"
MIN_PASSPHRASE = 8
KEYRING_FILE = "keyring"
SALT_FILE = "salt"
AUDIT_FILES: dict[Record, str] = {"clinical": "clinical-audit.key", "private": "private-audit.key"}
# scrypt: ~70 ms and 32 MiB once per process; the salt makes each store's keys its own.
SCRYPT = {"n": 2**15, "r": 8, "p": 1, "maxmem": 64 * 2**20}

# What an entry point gives to ask for the passphrase: called with whether the store is
# new (ask twice), it returns the passphrase, or None where nobody can be asked.
Ask = Callable[[bool], "str | None"]
Source = Literal["keyring", "passphrase", "files", "none"]

_warned: set[Path] = set()


@dataclass(frozen=True)
class StoreKeys:
    """What one store needs to open its two files: per record a database key and an audit key.

    A database key of ``None`` means that file is plain SQLite (not encrypted).
    """

    clinical_audit: bytes
    private_audit: bytes
    clinical_db: bytes | None = None
    private_db: bytes | None = None
    # Whether an audit log found unkeyed may be keyed now: true when these keys were made by this
    # open (the log predates them). ``store_keys`` says false for a store whose keys existed before,
    # so a log rewritten in the old unkeyed form is reported, never re-keyed as genuine.
    rechain: bool = field(default=True, compare=False)

    def __repr__(self) -> str:  # never show a key, not even in a traceback
        return "StoreKeys(<hidden>)"

    def database(self, record: Record) -> bytes | None:
        """The SQLCipher key of one record's file, or ``None`` for a plain file."""
        return self.clinical_db if record == "clinical" else self.private_db

    def audit(self, record: Record) -> bytes:
        """The HMAC key of one record's audit log."""
        return self.clinical_audit if record == "clinical" else self.private_audit


@dataclass(frozen=True)
class KeySources:
    """Where a store's keys are kept (for ``dictanote store status``); no key in it."""

    database: Source
    audit: Source
    keyring: str  # the active keyring backend, or why there is none


# --- files in data_dir/keys --------------------------------------------------------------------


def _write_new(path: Path, data: bytes) -> bool:
    """Create ``path`` owner-only holding ``data``, durably; False if it already existed."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return True


def _read(path: Path, size: int) -> bytes:
    """Read a small owner-only file of ``size`` bytes (tightened to 0600 if it was looser)."""
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o600)
    data = path.read_bytes()
    if len(data) != size:
        raise StoreError(f"the key file {path} is damaged ({len(data)} bytes, expected {size})")
    return data


def _key_file(path: Path, size: int = KEY_BYTES) -> bytes:
    """Read, or create owner-only, a file holding ``size`` random bytes."""
    try:
        if _write_new(path, secrets.token_bytes(size)):
            log.info("made a new key file %s", path.name)
        return _read(path, size)
    except OSError as exc:
        raise StoreError(f"cannot read or create the key file {path}: {exc.strerror}") from exc


def file_keys(key_dir: Path) -> StoreKeys:
    """Audit keys from owner-only files in ``key_dir`` (made on first use); databases plain."""
    return StoreKeys(
        clinical_audit=_key_file(key_dir / AUDIT_FILES["clinical"]),
        private_audit=_key_file(key_dir / AUDIT_FILES["private"]),
    )


@contextlib.contextmanager
def _exclusive(key_dir: Path) -> Iterator[None]:
    """Hold ``key_dir/lock`` so two processes never make a store's keys at once."""
    try:
        import fcntl
    except ImportError:  # not POSIX: the O_EXCL files still settle which process won
        yield
        return
    key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(key_dir / "lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


# --- the OS keyring ----------------------------------------------------------------------------


def _no_keyring_wanted() -> bool:
    """The user (or the tests) chose the ``fail`` backend: no keyring, without importing one."""
    return os.environ.get("PYTHON_KEYRING_BACKEND", "").startswith("keyring.backends.fail")


def keyring_backend() -> tuple[Any | None, str]:
    """The active keyring backend if it is a real one (else None), and its name or why there is none."""
    if _no_keyring_wanted():
        return None, "none (PYTHON_KEYRING_BACKEND chooses the fail backend)"
    try:
        import keyring
        from keyring.backends import chainer, fail

        backend = keyring.get_keyring()
        name = f"{type(backend).__module__}.{type(backend).__name__}"
        if isinstance(backend, fail.Keyring) or backend.priority <= 0:
            return None, f"none ({name})"
        if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
            return None, "none (no keyring backend is available)"
        return backend, name
    except Exception as exc:  # a backend that cannot even say what it is, is no backend
        log.debug("no usable keyring", exc_info=True)
        return None, f"none ({type(exc).__name__})"


def _keyring_secret(backend: Any, store_id: str, purpose: str, make: bool) -> bytes | None:
    """This store's secret for ``purpose``; made (and read back) if absent and ``make``."""
    from keyring.errors import KeyringError

    user = f"{purpose} of store {store_id}"
    try:
        found = backend.get_password(SERVICE, user)
        if found is None and make:
            backend.set_password(SERVICE, user, secrets.token_bytes(KEY_BYTES).hex())
            found = backend.get_password(SERVICE, user)  # what is kept is what we use
    except KeyringError as exc:
        raise StoreError(f"the OS keyring refused the store's {purpose} key: {exc}") from exc
    if found is None:
        return None
    try:
        key = bytes.fromhex(found)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise StoreError(f"the store's {purpose} key in the OS keyring is damaged")
    return key


# --- the passphrase ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _stretch(passphrase: str, salt: bytes) -> bytes:
    """The passphrase stretched with scrypt (once per process and store: cached)."""
    return hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, dklen=KEY_BYTES, **SCRYPT)


def _derive(master: bytes, purpose: str) -> bytes:
    return hmac.new(master, f"dictanote {purpose}".encode(), hashlib.sha256).digest()


def _passphrase(ask: Ask | None, new: bool) -> str:
    """``DICTANOTE_PASSPHRASE``, else what the entry point asks; a one-line error without either."""
    given = os.environ.get(PASSPHRASE_ENV) or (ask(new) if ask is not None else None)
    if not given:
        what = "a passphrase for the new encrypted note store" if new else "the note store's passphrase"
        raise StoreError(
            f"{what} is needed and there is no OS keyring: run dictanote on a terminal to be asked, or "
            f"set {PASSPHRASE_ENV} (less safe: other programs of yours can read it), or set "
            "encrypt_store = false for a new store"
        )
    if new and len(given) < MIN_PASSPHRASE:
        raise BadInputError(f"choose a passphrase of at least {MIN_PASSPHRASE} characters")
    return given


# --- which source a store uses -----------------------------------------------------------------


def _source(key_dir: Path) -> Source:
    """The source this store's database keys were made from (``none``: not made yet)."""
    if (key_dir / KEYRING_FILE).exists():
        return "keyring"
    if (key_dir / SALT_FILE).exists():
        return "passphrase"
    return "none"


def _audit_files(key_dir: Path) -> bool:
    """Whether audit keys were made in owner-only files (before the store had a keyring or passphrase)."""
    return any((key_dir / name).exists() for name in AUDIT_FILES.values())


def _choose(
    key_dir: Path, states: dict[Record, FileState], need_db: bool, ask: Ask | None
) -> tuple[Source, str | None]:
    """Fix a new store's source: the keyring if there is one, else a new passphrase (and return it)."""
    if "encrypted" in states.values():
        names = ", ".join(FILES[r] for r, state in states.items() if state == "encrypted")
        raise StoreError(
            f"{names} in {key_dir.parent} is encrypted, damaged or not a dictanote database, and the "
            f"store has no key record ({key_dir}/{KEYRING_FILE} or {SALT_FILE}); restore it from a backup"
        )
    backend, _ = keyring_backend()
    if backend is not None:
        _write_new(key_dir / KEYRING_FILE, secrets.token_hex(16).encode() + b"\n")
        return _source(key_dir), None  # another process may have been first
    if not need_db:
        return "none", None
    given = _passphrase(ask, new=True)  # asked (twice) before its salt exists
    _write_new(key_dir / SALT_FILE, secrets.token_bytes(16))
    return _source(key_dir), given


def _keyring_keys(key_dir: Path, states: dict[Record, FileState], needs: dict[Record, bool]) -> StoreKeys:
    backend, name = keyring_backend()
    if backend is None:
        raise StoreError(
            f"the keys of the note store in {key_dir.parent} are in the OS keyring, which is not "
            f"available here (keyring: {name}); unlock your desktop session's keyring and try again"
        )
    store_id = (key_dir / KEYRING_FILE).read_text(encoding="ascii").strip()

    def secret(purpose: str, make: bool) -> bytes:
        found = _keyring_secret(backend, store_id, purpose, make)
        if found is None:
            raise StoreError(
                f"the store's {purpose} key is not in the OS keyring ({name}); it cannot be opened"
            )
        return found

    db = {r: secret(f"{r}-db", make=states[r] != "encrypted") if need else None for r, need in needs.items()}
    audit = file_keys(key_dir) if _audit_files(key_dir) else None
    return StoreKeys(
        clinical_audit=audit.clinical_audit if audit else secret("clinical-audit", make=True),
        private_audit=audit.private_audit if audit else secret("private-audit", make=True),
        clinical_db=db["clinical"],
        private_db=db["private"],
    )


def _passphrase_keys(
    key_dir: Path, needs: dict[Record, bool], ask: Ask | None, given: str | None
) -> StoreKeys:
    in_files = _audit_files(key_dir)
    if in_files and not any(needs.values()):
        return file_keys(key_dir)  # nothing to unlock: no need to ask
    master = _stretch(given or _passphrase(ask, new=False), _read(key_dir / SALT_FILE, 16))
    audit = file_keys(key_dir) if in_files else None
    db = {r: _derive(master, f"{r}-db") if need else None for r, need in needs.items()}
    return StoreKeys(
        clinical_audit=audit.clinical_audit if audit else _derive(master, "clinical-audit"),
        private_audit=audit.private_audit if audit else _derive(master, "private-audit"),
        clinical_db=db["clinical"],
        private_db=db["private"],
    )


def store_keys(
    data_dir: Path, *, encrypt: bool = True, ask: Ask | None = None, migrating: bool = False
) -> StoreKeys:
    """The keys of the store in ``data_dir``: found, or made on first use.

    ``encrypt``: a new file is created encrypted (the ``encrypt_store`` setting).
    ``ask``: how the entry point asks for the passphrase (``DICTANOTE_PASSPHRASE`` first).
    ``migrating``: keys for plain files too (``dictanote store encrypt``). An existing
    plain file is never locked out: it gets no key and opens plain, with a warning once
    per process while ``encrypt`` is on. Errors are one-line ``StoreError``s.
    """
    key_dir = private_dir(data_dir) / "keys"
    states = {record: file_state(data_dir / name) for record, name in FILES.items()}
    needs: dict[Record, bool] = {
        r: state == "encrypted" or (state == "absent" and encrypt) or (state == "plain" and migrating)
        for r, state in states.items()
    }
    existed = _source(key_dir) != "none" or _audit_files(key_dir)
    try:
        source, given = _source(key_dir), None
        if source == "none" and (any(needs.values()) or not _audit_files(key_dir)):
            source, given = _choose(key_dir, states, any(needs.values()), ask)
        if source == "keyring":
            with _exclusive(key_dir):  # two processes never make different keys for one purpose
                keys = _keyring_keys(key_dir, states, needs)
        elif source == "passphrase":
            keys = _passphrase_keys(key_dir, needs, ask, given)
        else:
            keys = file_keys(key_dir)
    except OSError as exc:
        raise StoreError(f"cannot read or make the note store's keys in {key_dir}: {exc.strerror}") from exc
    if encrypt and not migrating:
        _warn_plain([data_dir / FILES[r] for r, state in states.items() if state == "plain"])
    return replace(keys, rechain=not existed)


def _warn_plain(paths: list[Path]) -> None:
    for path in paths:
        if path not in _warned:
            _warned.add(path)
            log.warning("%s is not encrypted; run `dictanote store encrypt`", path)


def key_sources(data_dir: Path) -> KeySources:
    """Where this store's keys are kept, without unlocking anything or making a key."""
    key_dir = data_dir / "keys"
    source = _source(key_dir)
    _, backend = keyring_backend()
    audit: Source = "files" if source == "none" or _audit_files(key_dir) else source
    return KeySources(database=source, audit=audit, keyring=backend)
