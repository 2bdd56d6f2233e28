"""`dictanote drafts|notes|audit` as a user types them, against a real store."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dictanote.app import Dictation
from dictanote.core.errors import NotConfirmedError
from tests.util import SAMPLES, assert_one_line_error, make_draft, run_cli, signable

TEXT = (SAMPLES / "birp-headed.txt").read_text(encoding="utf-8")


def _save(data: Path, text: str = TEXT, fmt: str = "birp") -> None:
    """Save a dictation about client T1 (added first, once) into the store in ``data``."""
    if "T1" not in run_cli("--data-dir", str(data), "clients", "list").stdout:
        added = run_cli("--data-dir", str(data), "clients", "add", "T1", "--name", "J.D.")
        assert added.returncode == 0, added.stderr
    done = run_cli("--data-dir", str(data), "segment", "-", "-f", fmt, "--client", "T1", "--save", stdin=text)
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
        verify.returncode == 0 and "5 entries" not in verify.stderr and "intact: 4 entries" in verify.stdout
    )
    log = run_cli("--data-dir", str(data), "audit", "log").stdout
    # seq, local date, time and zone, action (the client, then the draft)
    assert [line.split()[4] for line in log.splitlines()] == ["created", "created", "edited", "finalized"]
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
    assert not kept.exists(), "the retry file is removed once the retry is saved"

    mine = tmp_path / "mine.md"  # a file of the clinician's own is never removed
    editor.write_text(f'#!/bin/sh\ncp "$1" {mine}\n')
    copied = run_cli(
        "--data-dir", str(data), "drafts", "edit", "1", env={"EDITOR": str(editor), "VISUAL": ""}
    )
    assert copied.returncode == 0 and "No change" in copied.stderr
    mine.write_text(mine.read_text().replace("chain-analysis", "chain analysis"))
    again = run_cli("--data-dir", str(data), "drafts", "edit", "1", "--file", str(mine))
    assert again.returncode == 0, again.stderr
    assert mine.exists() and not list(data.glob("edit-*"))


TITLED = (
    "Subjective. Mr. Ortiz reports sleeping better. Dr. Singh called about Mrs. Lee. "
    "Objective. Client J.T. seen today, calm. Assessment. Mood improving. Plan. Meet next week."
)


def test_cli_records_edit_logs_only_the_fields_that_changed(tmp_path: Path) -> None:
    data = tmp_path / "store"
    _save(data, TITLED, "soap")
    before = json.loads(run_cli("--data-dir", str(data), "drafts", "show", "1", "--json").stdout)["draft"]
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/Meet next week/Meet in two weeks/' \"$1\"\n")
    editor.chmod(0o700)
    done = run_cli("--data-dir", str(data), "drafts", "edit", "1", env={"EDITOR": str(editor), "VISUAL": ""})
    assert done.returncode == 0, done.stderr
    log = json.loads(run_cli("--data-dir", str(data), "audit", "log", "--json").stdout)
    assert [(e["action"], e["detail"]) for e in log[2:]] == [("edited", {"fields": ["plan"], "version": 2})]
    after = json.loads(run_cli("--data-dir", str(data), "drafts", "show", "1", "--json").stdout)["draft"]
    assert after["fields"][:3] == before["fields"][:3] and after["session"] == before["session"]


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
        (["notes", "list", "--client", "nobody"], "no client 'nobody'"),
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


def test_cli_records_audit_verify_checks_both_records(dictation: Dictation) -> None:
    _save_default(TEXT + " Private note. I noticed I rushed the ending again. End private note.")
    both = run_cli("audit", "verify")
    assert both.returncode == 0, both.stderr
    assert both.stdout.splitlines() == [
        "Clinical audit log intact: 1 entries.",
        "Private audit log intact: 1 entries.",
    ]
    with dictation.open_store() as store, store.database("private").write() as conn:
        # As an attacker with the file but not the audit key would: drop the trigger, empty the log.
        conn.execute("DROP TRIGGER audit_undeletable")
        conn.execute("DELETE FROM audit")
        conn.execute("DELETE FROM meta WHERE key = 'audit_head'")
    broken = run_cli("audit", "verify")
    assert broken.returncode == 4 and "Clinical audit log intact" in broken.stdout
    lines = broken.stderr.strip().splitlines()
    assert len(lines) == 1 and "private audit log" in lines[0] and "covers 0 of 1 drafts" in lines[0]
    assert run_cli("audit", "verify", "--private").returncode == 4
    clinical = run_cli("audit", "verify", "--clinical")
    assert clinical.returncode == 0 and clinical.stdout == "Clinical audit log intact: 1 entries.\n"


def _save_default(text: str) -> None:
    """Save a dictation into the user's own store (the data directory the settings name)."""
    done = run_cli("segment", "-", "-f", "birp", "--save", stdin=text)
    assert done.returncode == 0, done.stderr


