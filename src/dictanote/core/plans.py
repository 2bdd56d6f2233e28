"""A client's treatment plan: problems, goals and measurable objectives, as plain values.

The plan is written by the clinician as a small TOML text (``plan_to_text`` / ``plan_from_text``,
checked through ``core/datafile.py``); the store keeps every version with the reason for the
change. An objective's measure ("PHQ-9 below 10 by 2027-03-01") is read from its words when
the fields are not given. Nothing here reads files, the clock or the store.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from .datafile import ListOf, Table, check_table, parse_toml
from .errors import BadInputError
from .policy import ISO_DAY, SEVERITY_BANDS, iso_day

Direction = Literal["below", "above"]
ITEM_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,15}")
TEXT_MAX = 500
# Rating scales an objective can be measured by (the names the segmenter writes).
MEASURES = ("PHQ-9", "GAD-7", "PCL-5", "AUDIT", "EPDS", "ORS", "SRS")

_PROBLEM = Table({"id": str, "text": str}, required=("id", "text"))
_GOAL = Table({"id": str, "problem": str, "text": str}, required=("id", "text"))
_OBJECTIVE = Table(
    {"id": str, "goal": str, "text": str, "measure": str, "target": int, "direction": str, "by": str},
    required=("goal", "text"),
)
PLAN_SCHEMA = Table(
    {
        "reason": str,
        "review_date": str,
        "problems": ListOf(_PROBLEM),
        "goals": ListOf(_GOAL),
        "objectives": ListOf(_OBJECTIVE),
    }
)


@dataclass(frozen=True)
class Problem:
    """A problem the plan addresses."""

    id: str
    text: str


@dataclass(frozen=True)
class Goal:
    """A treatment goal; ``problem``: the id of the problem it answers, if one was named."""

    id: str
    text: str
    problem: str | None = None


@dataclass(frozen=True)
class Objective:
    """A measurable step toward a goal: ``measure`` ``direction`` ``target`` by the date ``by``."""

    id: str
    goal: str
    text: str
    measure: str | None = None
    target: int | None = None
    direction: Direction | None = None
    by: str | None = None


@dataclass(frozen=True)
class PlanContent:
    """What the clinician wrote: the plan without its version, time or signer."""

    problems: tuple[Problem, ...] = ()
    goals: tuple[Goal, ...] = ()
    objectives: tuple[Objective, ...] = ()
    review_date: str | None = None

    def goal(self, goal_id: str) -> Goal | None:
        """The goal with this id (ids compare without case), if the plan has it."""
        return next((g for g in self.goals if g.id.lower() == goal_id.lower()), None)

    def objectives_of(self, goal_id: str) -> tuple[Objective, ...]:
        """The objectives that measure one goal."""
        return tuple(o for o in self.objectives if o.goal.lower() == goal_id.lower())


@dataclass(frozen=True)
class TreatmentPlan:
    """One version of a client's treatment plan, as stored: never changed, a change is a new version."""

    client_id: str
    version: int
    created_at: str
    reason: str
    signed_by: str
    content: PlanContent

    def review_overdue(self, on: str | None) -> bool:
        """Whether a note of service date ``on`` (YYYY-MM-DD) is written after the plan's review date."""
        due = self.content.review_date
        return bool(due and on and on[:10] > due)


# --- the objective's words ---------------------------------------------------------------

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MEASURE = re.compile(
    r"\b(" + "|".join(re.escape(m).replace(r"\-", "[- ]?") for m in MEASURES) + r")\b", re.IGNORECASE
)
_TARGET = re.compile(
    r"\b(below|under|less than|lower than|at most|above|over|more than|at least|greater than)\s+(\d{1,3})\b",
    re.IGNORECASE,
)
_BY_DATE = re.compile(r"\bby\s+(\d{4}-\d{2}-\d{2}|[A-Za-z]+(?:\s+\d{4})?)\b")


def _measure_name(said: str) -> str:
    letters = re.sub(r"[^a-z0-9]", "", said.lower())
    return next(m for m in MEASURES if re.sub(r"[^a-z0-9]", "", m.lower()) == letters)


def _month_end(said: str, today: dt.date) -> str | None:
    parts = said.split()
    month = _MONTHS.get(parts[0].lower())
    if month is None:
        return None
    next_year = today.year if month >= today.month else today.year + 1
    year = int(parts[1]) if len(parts) > 1 else next_year
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        return None  # "by March 0000": no date a plan can have; nothing guessed
    return dt.date(year, month, calendar.monthrange(year, month)[1]).isoformat()


