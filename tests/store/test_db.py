"""The store's files and transactions: owner-only files, concurrent writers, crashes, locks, a full disk."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dictanote.core.errors import (
    StoreBusyError,
    StoreError,
)
from dictanote.store import Store
from dictanote.store import db as store_db
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
            import sqlite3, sys, time
            conn = sqlite3.connect(sys.argv[1], isolation_level=None)
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