def test_cli_records_damaged_draft_is_named_not_fatal(dictation: Dictation) -> None:
    draft = dictation.from_text(TEXT, "birp").draft
    damage = {1: "not json at all", 2: '{"format": "birp", "fields": [{"id": 7}]}'}  # 2: exited 2 before
    with dictation.open_store() as store:
        for _ in range(3):
            store.save_draft(draft)
        with store.database("clinical").write() as conn:
            # As an attacker (or a bad disk) would: lift the append-only trigger and rewrite revisions.
            conn.execute("DROP TRIGGER draft_revisions_append_only")
            for draft_id, content in damage.items():
                conn.execute("UPDATE draft_revisions SET content = ? WHERE draft_id = ?", (content, draft_id))
    listed = run_cli("drafts", "list")
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[0] for line in listed.stdout.splitlines()] == ["3"]
    assert [line.split(" is damaged")[0] for line in listed.stderr.splitlines()] == [
        "dictanote: warning: draft 1",
        "dictanote: warning: draft 2",
    ]
    as_json = run_cli("drafts", "list", "--json")
    assert as_json.returncode == 0 and [d["id"] for d in json.loads(as_json.stdout)] == [3]
    for draft_id, problem in ((1, "not JSON"), (2, "not a draft")):
        shown = run_cli("drafts", "show", str(draft_id))
        assert_one_line_error(shown, 4)
        assert f"draft {draft_id} in clinical.db is damaged" in shown.stderr and problem in shown.stderr
    assert run_cli("drafts", "show", "3").returncode == 0


LEAKY = TEXT + " Private note. I noticed strong countertransference anger. End private note."


def test_cli_records_private_words_saved_before_are_cut(dictation: Dictation) -> None:
    from dataclasses import replace

    from dictanote.core.policy import PRIVATE_CUT_MARK

    with dictation.open_store() as store:  # as the old segmenter saved: the whole transcript
        old = replace(dictation.from_text(LEAKY, "birp").draft, transcript=LEAKY)
        kept, signed = store.save_draft(old), store.save_draft(signable(store, old))
        note = store.finalize_draft(signed.id, expected_version=1, signed_by="A. Lee")
        store.amend_note(note.id, replace(old, private=None), reason="typo", signed_by="A. Lee")
        with store.database("clinical").write() as conn:
            conn.execute("DELETE FROM meta WHERE key = 'private_words_cut'")  # a store from before the fix
    draft = run_cli("drafts", "show", str(kept.id), "--json")
    shown = run_cli("notes", "show", str(note.id), "--json")
    for done in (draft, shown):
        assert done.returncode == 0, done.stderr
        assert "countertransference" not in done.stdout and PRIVATE_CUT_MARK in done.stdout
    private = run_cli("drafts", "show", str(kept.id), "--private", "--json")
    assert private.returncode == 0 and "countertransference" in private.stdout  # the private record keeps it
    verify = run_cli("audit", "verify")
    assert verify.returncode == 0, verify.stderr


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
HOSTILE = "Slept \x1b]0;pwned\x07 better \x1b[2J since \x9b31m Monday\x08\x08."
HOSTILE_CLIENT = "J\x1b]0;pwned\x07D\x1b[2J"


