"""The client list in the clinical record: validated, audited without names, migrated from initials."""

from __future__ import annotations

from pathlib import Path

import pytest

from dictanote.core.errors import BadInputError, RecordNotFoundError
from dictanote.store import Store
from tests.store.drafts import sample_draft
from tests.util import schema_before_clients, signable


def test_clients_add_list_edit_archive(store: Store) -> None:
    added = store.add_client("mr-1", name="Maria Rossi", dob="1990-04-02", pronouns="she/her")
    store.add_client("mr-2", name="M.R.")
    assert (added.id, added.name, added.dob, added.pronouns, added.confirmed) == (
        "mr-1",
        "Maria Rossi",
        "1990-04-02",
        "she/her",
        True,
    )
    edited = store.edit_client("mr-2", name="Marco Ricci", dob="1985-12-31")
    assert (edited.name, edited.dob, edited.pronouns) == ("Marco Ricci", "1985-12-31", None)
    store.archive_client("mr-1")
    assert [c.id for c in store.list_clients()] == ["mr-2"]
    assert [(c.id, c.archived) for c in store.list_clients(archived=True)] == [
        ("mr-1", True),
        ("mr-2", False),
    ]
    assert store.archive_client("mr-1", undo=True).archived is False


@pytest.mark.parametrize(
    ("client_id", "dob", "name", "message"),
    [
        ("has space", None, "A", "no spaces"),
        ("", None, "A", "client id"),
        ("x" * 33, None, "A", "32"),
        ("ok\x07", None, "A", "no spaces"),
        ("ok", "2020-13-01", "A", "YYYY-MM-DD"),
        ("ok", "02/04/1990", "A", "YYYY-MM-DD"),
        ("ok", "2999-01-01", "A", "future"),
        ("ok", None, "  ", "name"),
    ],
)
def test_clients_refuse_bad_input(
    store: Store, client_id: str, dob: str | None, name: str, message: str
) -> None:
    with pytest.raises(BadInputError, match=message):
        store.add_client(client_id, name=name, dob=dob)
    assert store.list_clients(archived=True) == []


def test_clients_refuse_a_taken_or_unknown_id(store: Store) -> None:
    store.add_client("jd", name="J.D.")
    with pytest.raises(BadInputError, match="already"):
        store.add_client("JD", name="Someone else")
    with pytest.raises(RecordNotFoundError, match="no client 'zz'"):
        store.edit_client("zz", name="x")
    with pytest.raises(RecordNotFoundError):
        store.get_client("zz")


def test_clients_audit_names_no_one(store: Store) -> None:
    store.add_client("secret-id", name="Canary Person", dob="1990-01-01", pronouns="they/them")
    store.edit_client("secret-id", name="Canary Other")
    store.archive_client("secret-id")
    entries = [e for e in store.audit_entries() if e.object == "client"]
    assert [(e.action, e.detail.get("fields")) for e in entries] == [
        ("created", ["dob", "name", "pronouns"]),
        ("edited", ["name"]),
        ("edited", ["status"]),
    ]
    assert entries[2].detail["to"] == "archived"
    dumped = repr(store.audit_entries())
    for word in ("secret", "Canary", "1990", "they/them"):
        assert word not in dumped
    assert store.verify_audit().ok


def test_clients_are_encrypted_at_rest(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.add_client("canary-id", name="Canary Person")
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("clinical.db*"))
    assert b"Canary" not in raw and b"canary-id" not in raw


def test_clients_migration_makes_unconfirmed_clients_from_initials(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:  # drafts and a note with initials, as the previous schema kept them
        for initials in ("M.R.", "M.R.", "mr", "J.D.", None):
            store.save_draft(sample_draft(client=initials))
        store.update_draft(4, signable(store, store.get_draft(4).draft), expected_version=1)
        store.finalize_draft(4, expected_version=None, signed_by="Dr. A")
        store.save_draft(sample_draft(client="P.Q."))
        store.discard_draft(6, expected_version=None)  # discarded: its content is gone
    schema_before_clients(tmp_path / "clinical.db")
    with Store.open(tmp_path) as store:
        found = store.list_clients(archived=True)
        assert [(c.id, c.name, c.confirmed) for c in found] == [("MR", "M.R.", False), ("JD", "J.D.", False)]
        made = [e for e in store.audit_entries() if e.object == "client"][-2:]
        assert [(e.action, e.detail.get("source")) for e in made] == [("created", "initials")] * 2
        assert store.verify_audit().ok
        assert [n.draft_id for n in store.list_notes(client="jd")] == [
            4
        ]  # the signed note, linked by initials
        confirmed = store.edit_client("MR", name="Maria Rossi")
        assert confirmed.confirmed is True
    with Store.open(tmp_path) as again:  # the migration runs once
        assert len(again.list_clients(archived=True)) == 2


def test_clients_migration_merges_spellings_and_makes_ids_unique(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.save_draft(sample_draft(client="M.R."))
        store.save_draft(sample_draft(client="M-R"))  # another spelling, same letters: one client
        store.save_draft(sample_draft(client="?!"))  # no letters at all: no client
        store.save_draft(sample_draft(client="A" * 40))  # too long for an id: cut, still unique
        store.save_draft(sample_draft(client="A" * 41))
    schema_before_clients(tmp_path / "clinical.db")
    with Store.open(tmp_path) as store:
        assert [c.id for c in store.list_clients()] == ["MR", "A" * 32, "A" * 30 + "-2"]


def test_clients_new_store_has_none(store: Store) -> None:
    store.save_draft(sample_draft(client="M.R."))
    assert store.list_clients(archived=True) == []
