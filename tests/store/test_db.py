"""The store's files and transactions: owner-only, encrypted, concurrent writers, crashes, locks, a full disk."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from dictanote.core.errors import (
    StoreBusyError,
    StoreError,
)
from dictanote.core.types import Draft
from dictanote.store import Store
from dictanote.store import db as store_db
from dictanote.store.keys import file_keys, store_keys
from dictanote.store.schema import MIGRATIONS
from tests.store.drafts import sample_draft


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_db_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "clinical.db").write_bytes(b"this is not sqlite " * 100)
    with pytest.raises(StoreError, match="not a dictanote database"):
        Store.open(tmp_path)


def test_db_files_are_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    old = os.umask(0o022)
    try:
        with Store.open(folder) as store:
            store.save_draft(sample_draft())
            files = sorted(folder.iterdir())
            assert {p.name for p in files} >= {"clinical.db", "private.db", "clinical.db-wal"}
            for path in files:
                assert _mode(path) == (0o700 if path.is_dir() else 0o600), path.name
            for path in (folder / "keys").iterdir():
                assert _mode(path) == 0o600, path.name
    finally:
        os.umask(old)
    assert _mode(folder) == 0o700


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    from tests.store.drafts import sample_draft
    from dictanote.store import Store
    with Store.open(Path(sys.argv[1])) as store:
        for _ in range(int(sys.argv[2])):
            store.save_draft(sample_draft())
    """
)


