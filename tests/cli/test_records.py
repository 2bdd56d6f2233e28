"""`dictanote drafts|notes|audit` as a user types them, against a real store."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.util import SAMPLES, run_cli

TEXT = (SAMPLES / "birp-headed.txt").read_text(encoding="utf-8")


def _save(data: Path, text: str = TEXT, fmt: str = "birp") -> None:
    done = run_cli("--data-dir", str(data), "segment", "-", "-f", fmt, "--save", stdin=text)
    assert done.returncode == 0, done.stderr
    assert "saved as draft" in done.stderr


def test_cli_records_draft_to_note(tmp_path: Path) -> None:
    data = tmp_path / "store"
    _save(data)
    listed = json.loads(run_cli("--data-dir", str(data), "drafts", "list", "--json").stdout)
    assert [(d["id"], d["format"], d["fields_filled"]) for d in listed] == [(1, "birp", 4)]
    shown = run_cli("--data-dir", str(data), "drafts", "show", "1")
    assert shown.returncode == 0 and "## Intervention" in shown.stdout

    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/chain analysis/behavior chain analysis/' \"$1\"\n")
    editor.chmod(0o700)
    edited = run_cli(
        "--data-dir", str(data), "drafts", "edit", "1", env={"EDITOR": str(editor), "VISUAL": ""}
    )
    assert edited.returncode == 0, edited.stderr
    assert not list(data.glob("edit-*")), "the edit file is removed once saved"

    refused = run_cli("--data-dir", str(data), "drafts", "finalize", "1", "--yes")
    assert refused.returncode == 2 and "--signed-by" in refused.stderr
    done = run_cli("--data-dir", str(data), "drafts", "finalize", "1", "--signed-by", "A. Lee, LMFT", "--yes")
    assert done.returncode == 0, done.stderr
    note = json.loads(run_cli("--data-dir", str(data), "notes", "show", "1", "--json").stdout)
    texts = [s["text"] for f in note["content"]["fields"] for s in f["sentences"]]
    assert any("behavior chain analysis" in t for t in texts)
    assert note["signed_by"] == "A. Lee, LMFT"
    assert run_cli("--data-dir", str(data), "drafts", "list").stdout.strip() == "The inbox is empty."
    verify = run_cli("--data-dir", str(data), "audit", "verify")
    assert (
        verify.returncode == 0 and "4 entries" not in verify.stderr and "intact: 3 entries" in verify.stdout
    )
    log = run_cli("--data-dir", str(data), "audit", "log").stdout
    assert [line.split()[2] for line in log.splitlines()] == ["created", "edited", "finalized"]
    assert "chain analysis" not in log


def test_cli_records_clinician_setting_signs(tmp_path: Path, isolated_dirs: dict[str, Path]) -> None:
    data = tmp_path / "store"
    _save(data)
    isolated_dirs["config"].joinpath("dictanote").mkdir(parents=True)
    isolated_dirs["config"].joinpath("dictanote", "config.toml").write_text('clinician = "J. Rivera, LCSW"\n')
    done = run_cli("--data-dir", str(data), "drafts", "finalize", "1", "--yes")
    assert done.returncode == 0, done.stderr
    assert "J. Rivera, LCSW" in run_cli("--data-dir", str(data), "notes", "list").stdout


def test_cli_records_bad_edit_is_kept_not_lost(tmp_path: Path) -> None:
    data = tmp_path / "store"
    _save(data)
    editor = tmp_path / "editor.sh"
    editor.write_text(
        "#!/bin/sh\nsed -i -e 's/^## Plan/## Plans/' -e 's/chain analysis/chain-analysis/' \"$1\"\n"
    )
    editor.chmod(0o700)
    done = run_cli("--data-dir", str(data), "drafts", "edit", "1", env={"EDITOR": str(editor), "VISUAL": ""})
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "unknown heading" in done.stderr
    kept = data / "edit-1.md"
    assert kept.exists() and stat.S_IMODE(kept.stat().st_mode) == 0o600
    kept.write_text(kept.read_text().replace("## Plans", "## Plan"))
    retry = run_cli("--data-dir", str(data), "drafts", "edit", "1", "--file", str(kept))
    assert retry.returncode == 0, retry.stderr
    assert json.loads(run_cli("--data-dir", str(data), "drafts", "list", "--json").stdout)[0]["version"] == 2


def test_cli_records_private_notes_only_when_asked(tmp_path: Path) -> None:
    data = tmp_path / "store"
    _save(data, TEXT + " Private note. I noticed I rushed the ending again. End private note.")
    clinical = run_cli("--data-dir", str(data), "drafts", "show", "1").stdout
    assert "rushed the ending" not in clinical
    assert "rushed the ending" not in run_cli("--data-dir", str(data), "drafts", "list").stdout
    private = run_cli("--data-dir", str(data), "drafts", "show", "1", "--private")
    assert private.returncode == 0 and "rushed the ending" in private.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["drafts", "show", "7"], "no draft 7 in the inbox"),
        (["drafts", "show", "x"], "is not a valid integer"),
        (["notes", "show", "3"], "no note 3"),
        (["drafts", "discard", "2", "--yes"], "no draft 2"),
    ],
)
def test_cli_records_bad_ids_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    data = tmp_path / "store"
    done = run_cli("--data-dir", str(data), *args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr


def test_cli_records_store_errors_are_one_line(tmp_path: Path) -> None:
    data = tmp_path / "store"
    data.mkdir()
    (data / "clinical.db").write_bytes(os.urandom(4096))
    done = run_cli("--data-dir", str(data), "drafts", "list")
    assert done.returncode == 4
    assert len(done.stderr.strip().splitlines()) == 1 and "not a dictanote database" in done.stderr
