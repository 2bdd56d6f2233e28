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
        ("PHQ-9-12 today.", [("PHQ-9", None, 12)]),  # tiny.en's hyphen for "PHQ-9, 12"
        ("PHQ-9-A was given.", []),  # another scale, not a score
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


# issue 15: did the session happen? Only from a clause about this session; never history, counts,
# policies or conditions (precision first: a wrong fact is worse than a missing one).
@pytest.mark.parametrize(
    ("text", "attendance", "reason"),
    [
        ("No-show, no call. Left a voicemail at 10:15.", "no-show", None),
        ("No call no show.", "no-show", None),
        ("Client was a no-show today.", "no-show", None),
        ("Client J.T. no-showed.", "no-show", None),
        ("Client did not show for the appointment.", "no-show", None),
        ("She didn't show up today.", "no-show", None),
        ("Client did not attend the 2 pm session.", "no-show", None),
        ("Late cancel.", "late-cancel", None),
        ("Late cancellation, client texted that her car broke down.", "late-cancel", "her car broke down"),
        ("Client cancelled less than 24 hours before the session.", "late-cancel", None),
        ("Same-day cancellation, she had the flu.", "late-cancel", None),  # no "because": no reason
        ("Client cancelled because of a sick child.", "cancelled", "a sick child"),
        ("Session cancelled.", "cancelled", None),
        ("Canceled by the clinic due to the snowstorm.", "cancelled", "the snowstorm"),
        ("The 3 pm appointment was cancelled by the clinician.", "cancelled", None),
        ("Client called at 8 to cancel.", "cancelled", None),
        # history, counts, conditions and other people: never this session's attendance
        ("She missed two sessions last month.", None, None),
        ("She has had no-shows in the past.", None, None),
        ("If she doesn't show up, we will send a letter.", None, None),
        ("Her last session was a no-show.", None, None),
        ("Reviewed the late cancellation policy.", None, None),
        ("Discussed the no-show fee.", None, None),
        ("She cancelled plans with friends because she felt anxious.", None, None),
        ("She cancelled her dentist appointment.", None, None),
        ("He did not show any signs of distress.", None, None),
        ("She did not show up to school on Monday.", None, None),
        ("Her mother did not attend the family session.", None, None),
        ("She was worried she would be a no-show.", None, None),
        ("This is her third no-show.", None, None),
        ("Client attended and engaged well.", None, None),
        ("Client no-showed again today.", "no-show", None),
        ("She can't afford another no-show.", None, None),
        # said two ways: in doubt, empty
        ("Client no-show. Session cancelled by the clinic.", None, None),
        # a run-on Whisper left with commas: what comes next is said after the no-show, not about it
        ("No show, no call, left a voicemail, will call again tomorrow.", "no-show", None),
        ("Late cancel, will reschedule for next week.", "late-cancel", None),
        ("Client was a no-show last week, seen today.", None, None),
        ("She would have been a no-show, but came late.", None, None),
    ],
)
def test_session_attendance_only_about_this_session(
    text: str, attendance: str | None, reason: str | None
) -> None:
    info = extract_session(text)
    assert (info.attendance, info.attendance_reason) == (attendance, reason)