def _python(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code.format(repo=str(Path(__file__).resolve().parents[2])), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_db_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    Store.open(tmp_path).close()
    writers = [_python(WRITER, str(tmp_path), "15") for _ in range(4)]
    for w in writers:
        _, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
    with Store.open(tmp_path) as store:
        assert [d.id for d in store.list_drafts()] == list(range(1, 61))
        report = store.verify_audit()
        assert report.ok and report.entries == 60, report
        assert store.database("clinical").integrity_ok()


def test_db_survives_a_writer_killed_mid_transaction(tmp_path: Path) -> None:
    Store.open(tmp_path).close()
    for delay in (0.4, 0.55, 0.7, 0.85):
        writer = _python(WRITER, str(tmp_path), "100000")
        time.sleep(delay)  # long enough to be writing (the interpreter starts in ~0.2 s)
        writer.send_signal(signal.SIGKILL)
        writer.communicate(timeout=10)
    with Store.open(tmp_path) as store:
        assert store.database("clinical").integrity_ok()
        drafts = store.list_drafts()
        assert drafts, "the writers never got to write"
        assert all(d.draft == sample_draft() for d in drafts)  # every committed draft whole
        report = store.verify_audit()
        assert report.ok and report.entries == len(drafts), report


def test_db_reports_a_lock_held_too_long(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Store.open(tmp_path).close()
    holder = _python(
        textwrap.dedent(
            """
            import sys, time
            from pathlib import Path
            sys.path.insert(0, {repo!r})
            from tests.util import open_raw
            conn = open_raw(Path(sys.argv[1]))
            conn.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            time.sleep(5)
            """
        ),
        str(tmp_path / "clinical.db"),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 200)
        with Store.open(tmp_path) as store, pytest.raises(StoreBusyError, match="locked by another"):
            store.save_draft(sample_draft())
    finally:
        holder.kill()
        holder.communicate(timeout=10)
    with Store.open(tmp_path) as store:
        assert store.list_drafts() == [] and store.verify_audit().ok


def test_db_full_disk_keeps_what_was_saved(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.save_draft(sample_draft())
    filler = _python(
        textwrap.dedent(
            """
            import resource, signal, sys
            from pathlib import Path
            sys.path.insert(0, {repo!r})
            from dataclasses import replace
            from tests.store.drafts import sample_draft
            from dictanote.core.errors import StoreError
            from dictanote.store import Store
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))
            with Store.open(Path(sys.argv[1])) as store:
                try:
                    store.save_draft(replace(sample_draft(), transcript="x" * 2_000_000))
                except StoreError as exc:
                    print(exc)
            """
        ),
        str(tmp_path),
    )
    out, err = filler.communicate(timeout=60)
    assert "disk full" in out and "nothing saved was lost" in out, err
    with Store.open(tmp_path) as store:
        assert [d.draft for d in store.list_drafts()] == [sample_draft()]
        assert store.verify_audit().ok and store.database("clinical").integrity_ok()


CLINICAL_CANARY = "Zebulonquartz"
PRIVATE_CANARY = "Marmaladefjord"


def _canary_draft() -> Draft:
    private = replace(sample_draft("psychotherapy"), transcript=f"I felt {PRIVATE_CANARY} today.")
    draft = sample_draft(client=f"{CLINICAL_CANARY}-client", private=private)
    return replace(draft, transcript=f"Client reports {CLINICAL_CANARY} sleep.")


def _plain_hits(folder: Path) -> list[str]:
    """Every file under ``folder`` whose raw bytes hold a canary (UTF-8 or UTF-16)."""
    hits = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for word in (CLINICAL_CANARY, PRIVATE_CANARY):
            if any(form in data for form in (word.encode(), word.encode("utf-16-le"), word.lower().encode())):
                hits.append(f"{path.name}: {word}")
    return hits


def test_db_canary_words_are_in_no_byte_of_the_data_dir(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        stored = store.save_draft(_canary_draft())
        assert store.companion_of(stored.id) is not None
        names = {p.name for p in tmp_path.iterdir()}
        assert {"clinical.db-wal", "private.db-wal", "clinical.db-shm"} <= names  # WAL and SHM read too
        assert _plain_hits(tmp_path) == []
    assert _plain_hits(tmp_path) == []
    assert {p.name for p in (tmp_path / "keys").iterdir()} <= {"salt", "lock"}  # no key written down
    with Store.open(tmp_path) as store:  # and it all reads back
        draft = store.get_draft(stored.id).draft
        assert CLINICAL_CANARY in draft.transcript and draft.session.client == f"{CLINICAL_CANARY}-client"
        assert PRIVATE_CANARY in (store.companion_of(stored.id) or stored).draft.transcript


def test_db_wrong_passphrase_is_one_line_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(tmp_path) as store:
        store.save_draft(sample_draft())
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    monkeypatch.setenv("DICTANOTE_PASSPHRASE", "not the passphrase")
    with pytest.raises(StoreError) as caught:
        Store.open(tmp_path)
    message = str(caught.value)
    assert "\n" not in message and "cannot unlock the note store" in message
    assert "wrong passphrase or key" in message
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


def _plain_store(folder: Path) -> None:
    """A store as dictanote wrote it before encryption: plain SQLite files, audit keys in files."""
    with Store.open(folder, file_keys(folder / "keys")) as store:
        store.save_draft(sample_draft(private=sample_draft("psychotherapy")))


@pytest.mark.parametrize("key", [None, b"k" * 32], ids=["no key", "a key"])
def test_db_plain_file_opens_plain_whatever_the_key(tmp_path: Path, key: bytes | None) -> None:
    _plain_store(tmp_path)
    db = store_db.Database(tmp_path / "clinical.db", MIGRATIONS, key)
    try:
        assert not db.encrypted and db.integrity_ok()
        assert store_db.file_state(tmp_path / "clinical.db") == "plain"
    finally:
        db.close()


def test_db_encrypted_file_without_its_key_is_refused(tmp_path: Path) -> None:
    Store.open(tmp_path).close()
    assert store_db.file_state(tmp_path / "clinical.db") == "encrypted"
    with pytest.raises(StoreError, match="is encrypted and no key was given"):
        store_db.Database(tmp_path / "clinical.db", MIGRATIONS, None)


SWAPPER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    from dictanote.store import encryption
    from dictanote.store.keys import store_keys
    path = Path(sys.argv[1])
    key = store_keys(path.parent, migrating=True).database("clinical")
    lock = encryption._lock(path)
    print("locked", flush=True)
    sys.stdin.readline()
    temp = encryption.export_copy(lock, path, key)
    encryption._verify(lock, temp, key)
    import os
    os.replace(temp, path)
    lock.close()
    """
)


def test_db_open_during_encryption_gets_the_new_file(tmp_path: Path) -> None:
    _plain_store(tmp_path)
    swapper = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SWAPPER.format(repo=str(Path(__file__).resolve().parents[2])),
            str(tmp_path / "clinical.db"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert swapper.stdin is not None and swapper.stdout is not None
    try:
        assert swapper.stdout.readline().strip() == "locked", swapper.stderr
        opened: list[store_db.Database | BaseException] = []

        def open_it() -> None:  # blocks on the swapper's lock, then must land on the encrypted file
            try:
                opened.append(
                    store_db.Database(
                        tmp_path / "clinical.db",
                        MIGRATIONS,
                        store_keys(tmp_path, migrating=True).database("clinical"),
                    )
                )
            except BaseException as exc:
                opened.append(exc)

        opener = threading.Thread(target=open_it)
        opener.start()
        time.sleep(0.3)  # the opener has read the old file's header and waits on the lock
        swapper.stdin.write("go\n")
        swapper.stdin.flush()
        assert swapper.wait(timeout=30) == 0, swapper.stderr.read() if swapper.stderr else ""
        opener.join(timeout=30)
    finally:
        swapper.kill()
        swapper.communicate(timeout=10)
    db = opened[0]
    assert isinstance(db, store_db.Database), db
    try:
        assert db.encrypted and db.integrity_ok()
        with db.read() as conn:
            assert conn.execute("SELECT count(*) FROM drafts").fetchone()[0] == 1
    finally:
        db.close()


def test_db_discarded_text_is_overwritten_not_left_in_free_pages(tmp_path: Path) -> None:
    # A plain (legacy, not yet encrypted) store: discarding a draft must not leave its words on disk.
    keys = file_keys(tmp_path / "keys")
    with Store.open(tmp_path, keys) as store:
        stored = store.save_draft(_canary_draft())
        companion = store.companion_of(stored.id)
        assert companion is not None
    assert _plain_hits(tmp_path) != []  # the words are there, in plain text, while the draft exists
    with Store.open(tmp_path, keys) as store:
        store.discard_draft(stored.id, expected_version=stored.version)
        store.discard_draft(companion.id, expected_version=companion.version, private=True)
    assert _plain_hits(tmp_path) == []  # closed (checkpointed): the pages they were on are zeroed
