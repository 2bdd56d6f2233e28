"""`dictanote clients add|list|show|edit|archive` as a user types them, against a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dictanote.store import Store
from tests.store.drafts import sample_draft
from tests.util import assert_one_line_error, run_cli, schema_before_clients


def _clients(data: Path, *args: str) -> list[dict[str, object]]:
    done = run_cli("--data-dir", str(data), "clients", "list", "--json", *args)
    assert done.returncode == 0, done.stderr
    listed: list[dict[str, object]] = json.loads(done.stdout)
    return listed


def test_cli_clients_two_mr_told_apart_by_id(tmp_path: Path) -> None:
    data = tmp_path / "store"
    for args in (
        ("mr-1", "--name", "M.R.", "--dob", "1990-04-02", "--pronouns", "she/her"),
        ("mr-2", "--name", "M.R."),
    ):
        done = run_cli("--data-dir", str(data), "clients", "add", *args)
        assert done.returncode == 0, done.stderr
    assert [(c["id"], c["name"], c["dob"]) for c in _clients(data)] == [
        ("mr-1", "M.R.", "1990-04-02"),
        ("mr-2", "M.R.", None),
    ]
    edited = run_cli("--data-dir", str(data), "clients", "edit", "mr-2", "--pronouns", "he/him", "--dob", "")
    assert edited.returncode == 0, edited.stderr
    shown = json.loads(run_cli("--data-dir", str(data), "clients", "show", "mr-2", "--json").stdout)
    assert (shown["pronouns"], shown["archived"], shown["confirmed"]) == ("he/him", False, True)
    text = run_cli("--data-dir", str(data), "clients", "show", "mr-1").stdout
    assert "M.R." in text and "1990-04-02" in text and "she/her" in text

    assert run_cli("--data-dir", str(data), "clients", "archive", "mr-1").returncode == 0
    assert [c["id"] for c in _clients(data)] == ["mr-2"]
    assert [c["id"] for c in _clients(data, "--all")] == ["mr-1", "mr-2"]
    listed = run_cli("--data-dir", str(data), "clients", "list", "--all").stdout
    assert "archived" in listed.splitlines()[0] and "archived" not in listed.splitlines()[1]
    assert run_cli("--data-dir", str(data), "clients", "archive", "mr-1", "--undo").returncode == 0
    assert [c["id"] for c in _clients(data)] == ["mr-1", "mr-2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "mr-1", "--name", "Other"), "already taken"),
        (("add", "MR-1", "--name", "Other"), "already taken"),
        (("add", "has space", "--name", "X"), "no spaces"),
        (("add", "new", "--name", "X", "--dob", "1990-02-30"), "YYYY-MM-DD"),
        (("add", "new"), "--name"),
        (("show", "nobody"), "no client 'nobody'"),
        (("edit", "nobody", "--name", "X"), "no client 'nobody'"),
        (("edit", "mr-1"), "nothing to change"),
        (("edit", "mr-1", "--dob", "tomorrow"), "YYYY-MM-DD"),
        (("archive", "nobody"), "no client 'nobody'"),
    ],
)
def test_cli_clients_bad_input_is_one_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    data = tmp_path / "store"
    assert run_cli("--data-dir", str(data), "clients", "add", "mr-1", "--name", "M.R.").returncode == 0
    done = run_cli("--data-dir", str(data), "clients", *args)
    assert_one_line_error(done)
    assert message in done.stderr
    assert [c["id"] for c in _clients(data, "--all")] == ["mr-1"]  # nothing saved was lost


def test_cli_clients_list_marks_clients_made_from_initials(tmp_path: Path) -> None:
    data = tmp_path / "store"
    with Store.open(data) as store:
        store.save_draft(sample_draft(client="M.R."))
    schema_before_clients(data / "clinical.db")  # the store as the schema before clients left it
    listed = run_cli("--data-dir", str(data), "clients", "list")
    assert listed.returncode == 0, listed.stderr
    assert "MR" in listed.stdout and "unconfirmed" in listed.stdout
    assert _clients(data)[0]["confirmed"] is False
    confirmed = run_cli("--data-dir", str(data), "clients", "edit", "MR", "--confirm")
    assert confirmed.returncode == 0, confirmed.stderr
    assert _clients(data)[0]["confirmed"] is True


def test_cli_clients_empty_list(tmp_path: Path) -> None:
    done = run_cli("--data-dir", str(tmp_path / "store"), "clients", "list")
    assert done.returncode == 0 and "No clients" in done.stdout
