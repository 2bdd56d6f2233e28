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
        # issue 14: a date said with its year keeps that year
        ("Individual session on March 3rd, 2025.", None, None, "individual psychotherapy", "2025-03-03"),
        ("Session on March third, twenty twenty five.", None, None, None, "2025-03-03"),
        ("Date of service November 2nd 2024, by video.", None, "telehealth", None, "2024-11-02"),
        # "intake" in history is not this session's service type
        ("PHQ-9 is 11 today, down from 17 at intake.", None, None, None, None),
        ("She has come every week since her intake in May.", None, None, None, None),
        ("Seen for her intake assessment, sixty minutes.", 60, None, "intake assessment", None),
        # modality words said about something else
        ("She uses a phone reminder for her medication.", None, None, None, None),
        ("She has the crisis line number in her phone.", None, None, None, None),
        ("He talks to his brother by video every Sunday.", None, None, None, None),
        ("She would rather see her mother in person.", None, None, None, None),
        ("We will switch to video sessions next month.", None, None, None, None),
        (
            "Attends group therapy on Tuesdays and is referred for medication management.",
            None,
            None,
            None,
            None,
        ),
        # durations: a misheard "forty-five" is left empty, never read as 5
        ("Four to five minute session by phone.", None, "phone", None, None),
        ("Session was four to five minutes.", None, None, None, None),
        ("Fifty-three minute session in the office.", 53, "in-person", None, None),
        ("Session length 45 min.", 45, None, None, None),
        ("Met for an hour and a half by Zoom.", 90, "telehealth", None, None),
        ("She spent twenty minutes on the phone with her sister.", None, None, None, None),
        ("She was ten minutes late to the session.", None, None, None, None),
        ("Her next appointment is on March 20th, in person.", None, None, None, None),
        ("I met with her one-on-one for 25 minutes.", 25, None, None, None),
        ("His home visit was cancelled by the staff.", None, None, None, None),
        ("Homework is a daily 10-minute check-in with her journal.", None, None, None, None),
        ("I saw her at home for 40 minutes.", 40, "home visit", None, None),
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


@pytest.mark.parametrize(
    ("text", "client"),
    [
        ("Client J.T. seen today.", "J.T."),
        ("Client initials RM, seen by video.", "RM"),
        ("Client, SI denied.", None),  # issue 14: a risk acronym is not the client's initials
        ("Patient HI none.", None),
        ("Client PHQ-9 is 12.", None),
        ("Client ACT team came to the visit.", None),
    ],
)
def test_session_client_initials_never_an_acronym(text: str, client: str | None) -> None:
    assert extract_session(text).client == client


def test_session_medications_risk_and_client() -> None:
    draft = segment_text(
        "Session focus. Client J.T. seen for medication follow-up. Continue sertraline 100 milligrams "
        "and start prazosin one milligram at bedtime. Risk. Denies SI and HI, safety plan reviewed.",
        "progress",
    )
    info = draft.session
    assert info.client == "J.T."  # initials as spoken (issue 16)
    assert [(m.name, m.dose) for m in info.medications] == [
        ("sertraline", "100 mg"),
        ("prazosin", "1 mg"),
    ]
    assert info.risk == ("Denies SI and HI, safety plan reviewed.",)
    assert "Denies SI and HI, safety plan reviewed." in draft.field("risk").text  # extracted, not removed
