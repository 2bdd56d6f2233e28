"""Store migrations: an empty file is brought up to date; a newer schema is refused."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from dictanote.core.errors import StoreError
from dictanote.store import Store
from dictanote.store.schema import MIGRATIONS
from tests.store.drafts import sample_draft
from tests.util import open_raw


def test_schema_migrates_an_empty_file(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "clinical.db").touch()  # a zero-byte file, as a crash at creation could leave
    with Store.open(folder) as store:
        assert store.database("clinical").schema_version == len(MIGRATIONS)
        assert store.database("private").schema_version == len(MIGRATIONS)
        assert store.save_draft(sample_draft()).id == 1
    with Store.open(folder) as again:  # reopening applies nothing twice
        assert [d.id for d in again.list_drafts()] == [1]


def test_schema_refuses_a_newer_schema(tmp_path: Path) -> None:
    Store.open(tmp_path).close()
    with closing(open_raw(tmp_path / "clinical.db")) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer dictanote"):
        Store.open(tmp_path)


def test_schema_upgrades_a_store_of_the_first_schema(tmp_path: Path) -> None:
    for name in ("clinical.db", "private.db"):  # as dictanote left them before drafts were saved in pairs
        with sqlite3.connect(tmp_path / name) as conn:
            MIGRATIONS[0](conn)
            conn.execute("PRAGMA user_version = 1")
    with Store.open(tmp_path) as store:
        assert store.database("clinical").schema_version == len(MIGRATIONS) >= 2
        saved = store.save_draft(sample_draft(private=sample_draft("psychotherapy", client=None)))
        assert store.companion_of(saved.id) is not None
