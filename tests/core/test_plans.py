"""``core.plans``: reading an objective's words, and the plan's text checked and written back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dictanote.core.errors import BadInputError
from dictanote.core.plans import (
    Goal,
    PlanContent,
    TreatmentPlan,
    plan_from_text,
    plan_to_text,
    read_objective,
    severity_band,
)

TODAY = dt.date(2026, 11, 30)
PLAN = """\
reason = "first session"
review_date = "2027-03-01"

[[problems]]
id = "P1"
text = "Depressed mood"

[[goals]]
id = "G1"
problem = "P1"
text = "Sleep through the night"

[[goals]]
id = "G2"
text = "Return to work"

[[objectives]]
goal = "g1"
text = "PHQ-9 below 10 by March"

[[objectives]]
id = "walk"
goal = "G2"
text = "Walk to the office twice a week"
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "PHQ-9 below 10 by March",
            {"measure": "PHQ-9", "direction": "below", "target": 10, "by": "2027-03-31"},
        ),
        (
            "GAD-7 under 8 by 2027-01-15",
            {"measure": "GAD-7", "direction": "below", "target": 8, "by": "2027-01-15"},
        ),
        ("phq 9 less than 5", {"measure": "PHQ-9", "direction": "below", "target": 5}),
        (
            "PHQ9 at least 3 by mar 2028",
            {"measure": "PHQ-9", "direction": "above", "target": 3, "by": "2028-03-31"},
        ),
        ("GAD-7 is 12 now; target below 8", {"measure": "GAD-7", "direction": "below", "target": 8}),
        ("PCL-5", {"measure": "PCL-5"}),
        # nothing guessed: no measure, no target without one, no day that is not a month
        ("Sleep through the night most nights", {}),
        ("below 10", {}),
        ("Walk daily by Friday", {}),
        ("by the end of March", {}),
        ("PHQ-9 below 10 by March 0000", {"measure": "PHQ-9", "direction": "below", "target": 10}),
    ],
)
def test_plans_read_objective(text: str, expected: dict[str, Any]) -> None:
    assert read_objective(text, TODAY) == expected


@pytest.mark.parametrize(
    ("today", "said", "by"),
    [
        (dt.date(2026, 11, 30), "March", "2027-03-31"),  # said in November: next year's March
        (dt.date(2026, 2, 10), "March", "2026-03-31"),
        (dt.date(2026, 3, 15), "March", "2026-03-31"),  # this month: its end
        (dt.date(2026, 4, 1), "March", "2027-03-31"),
        (dt.date(2027, 6, 1), "February", "2028-02-29"),  # a leap year's February
        (dt.date(2026, 12, 31), "Dec", "2026-12-31"),
        (dt.date(2026, 12, 31), "January", "2027-01-31"),
        (dt.date(2026, 12, 31), "January 2026", "2026-01-31"),  # a year said is kept
    ],
)
def test_plans_read_objective_month_rolls_over_the_year(today: dt.date, said: str, by: str) -> None:
    assert read_objective(f"PHQ-9 below 10 by {said}", today)["by"] == by


def test_plans_read_objective_refuses_a_date_that_does_not_exist() -> None:
    with pytest.raises(BadInputError, match="YYYY-MM-DD"):
        read_objective("GAD-7 under 8 by 2027-02-30", TODAY)


def test_plans_text_round_trip() -> None:
    content, reason = plan_from_text(PLAN, TODAY)
    assert reason == "first session"
    assert [o.id for o in content.objectives] == ["O1", "walk"]
    first = content.objectives[0]
    assert (first.measure, first.direction, first.target, first.by) == ("PHQ-9", "below", 10, "2027-03-31")
    assert content.objectives[1].measure is None  # no measure in its words: none guessed
    assert content.goal("g2") == Goal("G2", "Return to work")
    text = plan_to_text(content, "C1")
    assert 'reason = ""' in text  # a new reason for each change, never the last one's
    assert plan_from_text(text, dt.date(2030, 1, 1)) == (content, "")  # read fields are kept as written


@pytest.mark.parametrize(
    "words", ['say "hi" back', "a \\ backslash", "ümlaut and ✓", "odd \x01 control", "del \x7f char"]
)
def test_plans_text_round_trip_odd_characters(words: str) -> None:
    content = PlanContent(goals=(Goal("G1", words),))
    assert plan_from_text(plan_to_text(content, "C1"), TODAY)[0] == content


def test_plans_outline_filled_in_is_a_plan() -> None:
    outline = plan_to_text(None, "C1")
    filled = outline.replace('text = ""', 'text = "Sleep better"', 3).replace('review_date = ""', "# none")
    content, _ = plan_from_text(filled, TODAY)
    assert [g.id for g in content.goals] == ["G1"] and content.review_date is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('id = "G2"', 'id = "g1"'), "two goals have the id 'g1'"),
        (('id = "walk"', 'id = "O1"'), "two objectives have the id 'O1'"),
        (('problem = "P1"', 'problem = "P2"'), "goal G1 names problem 'P2', which the plan does not have"),
        (('goal = "G2"', 'goal = "G3"'), "an objective names goal 'G3', which the plan does not have"),
        (('id = "G2"', 'id = "2nd goal"'), "a goal's id '2nd goal'"),
        (('text = "Return to work"', 'text = "  "'), "goal G2 has no text"),
        (('review_date = "2027-03-01"', 'review_date = "March"'), "YYYY-MM-DD"),
        (('id = "walk"', 'id = "walk"\ndirection = "sideways"'), "'below' or 'above'"),
        (('id = "walk"', 'id = "walk"\nmeasure = "BDI"'), "measure 'BDI' is not one of"),
        (('id = "walk"', 'id = "walk"\ncolour = "blue"'), "unknown key 'colour'"),
        (('id = "walk"', "id = 7"), "[objectives #2]: 'id' must be a string"),
        (("[[goals]]", "[[aims]]"), "unknown key 'aims'"),
        (('reason = "first session"', "reason = "), "not valid TOML"),
    ],
)
def test_plans_bad_text_refused_in_one_line(change: tuple[str, str], message: str) -> None:
    text = PLAN.replace(*change, 1)
    assert text != PLAN
    with pytest.raises(BadInputError) as refused:
        plan_from_text(text, TODAY)
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_plans_a_plan_needs_a_goal() -> None:
    with pytest.raises(BadInputError, match="at least one goal"):
        plan_from_text('reason = "x"\n[[problems]]\nid = "P1"\ntext = "Low mood"\n', TODAY)


@pytest.mark.parametrize(
    ("review_date", "on", "overdue"),
    [("2027-03-01", "2027-03-02", True), ("2027-03-01", "2027-03-01", False), (None, "2030-01-01", False),
     ("2027-03-01", None, False)],
)  # fmt: skip
def test_plans_review_overdue(review_date: str | None, on: str | None, overdue: bool) -> None:
    plan = TreatmentPlan(
        "C1", 1, "2026-11-30T10:00:00Z", "initial plan", "A. Lee", PlanContent(review_date=review_date)
    )
    assert plan.review_overdue(on) is overdue


@pytest.mark.parametrize(
    ("measure", "score", "band"),
    [("PHQ-9", 4, "minimal"), ("PHQ-9", 10, "moderate"), ("PHQ-9", 27, "severe"), ("GAD-7", 15, "severe"),
     ("PCL-5", 40, None)],
)  # fmt: skip
def test_plans_severity_band(measure: str, score: int, band: str | None) -> None:
    assert severity_band(measure, score) == band
