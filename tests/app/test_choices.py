"""Matching the spoken initials against the client list (never choosing), and "did the session happen?"."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dictanote.app.choices import check_attendance, check_reason, client_choices, client_matches
from dictanote.core.errors import BadInputError
from dictanote.core.types import Client


def _client(key: int, cid: str, name: str) -> Client:
    return Client(key, cid, name, None, None, False, True, "2026-11-01T09:00:00Z", "2026-11-01T09:00:00Z")


CLIENTS = [
    _client(1, "mr-1", "M.R."),
    _client(2, "AB", "A.B."),
    _client(3, "mr-2", "Maria Rossi"),
    _client(4, "mjr", "Mary-Jane Roe"),
    _client(5, "mrx", "Mr X"),
]


@pytest.mark.parametrize(
    ("spoken", "expected"),
    [
        ("M.R.", ["mr-1", "mr-2"]),  # initials as written, and the initials of a full name, in list order
        ("mr", ["mr-1", "mr-2"]),
        ("M R", ["mr-1", "mr-2"]),
        ("m. r", ["mr-1", "mr-2"]),
        ("A.B.", ["AB"]),
        ("MJR", ["mjr"]),
        ("MX", ["mrx"]),
        ("mrx", ["mrx"]),  # the name's letters
        ("Z.Z.", []),
        ("", []),
        (None, []),
        ("..", []),
    ],
)
def test_choices_client_matches(spoken: str | None, expected: list[str]) -> None:
    assert [c.id for c in client_matches(spoken, CLIENTS)] == expected


def test_choices_client_choices_matches_first_then_every_other_client_once() -> None:
    matched, others = client_choices("M.R.", CLIENTS)
    assert [c.id for c in matched] == ["mr-1", "mr-2"]
    assert [c.id for c in others] == ["AB", "mjr", "mrx"]
    assert client_choices(None, CLIENTS) == ([], CLIENTS)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("attended", "attended"),
        ("no-show", "no-show"),
        ("late-cancel", "late-cancel"),
        ("", None),
        (None, None),
    ],
)
def test_choices_check_attendance_takes_the_policy_answers(given: str | None, expected: str | None) -> None:
    assert check_attendance(given) == expected


@pytest.mark.parametrize(
    ("check", "given", "message"),
    [
        (check_attendance, "maybe", "not one of: attended, no-show, late-cancel, cancelled"),
        (check_attendance, 3, "must be text"),
        (check_reason, "x" * 301, "at most 300 characters"),
    ],
)
def test_choices_checks_refuse_in_one_line(
    check: Callable[[object], str | None], given: object, message: str
) -> None:
    with pytest.raises(BadInputError) as caught:
        check(given)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_choices_check_reason_is_one_line() -> None:
    assert check_reason("  no call,\n left a  voicemail ") == "no call, left a voicemail"
