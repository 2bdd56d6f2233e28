"""`dictanote notes amend` as a user types it, against a real store: text, $EDITOR, refusals, private.

Kept apart from test_records.py (same module, cli/records.py) so that parallel edits of that
file do not collide; the tests are named for the module all the same.
"""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest

from tests.util import SAMPLES, assert_one_line_error, run_cli

TEXT = (SAMPLES / "birp-headed.txt").read_text(encoding="utf-8")
PRIVATE = " Private note. I noticed I rushed the ending again. End private note."
SIGNER = "J. Rivera, LCSW"
AMENDED = """## Behavior

The client arrived on time and looked tired.

## Intervention

We did a chain analysis of Friday's urge.

## Response

She was engaged.

## Plan

Continue weekly individual DBT. She called on Monday to confirm the safety plan.
"""


@pytest.fixture
def signed(tmp_path: Path, isolated_dirs: dict[str, Path]) -> Path:
    """A store with one finalized BIRP note (and its private companion, finalized too); the clinician set."""
    data = tmp_path / "store"
    assert run_cli("--data-dir", str(data), "clients", "add", "T1", "--name", "J.D.").returncode == 0
    done = run_cli(
        "--data-dir",
        str(data),
        "segment",
        "-",
        "-f",
        "birp",
        "--client",
        "T1",
        "--save",
        stdin=TEXT + PRIVATE,
    )
    assert done.returncode == 0, done.stderr
    config = isolated_dirs["config"] / "dictanote"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(f'clinician = "{SIGNER}"\n')
    for extra in ((), ("--private",)):
        done = run_cli("--data-dir", str(data), "drafts", "finalize", "1", "--yes", *extra)
        assert done.returncode == 0, done.stderr
    return data


def _shown(data: Path, *extra: str) -> dict[str, object]:
    shown: dict[str, object] = json.loads(
        run_cli("--data-dir", str(data), "notes", "show", "1", "--json", *extra).stdout
    )
    return shown


def test_records_amend_with_text_is_shown_audited_and_keeps_the_original(signed: Path) -> None:
    done = run_cli(
        "--data-dir", str(signed), "notes", "amend", "1", "--reason", "added the call", "--text", AMENDED
    )
    assert done.returncode == 0, done.stderr
    assert "Amended note 1" in done.stderr
    note = _shown(signed)
    (amendment,) = note["amendments"]  # type: ignore[misc]
    assert amendment["reason"] == "added the call" and amendment["signed_by"] == SIGNER
    assert amendment["at"].endswith("Z")  # stored UTC
    texts = [s["text"] for f in note["content"]["fields"] for s in f["sentences"]]  # type: ignore[index]
    assert "She called on Monday to confirm the safety plan." in texts
    shown = run_cli("--data-dir", str(signed), "notes", "show", "1").stdout
    body, amendments = shown.split("## Amendment", 1)
    assert "She called on Monday" in body  # the note as it now reads
    assert "added the call" in amendments and SIGNER in amendments and "Plan" in amendments
    log = run_cli("--data-dir", str(signed), "audit", "log").stdout
    assert [line.split()[4] for line in log.splitlines()][-1] == "amended"  # seq, local date/time/zone
    assert "called on Monday" not in log and "added the call" not in log
    assert run_cli("--data-dir", str(signed), "audit", "verify").returncode == 0


