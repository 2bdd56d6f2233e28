"""Which treatment-plan goal a sentence may speak to, from its words: suggestions, never links.

Compares each sentence's content words (lightly stemmed, spelling alike by rapidfuzz) with a
goal's text and its objectives' text, and a rating scale the sentence names with the goal whose
objective is measured by it. Returns suggestions only: a link is stored (``Sentence.goals``) when
the clinician confirms one on the review page, never here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from ..core.plans import PlanContent, read_objective
from ..core.types import Draft

# A suggestion needs this score: one content word shared with the goal (or its objectives) scores
# 1, a rating scale the goal's objective is measured by scores MEASURE_SCORE. Chosen on the labelled
# table of tests/check/test_goals.py: every row that must suggest scores >= 1, every row that must
# not (a sentence about sleep against a goal about work) scores 0.
SUGGEST_MIN = 1.0
MEASURE_SCORE = 2.0
# Spelling likeness (0-100) from which two stems are taken for one word ("exercis" / "exercise").
STEM_ALIKE = 88.0
MIN_STEM = 3

_WORD = re.compile(r"[a-z]+")
_SUFFIXES = ("ations", "ation", "ively", "ive", "ions", "ion", "ness", "ing", "ies", "ed", "es", "ly", "s")
# Words every note and every plan says: they tell no goal from another.
_GENERIC_WORDS = """
    a about above after again against all also an and any are as at be because been before being
    below between both but by can client clients continue could daily day days decrease decreased
    did do does during each either fewer for from goal goals had has have he her him his how i
    improve improved in increase increased into is it its less level levels more most much my no not
    objective of off on once only or other our out over own patient per reduce reduced report
    reported reports said says session sessions she should so some state stated states still such
    than that the their them then there these they this those through time times to today too toward
    under until up use used very was we week weekly weeks were what when which while who will with
    within would year you
"""
_GENERIC = frozenset(_GENERIC_WORDS.split())
# Words the stem cannot join: a few everyday variants of what plans say.
_SAME = {
    "anxious": "anxiety",
    "worry": "anxiety",
    "worried": "anxiety",
    "worries": "anxiety",
    "slept": "sleep",
    "job": "work",
    "depressed": "depress",
    "drank": "drink",
    "alcohol": "drink",
}
_DAY = dt.date(2000, 1, 1)  # objectives are read for their measure only; the date is not used


@dataclass(frozen=True)
class GoalSuggestion:
    """A goal a sentence may address: the sentence (field id, index in that field), the goal, the score."""

    field: str
    index: int
    goal: str
    score: float


def _stem(word: str) -> str:
    if word in _SAME:
        return _SAME[word]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return _SAME.get(word[: -len(suffix)], word[: -len(suffix)])
    return word


@lru_cache(maxsize=512)
def content_stems(text: str) -> frozenset[str]:
    """A text's content words, lightly stemmed, without the words every note says."""
    words = _WORD.findall(text.lower())
    return frozenset(_stem(w) for w in words if w not in _GENERIC and len(w) >= MIN_STEM)


def _measure(text: str) -> str | None:
    found = read_objective(text, _DAY).get("measure")
    return str(found) if found else None


def _shared(sentence: frozenset[str], goal: frozenset[str]) -> int:
    """How many of the goal's stems the sentence says (the same, or spelled alike)."""
    from rapidfuzz import fuzz

    return sum(1 for g in goal if any(s == g or fuzz.ratio(s, g) >= STEM_ALIKE for s in sentence))


def goal_score(text: str, plan: PlanContent, goal_id: str) -> float:
    """How strongly ``text`` speaks to one goal (0: not at all); see ``SUGGEST_MIN``."""
    goal = plan.goal(goal_id)
    if goal is None:
        return 0.0
    objectives = plan.objectives_of(goal.id)
    words = content_stems(" ".join([goal.text, *(o.text for o in objectives)]))
    score = float(_shared(content_stems(text), words))
    measure = _measure(text)
    if measure and any((o.measure or _measure(o.text)) == measure for o in objectives):
        score += MEASURE_SCORE
    return score


def suggest_goals(draft: Draft, plan: PlanContent) -> tuple[GoalSuggestion, ...]:
    """At most one goal per sentence not already linked, the best scoring (the plan's order breaks ties)."""
    found = []
    for f in draft.fields:
        for i, s in enumerate(f.sentences):
            if s.goals:
                continue
            scored = [(goal_score(s.text, plan, g.id), -n, g.id) for n, g in enumerate(plan.goals)]
            best = max(scored, default=None)
            if best is not None and best[0] >= SUGGEST_MIN:
                found.append(GoalSuggestion(f.id, i, best[2], best[0]))
    return tuple(found)
