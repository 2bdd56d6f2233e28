"""Session facts from what was said (``segment.session``): duration, modality, date, measures, medications."""

from __future__ import annotations

import datetime as dt

import pytest

from dictanote.segment.rules import clinical_rules
from dictanote.segment.session import extract_session
from tests.util import segment_text


@pytest.mark.parametrize(
    ("text", "duration", "modality", "service", "date"),
    [
        (
            "Fifty-minute individual session by video.",
            50,
            "telehealth",
            "individual psychotherapy",
            None,
        ),
        (
            "Seen in the office for 53 minutes for an intake.",
            53,
            "in-person",
            "intake assessment",
            None,
        ),
        (
            "Family session on March 12th, forty five minutes, in person.",
            45,
            "in-person",
            "family therapy",
            "2026-03-12",
        ),
        ("Family session on December 12th.", None, None, "family therapy", "2025-12-12"),
        ("Phone check-in, half an hour, seen yesterday.", 30, "phone", None, "2026-11-22"),
        ("She has five minutes of panic each morning.", None, None, None, None),
        ("Client reports better sleep.", None, None, None, None),
    ],
)
def test_session_facts(
    text: str, duration: int | None, modality: str | None, service: str | None, date: str | None
) -> None:
    info = extract_session(text, session_date=dt.date(2026, 11, 23))
    assert (info.duration_minutes, info.modality, info.service_type, info.date) == (
        duration,
        modality,
        service,
        date,
    )


@pytest.mark.parametrize(
    ("text", "measures"),
    [
        ("PHQ-9 was 14, down from 19.", [("PHQ-9", 19, 14)]),
        ("GAD-7 went from fifteen to nine.", [("GAD-7", 15, 9)]),
        ("PCL-5 score is 38 today.", [("PCL-5", None, 38)]),
        (
            "Her PHQ-9 is twenty two and her GAD-7 is 12.",
            [("PHQ-9", None, 22), ("GAD-7", None, 12)],
        ),
        ("We will repeat the PHQ-9 next month.", []),
    ],
)
def test_session_measure_values(text: str, measures: list[tuple[str, int | None, int]]) -> None:
    info = extract_session(text, scales=clinical_rules().scales)
    assert [(m.name, m.from_, m.to) for m in info.measures] == measures


def test_session_medications_risk_and_client() -> None:
    draft = segment_text(
        "Session focus. Client J.T. seen for medication follow-up. Continue sertraline 100 milligrams "
        "and start prazosin one milligram at bedtime. Risk. Denies SI and HI, safety plan reviewed.",
        "progress",
    )
    info = draft.session
    assert info.client == "JT"
    assert [(m.name, m.dose) for m in info.medications] == [
        ("sertraline", "100 mg"),
        ("prazosin", "1 mg"),
    ]
    assert info.risk == ("Denies SI and HI, safety plan reviewed.",)
    assert "Denies SI and HI, safety plan reviewed." in draft.field("risk").text  # extracted, not removed
