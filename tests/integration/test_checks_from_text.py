"""From dictated text to findings: the segmenter, its model and the checks together (``Dictation``).

The checks' own cases are in ``tests/check/`` on hand-built drafts; these few keep
the real path covered (what the segmenter places, normalizes and extracts is what
the checks read).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from dictanote.app import Dictation
from dictanote.check import check_draft, finding_codes
from dictanote.core.policy import parse_utc

GOOD_BIRP = (
    "Behavior. Fifty minute individual session by video on March 3rd. Client reports poor sleep. "
    "Intervention. I used cognitive restructuring on her belief that she will be fired. "
    "Response. She identified two distortions and rated her anxiety lower. "
    "Plan. Continue weekly CBT. Denies SI and HI."
)


def _codes(dictation: Dictation, text: str, format_id: str) -> set[str]:
    return {f.code for f in dictation.from_text(text, format_id).findings}


def test_checks_from_text_good_note_has_no_warnings(dictation: Dictation) -> None:
    assert [f for f in dictation.from_text(GOOD_BIRP, "birp").findings if f.severity != "info"] == []


@pytest.mark.parametrize(
    ("format_id", "text", "code"),
    [
        (
            "birp",
            GOOD_BIRP.replace(
                "I used cognitive restructuring on her belief that she will be fired.", "Discussed feelings."
            ),
            "vague-intervention",
        ),
        (
            "soap",
            "Subjective. She reported thoughts of killing herself this week. Plan. Weekly sessions.",
            "risk-unaddressed",
        ),
        ("soap", "Objective. PHQ-9 was 31 today. Plan. Weekly.", "measure-out-of-range"),
        (
            "progress",
            "Session focus. Twenty minute individual session by video, billed as 90837. Plan. Weekly.",
            "duration-inconsistent",
        ),
        (
            "soap",
            "Plan. Weekly. Private note. She is on sertraline 100 milligrams for major depressive disorder. End private note.",
            "record-in-private",
        ),
        ("progress", "Session focus. Intake by phone.", "session-facts-missing"),
    ],
)
def test_checks_from_text_fire(dictation: Dictation, format_id: str, text: str, code: str) -> None:
    assert code in _codes(dictation, text, format_id)


@pytest.mark.parametrize(
    ("format_id", "text", "code"),
    [
        # "S I" and "H I" as Whisper writes them: normalized to a denial the risk check reads
        ("soap", "Subjective. Client denies S I and H I. Plan. Weekly.", "no-risk-statement"),
        (
            "soap",
            'Subjective. Client said "I just want to sleep all day." Plan. Weekly.',
            "unquoted-client-words",
        ),
        (
            "soap",
            "Plan. Weekly. Private note. I felt protective of her, like with my sister. End private note.",
            "process-in-record",
        ),
        (
            "progress",
            "Session focus. Fifty minute individual session by video on March 3rd.",
            "session-facts-missing",
        ),
    ],
)
def test_checks_from_text_near_misses_stay_quiet(
    dictation: Dictation, format_id: str, text: str, code: str
) -> None:
    assert code not in _codes(dictation, text, format_id)


def test_checks_from_text_findings_carry_spans_into_the_transcript(dictation: Dictation) -> None:
    text = "Subjective. She reported thoughts of killing herself this week. Plan. Weekly sessions."
    result = dictation.from_text(text, "soap")
    risk = next(f for f in result.findings if f.code == "risk-unaddressed")
    start, end = risk.span  # type: ignore[misc]
    assert "killing herself" in result.draft.transcript[start:end]
    assert {f.code for f in result.findings} <= set(finding_codes())


def test_checks_from_text_are_the_checks_of_the_draft(dictation: Dictation) -> None:
    result = dictation.from_text(GOOD_BIRP, "birp")
    assert check_draft(result.draft, result.format) == result.findings
    assert result.draft == dictation.from_text(GOOD_BIRP, "birp").draft


def test_checks_from_text_copied_forward_from_the_previous_note(dictation: Dictation) -> None:
    def copied(text: str) -> set[str | None]:
        result = dictation.from_text(text, "birp", previous=GOOD_BIRP)
        return {f.field for f in result.findings if f.code == "copied-forward"}

    assert copied(GOOD_BIRP) == {"behavior", "intervention", "response"}
    fresh = GOOD_BIRP.replace(
        "Client reports poor sleep.", "Slept seven hours most nights and went back to the gym twice."
    )
    assert "behavior" not in copied(fresh)


def test_checks_from_text_stored_draft_knows_its_age(dictation: Dictation) -> None:
    stored = dictation.save(dictation.from_text(GOOD_BIRP, "birp"))
    created = parse_utc(stored.created_at)
    assert "documentation-late" in {
        f.code for f in dictation.findings(stored, now=created + timedelta(hours=80))
    }
    at_72 = {f.code for f in dictation.findings(stored, now=created + timedelta(hours=72))}
    assert "documentation-due" in at_72 and "documentation-late" not in at_72
    assert "documentation-late" not in {f.code for f in dictation.findings(stored)}
