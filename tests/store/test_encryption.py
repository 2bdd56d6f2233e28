"""Moving a plain store to encryption in place: verified copies swapped in, nothing lost when stopped."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dictanote.core.errors import StoreBusyError
from dictanote.store import Store, encrypt_store, encryption, store_status
from dictanote.store.db import file_state
from dictanote.store.keys import file_keys, store_keys
from tests.store.drafts import sample_draft
from tests.util import signable

FILES = ("clinical.db", "private.db")
CANARY = "Quillfeatherstone"


def _plain_store(folder: Path, drafts: int = 3) -> None:
    """A store as dictanote wrote it before encryption (plain files, audit keys in files), every kind of row."""
    with Store.open(folder, file_keys(folder / "keys")) as store:
        for n in range(drafts):
            private = sample_draft("psychotherapy", client=None)
            store.save_draft(signable(store, sample_draft(client=f"{CANARY}{n}", private=private)))
        note = store.finalize_draft(1, expected_version=None, signed_by="J. Rivera, LCSW")
        store.amend_note(note.id, sample_draft(), reason="typo", signed_by="J. Rivera, LCSW")
        private_draft = store.list_drafts(private=True)[0]
        store.finalize_draft(private_draft.id, expected_version=None, signed_by="J. Rivera", private=True)


def _contents(folder: Path) -> tuple[object, ...]:
    with Store.open(folder) as store:
        report = [store.verify_audit(private=p) for p in (False, True)]
        assert all(r.ok for r in report), report
        return (
            [(d.id, d.draft, d.version) for d in store.list_drafts()],
            [(d.id, d.draft) for d in store.list_drafts(private=True)],
            store.list_notes(),
            store.list_notes(private=True),
            [r.entries for r in report],
        )


def test_encryption_encrypts_a_plain_store_in_place_keeping_every_row(tmp_path: Path) -> None:
    _plain_store(tmp_path)
    before = _contents(tmp_path)
    reports = encrypt_store(tmp_path, store_keys(tmp_path, migrating=True))
    assert [(r.path.name, r.outcome) for r in reports] == [(n, "encrypted") for n in FILES]
    assert all(r.rows > 0 for r in reports)
    assert [file_state(tmp_path / n) for n in FILES] == ["encrypted", "encrypted"]
    assert _contents(tmp_path) == before  # audit logs still verify under their (file) keys
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith((".encrypting", "-journal"))]
    assert leftovers == []
    Store.open(tmp_path).close()  # the old plain WAL, if any, went with it
    assert all(CANARY.encode() not in p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    again = encrypt_store(tmp_path, store_keys(tmp_path, migrating=True))
    assert [r.outcome for r in again] == ["already encrypted", "already encrypted"]


def test_encryption_stopped_after_the_copy_loses_nothing(tmp_path: Path) -> None:
    _plain_store(tmp_path)
    before = _contents(tmp_path)
    path = tmp_path / "clinical.db"
    key = store_keys(tmp_path, migrating=True).database("clinical")
    assert key is not None
    lock = encryption._lock(path)
    encryption.export_copy(lock, path, key)
    lock.close()  # stopped here: the copy is made, the original not yet replaced
    assert store_status(tmp_path).leftovers == (tmp_path / "clinical.db.encrypting",)
    assert file_state(path) == "plain" and _contents(tmp_path) == before
    encrypt_store(tmp_path, store_keys(tmp_path, migrating=True))
    assert store_status(tmp_path).leftovers == ()
    assert [file_state(tmp_path / n) for n in FILES] == ["encrypted", "encrypted"]
    assert _contents(tmp_path) == before


def test_encryption_half_done_store_opens_both_files(tmp_path: Path) -> None:
    _plain_store(tmp_path)
    before = _contents(tmp_path)
    key = store_keys(tmp_path, migrating=True).database("clinical")
    assert key is not None
    assert encryption.encrypt_file(tmp_path / "clinical.db", key)[0] == "encrypted"
    assert store_status(tmp_path).files == {"clinical": "encrypted", "private": "plain"}
    assert _contents(tmp_path) == before
    reports = encrypt_store(tmp_path, store_keys(tmp_path, migrating=True))
    assert [r.outcome for r in reports] == ["already encrypted", "encrypted"]
    assert _contents(tmp_path) == before


def test_encryption_refuses_a_store_open_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _plain_store(tmp_path)
    monkeypatch.setattr(encryption, "IN_USE_TIMEOUT_MS", 100)
    with Store.open(tmp_path) as running:  # as the review page holds it
        with pytest.raises(StoreBusyError, match="open in another dictanote process"):
            encrypt_store(tmp_path, store_keys(tmp_path, migrating=True))
        assert len(running.list_drafts()) == 2
    assert [file_state(tmp_path / n) for n in FILES] == ["plain", "plain"]


MIGRATOR = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    from dictanote.store import encrypt_store, store_keys
    folder = Path(sys.argv[1])
    keys = store_keys(folder, migrating=True)
    print("start", flush=True)
    encrypt_store(folder, keys)
    print("done", flush=True)
    """
)


def _migrator(folder: Path) -> subprocess.Popen[str]:
    code = MIGRATOR.format(repo=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "start", proc.stderr
    return proc


def test_encryption_killed_mid_way_loses_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _plain_store(store, drafts=150)
    before = _contents(store)
    shutil.copytree(store, tmp_path / "probe")
    probe = _migrator(tmp_path / "probe")
    started = time.perf_counter()  # from "start" on: the migration itself, not the interpreter's start-up
    probe.communicate(timeout=60)
    took = time.perf_counter() - started  # how long one whole migration takes on this machine now
    seen: set[tuple[str, ...]] = set()
    for fraction in (0.15, 0.35, 0.55, 0.75, 0.95, 1.2, 1.5, 2.0):
        if fraction > 1 and len(seen) > 1:
            break  # a slow machine gets later kills until one lands after a swap
        migrator = _migrator(store)
        time.sleep(took * fraction)  # then kill -9, somewhere inside the migration
        migrator.kill()
        migrator.communicate(timeout=10)
        seen.add(tuple(file_state(store / n) for n in FILES))
        assert _contents(store) == before  # every row, whatever state each file was left in
    encrypt_store(store, store_keys(store, migrating=True))
    assert [file_state(store / n) for n in FILES] == ["encrypted", "encrypted"]
    assert store_status(store).leftovers == () and _contents(store) == before
    assert len(seen) > 1, seen  # the kills did land inside the migration
