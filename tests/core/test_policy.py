"""The rules declared once in ``core.policy``: the documentation window, uncertainty, UTC times."""

from __future__ import annotations

import datetime as dt

import pytest

from dictanote.core import policy

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    ("hours", "state"),
    [
        (0.0, "ok"),
        (47.99, "ok"),
        (48.0, "due"),
        (71.99, "due"),
        (72.0, "due"),  # exactly at the window's end: still within it
        (72.01, "late"),
        (200.0, "late"),
    ],
)
def test_policy_timeliness_against_the_window(hours: float, state: str) -> None:
    assert policy.timeliness(hours) == state


@pytest.mark.parametrize(("confidence", "uncertain"), [(0.0, True), (0.59, True), (0.6, False), (1.0, False)])
def test_policy_low_confidence_is_shown(confidence: float, uncertain: bool) -> None:
    assert policy.is_uncertain(confidence) is uncertain


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-10T12:00:00Z", NOW),
        ("2026-03-10T12:00:00+00:00", NOW),
        ("2026-03-10T13:00:00+01:00", NOW),
        ("2026-03-10T12:00:00", NOW),  # naive times are stored UTC
        (" 2026-03-10T12:00:00Z ", NOW),
    ],
)
def test_policy_parse_utc_accepts_the_forms_we_ever_wrote(text: str, expected: dt.datetime) -> None:
    assert policy.parse_utc(text) == expected
    assert policy.parse_utc(text).tzinfo == dt.timezone.utc


def test_policy_parse_utc_refuses_non_times() -> None:
    with pytest.raises(ValueError):
        policy.parse_utc("yesterday")


def test_policy_format_utc_is_one_format() -> None:
    assert policy.format_utc(NOW) == "2026-03-10T12:00:00Z"
    assert policy.format_utc(NOW.astimezone(dt.timezone(dt.timedelta(hours=-5)))) == "2026-03-10T12:00:00Z"
    assert policy.format_utc(NOW.replace(tzinfo=None, microsecond=999)) == "2026-03-10T12:00:00Z"


def test_policy_utc_now_round_trips() -> None:
    text = policy.utc_now()
    assert text.endswith("Z") and policy.format_utc(policy.parse_utc(text)) == text


def test_policy_hours_since() -> None:
    assert policy.hours_since("2026-03-07T12:00:00Z", NOW) == 72.0
    assert policy.timeliness(policy.hours_since("2026-03-07T12:00:00Z", NOW)) == "due"


@pytest.mark.parametrize(
    ("stored", "zone", "shown"),
    [
        ("2026-11-29T19:09:17Z", "America/New_York", "2026-11-29 14:09 EST"),
        ("2026-07-04T19:09:17Z", "America/New_York", "2026-07-04 15:09 EDT"),
        ("2026-11-29T23:30:00Z", "Asia/Tokyo", "2026-11-30 08:30 JST"),
        ("2026-11-29T19:09:17Z", "UTC", "2026-11-29 19:09 UTC"),
        ("not a time", "UTC", "not a time"),
    ],
)
def test_policy_format_local_shows_stored_times_in_local_time(stored: str, zone: str, shown: str) -> None:
    from zoneinfo import ZoneInfo

    assert policy.format_local(stored, ZoneInfo(zone)) == shown


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-11-30", dt.date(2026, 11, 30)),
        (" 2027-03-01 ", dt.date(2027, 3, 1)),
        ("2026-13-01", None),  # no 13th month
        ("2026-11-3", None),
        ("20261130", None),  # fromisoformat alone would take it
        ("2026-11-30T09:00", None),
        ("30/11/2026", None),
    ],
)
def test_policy_iso_day_is_exactly_yyyy_mm_dd(text: str, day: dt.date | None) -> None:
    if day is None:
        with pytest.raises(ValueError):
            policy.iso_day(text)
    else:
        assert policy.iso_day(text) == day
