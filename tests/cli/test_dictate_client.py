"""`--client` on `segment` and `draft` (`record`'s is in test_record.py): checked against the client list
before any audio is used; the draft's session names the client and the date and time of service."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from dictanote.app import Dictation
from tests.util import assert_one_line_error, run_cli, write_audio

NO_CLIENT = "no client 'nobody'; `dictanote clients list --all` shows them"


def _metadata(result: Any) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)["metadata"]
    return data


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def test_cli_dictate_client_segment_names_the_client_and_when(dictation: Dictation) -> None:
    with dictation.open_store() as store:
        store.add_client("mr-2", name="M.R.")
    before = _now()
    meta = _metadata(run_cli("segment", "--client", "MR-2", "--json", stdin="Subjective. Slept better."))
    assert meta["client_id"] == "mr-2"  # as the list spells it
    assert meta["date"] == before.strftime("%Y-%m-%d") and before.strftime("%H:%M") <= meta["time"]


@pytest.mark.parametrize(
    ("text", "date", "has_time"),
    [
        ("Subjective. Slept better.", "today", True),  # the date and time of service: now
        ("Session date November 20, 2026, telehealth. Subjective. Slept better.", "2026-11-20", False),
    ],
)
def test_cli_dictate_client_segment_without_client_defaults_the_date_only_where_none_was_said(
    text: str, date: str, has_time: bool
) -> None:
    today = _now().strftime("%Y-%m-%d")
    meta = _metadata(run_cli("segment", "--json", stdin=text))
    assert meta["client_id"] is None
    assert meta["date"] == (today if date == "today" else date)
    assert (meta["time"] is not None) is has_time


@pytest.mark.parametrize(
    "args",
    [
        ("segment", "-", "--client", "nobody"),
        ("segment", "-", "--client", "nobody", "--save"),
        # Checked before the audio is read or the model loaded: neither is good here.
        ("draft", "missing.flac", "--client", "nobody"),
        ("draft", "AUDIO", "--client", "nobody", "--model", "huge.en", "--save"),
    ],
)
def test_cli_dictate_client_unknown_client_exits_2_before_anything(
    dictation: Dictation, tmp_path: Path, args: tuple[str, ...]
) -> None:
    with dictation.open_store() as store:
        store.add_client("C1", name="M.R.")
    audio = str(write_audio(tmp_path / "a.wav"))
    result = run_cli(*(audio if a == "AUDIO" else a for a in args), stdin="Plan. Rest.")
    assert_one_line_error(result)
    assert NO_CLIENT in result.stderr
    with dictation.open_store() as store:
        assert store.list_drafts() == []


@pytest.mark.slow
def test_cli_dictate_client_draft_saves_the_client_and_when(dictation: Dictation) -> None:
    with dictation.open_store() as store:
        store.add_client("C1", name="M.R.")
    before = _now()
    done = run_cli("draft", "samples/soap-unheaded.flac", "--client", "c1", "--save")
    assert done.returncode == 0, done.stderr
    with dictation.open_store() as store:
        [saved] = store.list_drafts()
    session = saved.draft.session
    assert (session.client_id, session.date) == ("C1", before.strftime("%Y-%m-%d"))
    assert session.time is not None and session.time >= before.strftime("%H:%M")