def test_records_amend_in_editor(signed: Path, tmp_path: Path) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/Next session in one week./Next session in two weeks./' \"$1\"\n")
    editor.chmod(0o700)
    env = {"EDITOR": str(editor), "VISUAL": ""}
    done = run_cli("--data-dir", str(signed), "notes", "amend", "1", "--reason", "date moved", env=env)
    assert done.returncode == 0, done.stderr
    assert not list(signed.glob("amend-*")), "the editor's file is removed once amended"
    note = _shown(signed)
    texts = [s["text"] for f in note["content"]["fields"] for s in f["sentences"]]  # type: ignore[index]
    assert "Next session in two weeks." in texts and "Next session in one week." not in texts
    unchanged = run_cli(
        "--data-dir",
        str(signed),
        "notes",
        "amend",
        "1",
        "--reason",
        "x",
        env={"EDITOR": "true", "VISUAL": ""},
    )
    assert unchanged.returncode == 0 and "No change; nothing amended." in unchanged.stderr
    assert len(_shown(signed)["amendments"]) == 1  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["1", "--text", AMENDED], "an amendment needs a reason"),
        (["1", "--reason", "  ", "--text", AMENDED], "an amendment needs a reason"),
        (["9", "--reason", "typo", "--text", AMENDED], "no note 9"),
        (["1", "--reason", "typo", "--text", "Just one line."], "text before the first heading"),
        (["1", "--reason", "typo", "--text", "## Plan\n\nx\n"], "heading '## Behavior' is missing"),
        (["2", "--private", "--reason", "typo", "--text", AMENDED], "no note 2 among the private notes"),
    ],
)
def test_records_amend_refusals_are_one_line(signed: Path, args: list[str], message: str) -> None:
    done = run_cli("--data-dir", str(signed), "notes", "amend", *args)
    assert_one_line_error(done)
    assert message in done.stderr
    assert _shown(signed)["amendments"] == []


def test_records_amend_unchanged_text_is_refused(signed: Path, tmp_path: Path) -> None:
    capture = tmp_path / "seen.md"
    editor = tmp_path / "editor.sh"
    editor.write_text(f'#!/bin/sh\ncp "$1" {capture}\n')
    editor.chmod(0o700)
    run_cli(
        "--data-dir",
        str(signed),
        "notes",
        "amend",
        "1",
        "--reason",
        "x",
        env={"EDITOR": str(editor), "VISUAL": ""},
    )
    same = capture.read_text(encoding="utf-8")
    done = run_cli("--data-dir", str(signed), "notes", "amend", "1", "--reason", "x", "--text", same)
    assert_one_line_error(done)
    assert "changes nothing" in done.stderr


def _digest(data: Path, name: str) -> str:
    return "".join(
        hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else "-"
        for p in (data / name, data / f"{name}-wal")
    )


def test_records_amend_private_never_touches_the_clinical_record(signed: Path) -> None:
    clinical_before = _digest(signed, "clinical.db")
    clinical_log = run_cli("--data-dir", str(signed), "audit", "log").stdout
    text = "## Reflections\n\nI rushed the ending again; next time I will watch the clock.\n"
    text += "\n## Process observations\n\n## Questions to explore\n"
    done = run_cli(
        "--data-dir", str(signed), "notes", "amend", "1", "--private", "--reason", "my note", "--text", text
    )
    assert done.returncode == 0, done.stderr
    assert _digest(signed, "clinical.db") == clinical_before
    assert run_cli("--data-dir", str(signed), "audit", "log").stdout == clinical_log
    assert _shown(signed)["amendments"] == []
    private = _shown(signed, "--private")
    assert [a["reason"] for a in private["amendments"]] == ["my note"]  # type: ignore[attr-defined]
    assert "watch the clock" not in json.dumps(_shown(signed))
    plog = run_cli("--data-dir", str(signed), "audit", "log", "--private").stdout
    assert plog.splitlines()[-1].split()[4] == "amended" and "watch the clock" not in plog


def test_records_amend_unreadable_edit_is_kept_not_lost(signed: Path, tmp_path: Path) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i -e 's/^## Plan/## Plans/' -e 's/one week/two weeks/' \"$1\"\n")
    editor.chmod(0o700)
    done = run_cli(
        "--data-dir",
        str(signed),
        "notes",
        "amend",
        "1",
        "--reason",
        "x",
        env={"EDITOR": str(editor), "VISUAL": ""},
    )
    assert_one_line_error(done)
    kept = signed / "amend-1.md"
    assert "unknown heading" in done.stderr and str(kept) in done.stderr
    assert kept.exists() and stat.S_IMODE(kept.stat().st_mode) == 0o600 and "two weeks" in kept.read_text()
    assert _shown(signed)["amendments"] == []
