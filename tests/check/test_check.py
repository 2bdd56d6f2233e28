"""Documentation checks: examples that must fire, and near-misses that must not."""

from __future__ import annotations

import pytest

from dictanote.app import Dictation
from dictanote.check import check_draft, finding_codes
from dictanote.core.config import Config

GOOD_BIRP = (
    "Behavior. Fifty minute individual session by video on March 3rd. Client reports poor sleep. "
    "Intervention. I used cognitive restructuring on her belief that she will be fired. "
    "Response. She identified two distortions and rated her anxiety lower. "
    "Plan. Continue weekly CBT. Denies SI and HI."
)


def _codes(config: Config, text: str, format_id: str = "birp", previous: str | None = None) -> set[str]:
    result = Dictation(config).from_text(text, format_id, previous=previous)
    return {f.code for f in result.findings}


def test_check_good_note_has_no_warnings(config: Config) -> None:
    result = Dictation(config).from_text(GOOD_BIRP, "birp")
    assert [f for f in result.findings if f.severity != "info"] == []


@pytest.mark.parametrize(
    ("format_id", "text", "code"),
    [
        (
            "birp",
            GOOD_BIRP.replace("Response. She identified two distortions and rated her anxiety lower. ", ""),
            "field-empty",
        ),
        (
            "birp",
            GOOD_BIRP.replace(
                "I used cognitive restructuring on her belief that she will be fired.", "Discussed feelings."
            ),
            "vague-intervention",
        ),
        (
            "soap",
            "Subjective. Client was upset. Plan. Provided support and processed feelings.",
            "vague-intervention",
        ),
        (
            "birp",
            "Behavior. Calm. Intervention. I taught paced breathing. Plan. Weekly.",
            "no-client-response",
        ),
        (
            "soap",
            "Subjective. She reported thoughts of killing herself this week. Plan. Weekly sessions.",
            "risk-unaddressed",
        ),
        ("soap", "Subjective. Feels better. Plan. Weekly sessions.", "no-risk-statement"),
        ("soap", "Objective. PHQ-9 was 31 today. Plan. Weekly.", "measure-out-of-range"),
        ("soap", "Objective. PHQ-9 was 12, item 9 was 1. Plan. Weekly.", "phq9-item9-unaddressed"),
        (
            "progress",
            "Session focus. Twenty minute individual session by video, billed as 90837. Plan. Weekly.",
            "duration-inconsistent",
        ),
        ("soap", "Assessment. She always catastrophizes. Plan. Weekly.", "absolute-language"),
        ("soap", "Assessment. I think she is improving. Plan. Weekly.", "hedge-language"),
        (
            "soap",
            "Subjective. Client said I just want to sleep all day. Plan. Weekly.",
            "unquoted-client-words",
        ),
        (
            "soap",
            "Assessment. Improving. I noticed my own countertransference when she cried. Plan. Weekly.",
            "process-in-record",
        ),
        (
            "soap",
            "Plan. Weekly. Private note. She is on sertraline 100 milligrams for major depressive disorder. End private note.",
            "record-in-private",
        ),
        ("progress", "Session focus. Intake by phone.", "session-facts-missing"),
    ],
)
def test_check_fires(config: Config, format_id: str, text: str, code: str) -> None:
    assert code in _codes(config, text, format_id)