def read_objective(text: str, today: dt.date) -> dict[str, Any]:
    """The measure, direction, target and date an objective's words state ("PHQ-9 below 10 by March").

    A month without a year is its next end (March said in November is next year's). Only what
    the words say plainly is returned: a missing part is left out, never guessed.
    """
    found: dict[str, Any] = {}
    measure = _MEASURE.search(text)
    if measure:
        found["measure"] = _measure_name(measure.group(1))
        target = _TARGET.search(text, measure.end())
        if target:
            word = target.group(1).lower()
            found["direction"] = (
                "above" if word in ("above", "over", "more than", "at least", "greater than") else "below"
            )
            found["target"] = int(target.group(2))
    by = _BY_DATE.search(text)
    if by:
        said = by.group(1)
        if ISO_DAY.fullmatch(said):
            found["by"] = _iso_date(said, "an objective's date")
        else:
            end = _month_end(said, today)
            if end:
                found["by"] = end
    return found


def _iso_date(text: str, what: str) -> str:
    try:
        return iso_day(text).isoformat()
    except ValueError:
        raise BadInputError(f"{what} is a date as YYYY-MM-DD, e.g. 2027-03-01 (got {text!r})") from None


# --- the clinician's text ----------------------------------------------------------------


def _item_id(value: str, what: str) -> str:
    if not ITEM_ID.fullmatch(value):
        raise BadInputError(
            f"{what} id {value!r}: a letter then up to 15 letters, digits, '-' or '_' (e.g. G1)"
        )
    return value


