"""The checks' vocabulary: phrase lists from ``templates/rules/checks.toml``, compiled once.

Each list (techniques, vague phrases, risk words, ...) becomes one whole-word,
case-insensitive pattern. Loading and matching only: what a match means is the
rules' business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..core.config import shipped_dir
from ..core.datafile import ListOf, Table, load_table

VOCABULARIES = (
    "techniques",
    "vague",
    "response",
    "risk",
    "risk_denial",
    "risk_response",
    "absolutes",
    "hedges",
    "process",
    "reaction",
    "record",
    "risk_sounds",
)
# Built from the risk list: its short acronyms, matched in capitals only ("SI", not "si").
RISK_ACRONYM = "risk_acronym"
# Built from the reaction list: the clinician saying what they felt ("I was a little irritated").
FIRST_PERSON_REACTION = "first_person_reaction"
# "I" and a verb of being or feeling, then at most two softeners ("a bit", "really") before the reaction.
_FIRST_PERSON = (
    r"\bI(?:'m|\s+am|\s+was|\s+got|\s+get|\s+became|\s+become|\s+felt|\s+feel|\s+feeling|"
    r"(?:\s+have|'ve|\s+had)\s+been|\s+started\s+(?:to\s+feel|feeling))\s+"
    r"(?:(?:a\s+bit|a\s+little(?:\s+bit)?|very|really|so|quite|kind\s+of|somewhat|increasingly|more|"
    r"too|pretty|rather|almost|oddly|strangely)\s+){0,2}"
)


@dataclass(frozen=True)
class CheckVocabulary:
    """The phrase lists by name: compiled (``VOCABULARIES`` plus ``RISK_ACRONYM``), and as written."""

    patterns: dict[str, re.Pattern[str]]
    phrases: dict[str, tuple[str, ...]]

    def has(self, name: str, text: str) -> re.Match[str] | None:
        """The first phrase of list ``name`` in ``text``, if any."""
        return self.patterns[name].search(text)


def vocabulary_path() -> Path:
    """The shipped vocabulary file of the checks."""
    return shipped_dir("templates") / "rules" / "checks.toml"


@lru_cache(maxsize=1)
def check_vocabulary() -> CheckVocabulary:
    """The shipped vocabulary, read and compiled on first use."""
    schema = Table({name: ListOf(str) for name in VOCABULARIES})
    raw = load_table(vocabulary_path(), schema, what="rules file")
    patterns = {}
    for name in VOCABULARIES:
        phrases = sorted(raw.get(name, []), key=len, reverse=True)
        body = "|".join(r"[\s-]+".join(re.escape(w) for w in p.split()) for p in phrases) or "(?!)"
        # Acronyms match in capitals only ("SI", not "si"); phrases in any case.
        patterns[name] = re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.I)
    acronyms = [p for p in raw.get("risk", []) if p.isupper() and len(p) <= 3]
    patterns[RISK_ACRONYM] = re.compile(rf"\b(?:{'|'.join(acronyms) or '(?!)'})\b")
    reactions = patterns["reaction"].pattern.removeprefix(r"(?<![\w-])")
    patterns[FIRST_PERSON_REACTION] = re.compile(_FIRST_PERSON + reactions, re.I)
    return CheckVocabulary(patterns, {name: tuple(raw.get(name, [])) for name in VOCABULARIES})
