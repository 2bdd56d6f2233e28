"""`dictanote drafts client` as a user types it: a draft gets its client and date of service, then signs."""

from __future__ import annotations

import json

import pytest

from dictanote.app import Dictation
from tests.util import assert_one_line_error, make_draft, run_cli

SIGN = ("--yes", "--signed-by", "J. Rivera, LCSW")


def _version(draft_id: str = "1") -> tuple[int, dict[str, object]]:
    shown = run_cli("drafts", "show", draft_id, "--json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    return data["version"], data["draft"]["session"]


def test_cli_drafts_client_then_finalize_signs(dictation: Dictation) -> None:
    with dictation.open_store() as store:
        store.add_client("C1", name="M.R.")
        store.add_client("C2", name="M.R.")
        store.save_draft(make_draft("soap", {"subjective": ["Slept better."], "plan": ["Meet weekly."]}))
    refused = run_cli("drafts", "finalize", "1", *SIGN)
    assert refused.returncode == 2 and refused.stdout == "", refused.stderr
    assert refused.stderr == (  # one line, before the checks' warnings
        "dictanote: error: draft 1 names no client: choose one (`dictanote drafts client ID CLIENT`, "
        "or on the review page)\n"
    )
    assert _version()[0] == 1  # the draft is unchanged

    done = run_cli("drafts", "client", "1", "c2", "--date", "2026-11-20", "--time", "9:05")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Draft 1: client C2, 2026-11-20 09:05 (version 2).\n"
    version, session = _version()
    assert (version, session["client_id"], session["date"], session["time"]) == (
        2,
        "C2",
        "2026-11-20",
        "09:05",
    )

    signed = run_cli("drafts", "finalize", "1", *SIGN)
    assert signed.returncode == 0, signed.stderr
    assert signed.stdout == "Finalized draft 1 as note 1.\n"
    with dictation.open_store() as store:
        [note] = store.list_notes(client="C2")
        assert (note.content.session.date, note.content.session.time) == ("2026-11-20", "09:05")
        assert store.list_notes(client="C1") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("1", "nobody"), "no client 'nobody'; `dictanote clients list --all` shows them"),
        (("1", "C1", "--date", "2026-02-30"), "a date of service is a date as YYYY-MM-DD"),
        (("1", "C1", "--date", "2999-01-01"), "is in the future"),
        (("1", "C1", "--time", "25:00"), "a time of service is HH:MM"),
        (("7", "C1"), "draft 7"),
    ],
)
def test_cli_drafts_client_refuses_bad_input_in_one_line(
    dictation: Dictation, args: tuple[str, ...], message: str
) -> None:
    with dictation.open_store() as store:
        store.add_client("C1", name="A.B.")
        store.save_draft(make_draft("soap", {"plan": ["Meet next week."]}))
    result = run_cli("drafts", "client", *args)
    assert_one_line_error(result)
    assert message in result.stderr
    version, session = _version()
    assert (version, session["client_id"]) == (1, None)
