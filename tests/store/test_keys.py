"""Where the store's keys come from: a passphrase (scrypt once, a salt per store), the OS keyring, files."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from dictanote.core.errors import BadInputError, StoreError
from dictanote.store import Store
from dictanote.store import keys as store_keys_module
from dictanote.store.db import file_state
from dictanote.store.keys import file_keys, key_sources, store_keys
from tests.store.drafts import sample_draft


def _all_keys(folder: Path) -> list[bytes]:
    keys = store_keys(folder)
    return [k for k in (keys.clinical_db, keys.private_db, keys.clinical_audit, keys.private_audit) if k]


class Asker:
    """An entry point's passphrase prompt, recording what it was asked."""

    def __init__(self, answer: str | None) -> None:
        self.answer = answer
        self.asked: list[bool] = []

    def __call__(self, new: bool) -> str | None:
        self.asked.append(new)
        return self.answer


def test_keys_passphrase_store_is_encrypted_with_four_different_keys(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.save_draft(sample_draft())
    assert [file_state(tmp_path / n) for n in ("clinical.db", "private.db")] == ["encrypted", "encrypted"]
    keys = _all_keys(tmp_path)
    assert len(keys) == 4 and len(set(keys)) == 4 and all(len(k) == 32 for k in keys)
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == ["salt"]  # not secret; no key on disk
    other = tmp_path / "other"
    Store.open(other).close()
    assert set(_all_keys(other)).isdisjoint(keys)  # the salt makes each store's keys its own


def test_keys_scrypt_runs_once_per_process_and_store(tmp_path: Path) -> None:
    store_keys_module._stretch.cache_clear()
    for _ in range(3):
        Store.open(tmp_path).close()
    info = store_keys_module._stretch.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_keys_passphrase_comes_from_the_entry_point_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DICTANOTE_PASSPHRASE")
    new = Asker("a long enough passphrase")
    keys = store_keys(tmp_path, ask=new)
    assert new.asked == [True]  # a new store: the prompt asks twice (confirmation)
    again = Asker("a long enough passphrase")
    assert store_keys(tmp_path, ask=again) == keys and again.asked == [False]


@pytest.mark.parametrize(
    ("answer", "error", "words"),
    [
        (None, StoreError, "DICTANOTE_PASSPHRASE"),  # no keyring, no variable, no terminal
        ("", StoreError, "run dictanote on a terminal"),
        ("short", BadInputError, "at least 8 characters"),
    ],
)
def test_keys_without_a_usable_passphrase_is_one_line_and_makes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str | None, error: type[Exception], words: str
) -> None:
    monkeypatch.delenv("DICTANOTE_PASSPHRASE")
    with pytest.raises(error, match=words) as caught:
        store_keys(tmp_path, ask=Asker(answer))
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "keys" / "salt").exists()


def test_keys_encryption_off_keeps_new_files_plain_and_asks_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DICTANOTE_PASSPHRASE")
    asker = Asker(None)
    keys = store_keys(tmp_path, encrypt=False, ask=asker)
    assert keys.database("clinical") is None and keys.database("private") is None and asker.asked == []
    assert keys == file_keys(tmp_path / "keys")  # audit keys in owner-only files
    assert key_sources(tmp_path).audit == "files"


def test_keys_plain_store_opens_with_a_warning_and_no_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with Store.open(tmp_path, file_keys(tmp_path / "keys")) as store:  # as dictanote wrote it before
        store.save_draft(sample_draft())
    monkeypatch.delenv("DICTANOTE_PASSPHRASE")
    asker = Asker(None)
    with caplog.at_level(logging.WARNING, logger="dictanote.store.keys"):
        keys = store_keys(tmp_path, ask=asker)
        store_keys(tmp_path, ask=asker)  # once per process
    assert asker.asked == [] and keys.database("clinical") is None
    warnings = [r.getMessage() for r in caplog.records]
    assert [w for w in warnings if "clinical.db" in w] == [
        f"{tmp_path / 'clinical.db'} is not encrypted; run `dictanote store encrypt`"
    ]
    with Store.open(tmp_path, keys) as store:  # never locked out
        assert len(store.list_drafts()) == 1 and store.verify_audit().ok


def test_keys_encrypted_store_without_its_key_record_is_refused(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.save_draft(sample_draft())
    (tmp_path / "keys" / "salt").unlink()
    with pytest.raises(StoreError, match="has no key record"):
        store_keys(tmp_path)


# --- the OS keyring (a private Secret Service) -------------------------------------------------


@pytest.mark.slow
def test_keys_keyring_holds_four_keys_and_no_passphrase_is_needed(
    secret_service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring

    monkeypatch.delenv("DICTANOTE_PASSPHRASE")
    assert type(keyring.get_keyring()).__module__ == "keyring.backends.SecretService"
    with Store.open(tmp_path) as store:
        store.save_draft(sample_draft())
    assert [file_state(tmp_path / n) for n in ("clinical.db", "private.db")] == ["encrypted", "encrypted"]
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == ["keyring", "lock"]  # an id, no key
    store_id = (tmp_path / "keys" / "keyring").read_text().strip()
    kept = {
        purpose: keyring.get_password("dictanote", f"{purpose} of store {store_id}")
        for purpose in ("clinical-db", "private-db", "clinical-audit", "private-audit")
    }
    assert all(kept.values()) and len(set(kept.values())) == 4
    keys = store_keys(tmp_path)
    assert keys.database("clinical") == bytes.fromhex(kept["clinical-db"] or "")
    assert key_sources(tmp_path).database == "keyring"
    with Store.open(tmp_path) as store:
        assert len(store.list_drafts()) == 1 and store.verify_audit().ok


@pytest.mark.slow
def test_keys_keyring_gone_later_is_one_line_error(
    secret_service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store.open(tmp_path).close()
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    with pytest.raises(StoreError, match="are in the OS keyring, which is not available here") as caught:
        Store.open(tmp_path)
    assert "\n" not in str(caught.value)
