"""Goal suggestions (``check.goals``): a labelled table of sentences, each with the goal it must
suggest or None where it must suggest nothing (a sentence about sleep against a plan about work).

The table chose ``SUGGEST_MIN``: every row that must suggest scores at or above it, every row
that must not scores below it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from dictanote.check import GoalSuggestion, suggest_goals
from dictanote.check.goals import SUGGEST_MIN, content_stems, goal_score
from dictanote.core.plans import PlanContent, plan_from_text
from dictanote.core.types import Sentence
from tests.util import make_draft

PLAN_TEXT = """
[[goals]]
id = "G1"
text = "Reduce depressive symptoms"
[[goals]]
id = "G2"
text = "Return to work full time"
[[goals]]
id = "G3"
text = "Cut down drinking"
[[objectives]]
goal = "G1"
text = "PHQ-9 below 10 by 2027-03-31"
[[objectives]]
goal = "G2"
text = "Back at the office four days a week by March"
[[objectives]]
goal = "G3"
text = "No more than two alcoholic drinks on any evening"
"""
WORK_ONLY = """
[[goals]]
id = "W1"
text = "Return to work full time"
"""


def plan(text: str = PLAN_TEXT) -> PlanContent:
    """A plan as the clinician would write it."""
    return plan_from_text(text, dt.date(2026, 11, 30))[0]


# (sentence, the goal it must suggest or None, the plan: full or work only)
LABELLED = [
    ("PHQ-9 today was 14, down from 19.", "G1", "full"),
    ("Client reports feeling less depressed this week.", "G1", "full"),
    ("Depression lifting; mood brighter in the mornings.", "G1", "full"),
    ("She went back to her job two days this week.", "G2", "full"),
    ("Worked a full shift at the office on Monday.", "G2", "full"),
    ("Discussed returning to work after the holidays.", "G2", "full"),
    ("Drank three beers on Saturday.", "G3", "full"),
    ("Reports drinking only on weekends now.", "G3", "full"),
    ("Alcohol use down to two drinks an evening.", "G3", "full"),
    ("Sleeping about six hours most nights.", None, "full"),
    ("Sleep remains poor, waking at 4 am.", None, "work"),
    ("Client arrived on time and was well groomed.", None, "full"),
    ("Continue sessions weekly.", None, "full"),
    ("GAD-7 was 8.", None, "full"),
    ("Talked about her sister's visit.", None, "work"),
]


@pytest.mark.parametrize(("text", "expected", "which"), LABELLED)
def test_goals_suggest_from_the_labelled_table(text: str, expected: str | None, which: str) -> None:
    content = plan(PLAN_TEXT if which == "full" else WORK_ONLY)
    draft = make_draft("soap", {"subjective": [text]})
    found = suggest_goals(draft, content)
    assert [s.goal for s in found] == ([expected] if expected else [])
    best = max(goal_score(text, content, g.id) for g in content.goals)
    assert (best >= SUGGEST_MIN) == (expected is not None)  # the threshold separates the table


def test_goals_suggest_names_the_sentence_and_skips_linked_ones() -> None:
    content = plan()
    linked = Sentence("Less depressed overall.", "spoken_header", 1.0, goals=("G2",))
    draft = make_draft(
        "soap", {"subjective": ["Slept badly.", "PHQ-9 was 12."], "assessment": [linked, "Back at work."]}
    )
    found = suggest_goals(draft, content)
    assert [(s.field, s.index, s.goal) for s in found] == [("subjective", 1, "G1"), ("assessment", 1, "G2")]
    assert all(isinstance(s, GoalSuggestion) and s.score >= SUGGEST_MIN for s in found)
    assert suggest_goals(draft, replace(content, goals=())) == ()


@pytest.mark.parametrize(
    ("text", "stems"),
    [
        ("Depressed, depressive, depression", {"depress"}),
        ("The client reports sleeping", {"sleep"}),
        ("anxious and worried", {"anxiety"}),
    ],
)
def test_goals_content_stems_join_word_forms(text: str, stems: set[str]) -> None:
    assert content_stems(text) == stems
