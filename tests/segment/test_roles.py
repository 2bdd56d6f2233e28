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
    ],
)
def test_roles_for_clear_phrasing(sentence: str, role: str) -> None:
    probs = classify([sentence])[0]
    assert max(probs, key=probs.__getitem__) == role
    assert sum(probs.values()) == pytest.approx(1.0)
