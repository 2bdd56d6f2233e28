"""The shipped role classifier plus boost rules (``segment.roles``): clear phrasings get their role."""

from __future__ import annotations

import pytest

from dictanote.segment.roles import classify


@pytest.mark.parametrize(
    ("sentence", "role"),
    [
        ("I taught her paced breathing and we practiced it twice.", "intervention"),
        ("Denies suicidal ideation, intent or plan.", "risk_report"),
        ("Continue weekly CBT.", "plan"),
        ("PHQ-9 was 12 today, down from 17.", "measure"),
        ("Her goal is to return to work part time.", "goal"),
        ("She came in saying the week had been rough.", "client_report"),
        # written plans as bare imperatives; the past form is what was done in session
        ("Assign a worry log for the coming week.", "plan"),
        ("Practice the grounding exercise each morning.", "plan"),
        ("Practiced the grounding exercise with him in session.", "intervention"),
        ("Client discussed tension with her roommate over chores.", "client_report"),
        ("His posture was slumped and his grooming poor.", "observation"),
        # the written, telegraphic style of real clinical notes (issue 14): an identifying
        # opening, medications, family and social history are history; exam findings are
        # observed; DSM axis lines and bare diagnoses are the assessment
        (
            "This is a 44-year-old man with schizoaffective disorder who was brought in by his sister "
            "after a week without sleep.",
            "client_report",
        ),
        (
            "The patient is a 67-year-old retired mechanic seen for follow-up of his diabetes.",
            "client_report",
        ),
        ("He takes quetiapine 200 mg at bedtime and valproate 500 mg twice a day.", "client_report"),
        ("Father drank heavily and an older sister has been treated for depression.", "client_report"),
        ("Lives with her partner and works nights at a warehouse.", "client_report"),
        ("Smokes a pack a day for twenty years.", "client_report"),
        ("Breath sounds clear in all fields.", "observation"),
        ("Resting comfortably on the exam table, in no distress.", "observation"),
        ("Thought content: no suicidal or homicidal ideation voiced.", "observation"),
        ("Axis IV: housing instability and recent job loss.", "assessment"),
        ("Hypothyroidism, stable on replacement.", "assessment"),
        ("Follow up with neurology as scheduled.", "plan"),
    ],
)
def test_roles_for_clear_phrasing(sentence: str, role: str) -> None:
    probs = classify([sentence])[0]
    assert max(probs, key=probs.__getitem__) == role
    assert sum(probs.values()) == pytest.approx(1.0)