def test_cli_records_control_characters_never_reach_the_terminal(dictation: Dictation) -> None:
    from dictanote.app import DraftResult
    from dictanote.core.types import SessionInfo

    draft = make_draft(
        "soap", {"subjective": [HOSTILE], "plan": ["Meet \x07weekly."]}, session=SessionInfo(HOSTILE_CLIENT)
    )
    with dictation.open_store() as store:
        draft = signable(store, draft)
        signed, kept = (
            dictation.save(DraftResult(draft, dictation.format("soap"), ()), store=store) for _ in "ab"
        )
        note = store.finalize_draft(signed.id, expected_version=None, signed_by="A. \x1b[2JLee")
    dictated = f"Subjective. {HOSTILE} Plan. Meet weekly."
    commands = [
        ("drafts", "list"),
        ("drafts", "show", str(kept.id)),
        ("notes", "list"),
        ("notes", "show", str(note.id)),
        ("segment", "-"),
    ]
    runs = {
        " ".join(args + extra): run_cli(*args, *extra, stdin=dictated if args[0] == "segment" else None)
        for args in commands
        for extra in ((), ("--json",))
    }
    for name, done in runs.items():
        assert done.returncode == 0, (name, done.stderr)
        assert CONTROL.findall(done.stdout + done.stderr) == [], name
    assert "\\u001b]0;pwned\\u0007" in runs[f"drafts show {kept.id}"].stdout
    assert "J\\u001b]0;pwned" in runs["drafts list"].stdout
    shown = json.loads(runs[f"drafts show {kept.id} --json"].stdout)
    assert shown["draft"]["session"]["client"] == HOSTILE_CLIENT  # JSON's escapes lose nothing
    assert shown["draft"]["fields"][0]["sentences"][0]["text"] == HOSTILE


SESSION_SOAP = (
    "Client J.T. was seen today for a 50 minute individual session by video. "
    "Subjective. Client reports better sleep. Plan. Continue CBT."
)
STORED_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def test_cli_records_people_read_local_times_and_the_session_header(tmp_path: Path) -> None:
    data, zone = tmp_path / "store", {"TZ": "America/New_York"}
    _save(data, SESSION_SOAP, fmt="soap")
    done = run_cli(
        "--data-dir", str(data), "drafts", "finalize", "1", "--signed-by", "A. Lee", "--yes", env=zone
    )
    assert done.returncode == 0, done.stderr
    stored = json.loads(run_cli("--data-dir", str(data), "notes", "show", "1", "--json", env=zone).stdout)
    assert STORED_TIME.fullmatch(stored["finalized_at"]), "JSON keeps the stored UTC time"
    local = policy_local(stored["finalized_at"], ZoneInfo("America/New_York"))
    assert local.endswith((" EST", " EDT"))
    shown = run_cli("--data-dir", str(data), "notes", "show", "1", env=zone).stdout
    assert f"_Signed by A. Lee at {local}._" in shown
    assert "- Date of service:" in shown and "- Service: individual psychotherapy, 50 minutes" in shown
    listed = run_cli("--data-dir", str(data), "notes", "list", env=zone).stdout
    text = run_cli("--data-dir", str(data), "notes", "export", "1", "--as", "text", env=zone).stdout
    log = run_cli("--data-dir", str(data), "audit", "log", env=zone).stdout
    assert f"finalized {local} by A. Lee" in listed
    assert f"Signed by A. Lee on {local}." in text and "Service: individual psychotherapy, 50 minutes" in text
    assert " EST  " in log or " EDT  " in log
    for out in (shown, listed, text, log):
        assert not STORED_TIME.search(out), out


def policy_local(stored: str, zone: ZoneInfo) -> str:
    return (
        dt.datetime.fromisoformat(stored.replace("Z", "+00:00"))
        .astimezone(zone)
        .strftime("%Y-%m-%d %H:%M %Z")
    )


@pytest.mark.parametrize(
    ("command", "extra", "message"),
    [
        ("finalize", ["--signed-by", "A. Lee"], "not finalized: you answered no"),
        ("discard", [], "not discarded: you answered no"),
    ],
)
def test_cli_records_declined_confirmation_is_one_clear_line(
    tmp_path: Path, command: str, extra: list[str], message: str
) -> None:
    data = tmp_path / "store"
    _save(data)
    done = run_cli("--data-dir", str(data), "drafts", command, "1", *extra, stdin="n\n")
    assert done.returncode == NotConfirmedError.exit_code == 2, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.count("dictanote: error:") == 1
    assert f"dictanote: error: {message}" in done.stderr.strip().splitlines()[-1]
    assert done.stdout == ""
    listed = json.loads(run_cli("--data-dir", str(data), "drafts", "list", "--json").stdout)
    assert [d["id"] for d in listed] == [1], "nothing was changed"
