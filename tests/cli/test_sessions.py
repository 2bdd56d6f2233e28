"""`dictanote sessions noshow|list` as a user types them, against a real store (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.util import assert_one_line_error, run_cli


def _cli(data: Path, *args: str, stdin: str | None = None) -> Any:
    done = run_cli("--data-dir", str(data), *args, stdin=stdin)
    assert done.returncode == 0, done.stderr
    return done


def _json(data: Path, *args: str, stdin: str | None = None) -> Any:
    return json.loads(_cli(data, *args, "--json", stdin=stdin).stdout)


def test_sessions_noshow_typed_saved_signed_and_listed(tmp_path: Path) -> None:
    data = tmp_path / "store"
    _cli(data, "clients", "add", "C1", "--name", "M.R.")
    _cli(data, "clients", "add", "C2", "--name", "M.R.")
    typed = _cli(
        data, "sessions", "noshow", "c1", "--kind", "late-cancel", "--reason", "sick child",
        "--date", "2026-11-20", "--time", "9:30", "--note", "Left a voicemail. Rescheduled for Monday.",
    )  # fmt: skip
    assert typed.stdout.strip() == "Draft 1 (late-cancel) saved in the inbox."
    shown = _json(data, "drafts", "show", "1")
    session = shown["draft"]["session"]
    assert (session["client_id"], session["attendance"], session["attendance_reason"]) == (
        "C1",
        "late-cancel",
        "sick child",
    )
    assert (session["date"], session["time"]) == ("2026-11-20", "09:30")
    signed = _cli(data, "drafts", "finalize", "1", "--yes", "--signed-by", "A. Lee, LCSW")
    assert "as note 1" in signed.stdout
    note = _cli(data, "notes", "show", "1").stdout
    assert note.startswith("# No-show note")
    exported = _cli(data, "notes", "export", "1", "--as", "text").stdout
    assert "Session did not happen: late cancellation (reason: sick child)" in exported

    # Dictated: asked as SOAP, drafted as a no-show note with its attendance.
    dictated = _json(data, "segment", "--format", "soap", "--client", "C2", "--save", stdin=NO_SHOW_TEXT)
    assert (dictated["format"], dictated["metadata"]["attendance"]) == ("noshow", "no-show")
    assert dictated["fields"]["attendance"]["text"] == "No-show, no call."
    assert "format-switched-no-show" in {f["code"] for f in dictated["findings"]}
    _cli(
        data, "segment", "--format", "soap", "--client", "C2", "--save", stdin="Client reports better sleep."
    )

    rows = _json(data, "sessions", "list")
    assert [
        (r["date"], r["client_id"], r["format"], r["attendance"], r["kind"], r["status"]) for r in rows
    ] == [
        ("2026-11-20", "C1", "noshow", "late-cancel", "note", "signed"),
        (rows[1]["date"], "C2", "noshow", "no-show", "draft", "in inbox"),
        (rows[2]["date"], "C2", "soap", "attended", "draft", "in inbox"),
    ]
    assert [r["client_id"] for r in _json(data, "sessions", "list", "--client", "C1")] == ["C1"]
    lines = _cli(data, "sessions", "list").stdout.splitlines()
    assert len(lines) == 3 and "late-cancel" in lines[0] and "attended" in lines[2]
    assert "sick child" not in "\n".join(lines)  # ids, dates and formats only; never what was written


NO_SHOW_TEXT = "No-show, no call. Left a voicemail."


# One store for the table: each refusal is one subprocess, and nothing of any of them is saved.
BAD_INPUT = [
    (("noshow", "nobody", "--kind", "no-show"), "no client 'nobody'"),
    (("noshow", "C1", "--kind", "attended"), "'--kind'"),
    (("noshow", "C1"), "--kind"),
    (("noshow", "C1", "--kind", "no-show", "--date", "2026-02-30"), "YYYY-MM-DD"),
    (("noshow", "C1", "--kind", "no-show", "--time", "noon"), "HH:MM"),
    (("list", "--client", "nobody"), "no client 'nobody'"),
]


def test_sessions_bad_input_is_one_line_and_saves_nothing(tmp_path: Path) -> None:
    data = tmp_path / "store"
    _cli(data, "clients", "add", "C1", "--name", "M.R.")
    for args, message in BAD_INPUT:
        done = run_cli("--data-dir", str(data), "sessions", *args)
        assert_one_line_error(done)
        assert message in done.stderr, args
    assert _json(data, "sessions", "list") == []