@pytest.mark.parametrize(
    ("format_id", "text", "code"),
    [
        ("soap", "Subjective. Client denies SI/HI. Plan. Weekly.", "risk-unaddressed"),
        ("soap", "Subjective. Client denies SI/HI. Plan. Weekly.", "no-risk-statement"),
        (
            "soap",
            "Subjective. Passive SI this week, no plan or intent; safety plan reviewed. Plan. Weekly.",
            "risk-unaddressed",
        ),
        ("soap", 'Subjective. She said "I never missed a dose." Plan. Weekly.', "absolute-language"),
        ("soap", "Subjective. She says she never misses a dose. Plan. Weekly.", "absolute-language"),
        (
            "soap",
            "Objective. We discussed the CBT triangle using her own example. Plan. Weekly.",
            "vague-intervention",
        ),
        ("dap", "Data. Client discussed stress at work. Plan. Weekly.", "vague-intervention"),
        ("soap", "Objective. PHQ-9 was 27 today. Plan. Weekly.", "measure-out-of-range"),
        (
            "progress",
            "Session focus. Sixty minute individual session by video, billed as 90837.",
            "duration-inconsistent",
        ),
        ("soap", 'Subjective. She said "I felt abandoned by my father." Plan. Weekly.', "process-in-record"),
        (
            "soap",
            'Subjective. Client said "I just want to sleep all day." Plan. Weekly.',
            "unquoted-client-words",
        ),
        ("soap", "Subjective. She said that I was helpful. Plan. Weekly.", "unquoted-client-words"),
        (
            "soap",
            "Plan. Weekly. Private note. I felt protective of her, like with my sister. End private note.",
            "record-in-private",
        ),
        ("soap", "Plan. Weekly. Private note. I think I rushed her. End private note.", "hedge-language"),
        (
            "soap",
            "Objective. PHQ-9 was 12, item 9 was 1. Assessment. Passive thoughts, no plan or intent, low risk. Plan. Safety plan reviewed.",
            "phq9-item9-unaddressed",
        ),
        (
            "progress",
            "Session focus. Fifty minute individual session by video on March 3rd.",
            "session-facts-missing",
        ),
        (
            "birp",
            "Behavior. Calm. Intervention. I taught paced breathing. Response. She practiced it twice.",
            "no-client-response",
        ),
        ("birp", GOOD_BIRP, "field-empty"),
    ],
)
def test_check_near_misses_stay_quiet(config: Config, format_id: str, text: str, code: str) -> None:
    assert code not in _codes(config, text, format_id)


def test_check_copied_forward(config: Config) -> None:
    def copied(text: str) -> set[str | None]:
        result = Dictation(config).from_text(text, "birp", previous=GOOD_BIRP)
        return {f.field for f in result.findings if f.code == "copied-forward"}

    assert copied(GOOD_BIRP) == {"behavior", "intervention", "response"}
    fresh = GOOD_BIRP.replace(
        "Client reports poor sleep.", "Slept seven hours most nights and went back to the gym twice."
    )
    assert "behavior" not in copied(fresh)


def test_check_findings_carry_spans_and_known_codes(config: Config) -> None:
    text = "Subjective. She reported thoughts of killing herself this week. Plan. Weekly sessions."
    result = Dictation(config).from_text(text, "soap")
    risk = next(f for f in result.findings if f.code == "risk-unaddressed")
    start, end = risk.span  # type: ignore[misc]
    assert "killing herself" in result.draft.transcript[start:end]
    assert {f.code for f in result.findings} <= set(finding_codes())


def test_check_never_changes_the_draft(config: Config) -> None:
    result = Dictation(config).from_text(GOOD_BIRP, "birp")
    assert check_draft(result.draft, result.format) == result.findings
    assert result.draft == Dictation(config).from_text(GOOD_BIRP, "birp").draft


@pytest.mark.parametrize(
    ("hours", "code", "severity"),
    [
        (1.0, None, None),
        (47.9, None, None),
        (50.0, "documentation-due", "info"),
        (71.9, "documentation-due", "info"),
        (73.0, "documentation-late", "warning"),
        (200.0, "documentation-late", "warning"),
    ],
)
def test_check_timeliness_against_the_72_hour_window(
    config: Config, hours: float, code: str | None, severity: str | None
) -> None:
    from dictanote.check import CheckOptions

    result = Dictation(config).from_text(GOOD_BIRP, "birp")
    found = [
        (f.code, f.severity)
        for f in check_draft(result.draft, result.format, CheckOptions(age_hours=hours))
        if f.code.startswith("documentation-")
    ]
    assert found == ([(code, severity)] if code else [])


def test_check_stored_draft_knows_its_age(config: Config) -> None:
    from datetime import datetime, timedelta, timezone

    from dictanote.app import Dictation

    stored = Dictation(config).save(Dictation(config).from_text(GOOD_BIRP, "birp"))
    created = datetime.strptime(stored.created_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    codes = {f.code for f in Dictation(config).findings(stored, now=created + timedelta(hours=80))}
    assert "documentation-late" in codes
    assert "documentation-late" not in {f.code for f in Dictation(config).findings(stored)}