def _text(value: str, what: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise BadInputError(f"{what} has no text")
    if len(text) > TEXT_MAX:
        raise BadInputError(f"{what} is at most {TEXT_MAX} characters (this one has {len(text)})")
    return text


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i.lower() in seen:
            raise BadInputError(f"two {what}s have the id {i!r}; each needs its own")
        seen.add(i.lower())


def content_from_data(raw: dict[str, Any], today: dt.date) -> PlanContent:
    """A plan from checked data (``PLAN_SCHEMA``): ids unique, references known, objectives read."""
    problems = tuple(
        Problem(_item_id(p["id"], "a problem's"), _text(p["text"], f"problem {p['id']}"))
        for p in raw.get("problems", ())
    )
    _unique([p.id for p in problems], "problem")
    known_problems = {p.id.lower() for p in problems}
    goals = []
    for g in raw.get("goals", ()):
        problem = g.get("problem")
        if problem is not None and problem.lower() not in known_problems:
            raise BadInputError(f"goal {g['id']} names problem {problem!r}, which the plan does not have")
        goals.append(Goal(_item_id(g["id"], "a goal's"), _text(g["text"], f"goal {g['id']}"), problem))
    _unique([g.id for g in goals], "goal")
    known_goals = {g.id.lower() for g in goals}
    objectives = []
    for n, o in enumerate(raw.get("objectives", ()), start=1):
        if o["goal"].lower() not in known_goals:
            raise BadInputError(f"an objective names goal {o['goal']!r}, which the plan does not have")
        text = _text(o["text"], f"objective {o.get('id', n)}")
        said = read_objective(text, today)
        direction = o.get("direction", said.get("direction"))
        if direction not in (None, "below", "above"):
            raise BadInputError(f"an objective's direction is 'below' or 'above' (got {direction!r})")
        measure = o.get("measure", said.get("measure"))
        if measure is not None and measure not in MEASURES:
            raise BadInputError(f"an objective's measure {measure!r} is not one of: {', '.join(MEASURES)}")
        by = o.get("by", said.get("by"))
        objectives.append(
            Objective(
                id=_item_id(o.get("id", f"O{n}"), "an objective's"),
                goal=o["goal"],
                text=text,
                measure=measure,
                target=o.get("target", said.get("target")),
                direction=direction,
                by=_iso_date(by, "an objective's 'by'") if by is not None else None,
            )
        )
    _unique([o.id for o in objectives], "objective")
    review = raw.get("review_date")
    return PlanContent(
        problems=problems,
        goals=tuple(goals),
        objectives=tuple(objectives),
        review_date=_iso_date(review, "the plan's review_date") if review else None,
    )


def plan_from_text(text: str, today: dt.date) -> tuple[PlanContent, str]:
    """The plan and the reason for the change from the clinician's TOML text; BadInputError, one line."""
    raw = parse_toml(text, what="the treatment plan", error=BadInputError)
    check_table(raw, PLAN_SCHEMA, "the treatment plan", BadInputError)
    content = content_from_data(raw, today)
    if not content.goals:
        raise BadInputError("a treatment plan needs at least one goal ([[goals]] with an id and a text)")
    return content, " ".join(str(raw.get("reason", "")).split())


def _quote(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's (control characters too), and DEL is escaped."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def plan_to_text(content: PlanContent | None, client_id: str) -> str:
    """The plan as the clinician edits it (an empty outline when there is none yet)."""
    lines = [
        f"# Treatment plan for client {client_id}. Lines starting with # are ignored.",
        "# Say why you change it: the reason is kept with the new version.",
        'reason = ""',
    ]
    if content is None:
        return "\n".join(
            [
                *lines,
                'review_date = ""   # e.g. "2027-03-01"',
                "",
                "[[problems]]",
                'id = "P1"',
                'text = ""',
                "",
                "[[goals]]",
                'id = "G1"',
                'problem = "P1"',
                'text = ""',
                "",
                "[[objectives]]",
                'goal = "G1"',
                'text = ""   # e.g. "PHQ-9 below 10 by 2027-03-01"',
                "",
            ]
        )
    if content.review_date:
        lines.append(f"review_date = {_quote(content.review_date)}")
    for p in content.problems:
        lines += ["", "[[problems]]", f"id = {_quote(p.id)}", f"text = {_quote(p.text)}"]
    for g in content.goals:
        lines += ["", "[[goals]]", f"id = {_quote(g.id)}"]
        if g.problem:
            lines.append(f"problem = {_quote(g.problem)}")
        lines.append(f"text = {_quote(g.text)}")
    for o in content.objectives:
        lines += [
            "",
            "[[objectives]]",
            f"id = {_quote(o.id)}",
            f"goal = {_quote(o.goal)}",
            f"text = {_quote(o.text)}",
        ]
        if o.measure:
            lines.append(f"measure = {_quote(o.measure)}")
        if o.target is not None:
            lines.append(f"target = {o.target}")
        if o.direction:
            lines.append(f"direction = {_quote(o.direction)}")
        if o.by:
            lines.append(f"by = {_quote(o.by)}")
    return "\n".join(lines) + "\n"


# --- stored form ---------------------------------------------------------------------------


def content_to_dict(content: PlanContent) -> dict[str, Any]:
    """The plan as the store keeps it (JSON)."""
    data: dict[str, Any] = {
        "problems": [{"id": p.id, "text": p.text} for p in content.problems],
        "goals": [
            {"id": g.id, "text": g.text, **({"problem": g.problem} if g.problem else {})}
            for g in content.goals
        ],
        "objectives": [
            {
                k: v
                for k, v in {
                    "id": o.id,
                    "goal": o.goal,
                    "text": o.text,
                    "measure": o.measure,
                    "target": o.target,
                    "direction": o.direction,
                    "by": o.by,
                }.items()
                if v is not None
            }
            for o in content.objectives
        ],
    }
    if content.review_date:
        data["review_date"] = content.review_date
    return data


def content_from_dict(raw: dict[str, Any]) -> PlanContent:
    """A stored plan back (written by ``content_to_dict``; the words are not read again)."""
    return PlanContent(
        problems=tuple(Problem(p["id"], p["text"]) for p in raw.get("problems", ())),
        goals=tuple(Goal(g["id"], g["text"], g.get("problem")) for g in raw.get("goals", ())),
        objectives=tuple(
            Objective(
                id=o["id"],
                goal=o["goal"],
                text=o["text"],
                measure=o.get("measure"),
                target=o.get("target"),
                direction=o.get("direction"),
                by=o.get("by"),
            )
            for o in raw.get("objectives", ())
        ),
        review_date=raw.get("review_date"),
    )


def severity_band(measure: str, score: int) -> str | None:
    """The severity band a score falls in (PHQ-9, GAD-7), or None for a scale without bands."""
    bands = SEVERITY_BANDS.get(measure)
    if not bands:
        return None
    return [name for low, name in bands if score >= low][-1]
