"""Write clinical terms the way clinicians write them.

Spelled-out letters become acronyms ("S I" -> "SI", "P. D. M. P." -> "PDMP"); letters
written with periods that are no clinical acronym are initials, kept as spoken ("J.T.");
rating scales get their written names ("PHQ nine" -> "PHQ-9"), known acronyms
their capitals, and the vocabulary's replacement map fixes phrases Whisper keeps
mishearing ("search line" -> "sertraline"). Whole words only; nothing is added
or removed beyond the words being rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from .rules import ClinicalRules
from .units import ends_sentence

_NUMBER_WORDS = {
    "2": "two",
    "5": "five",
    "7": "seven",
    "9": "nine",
    "10": "ten",
}
_LETTER_WORDS = {"C": "c|see", "R": "r|are", "A": "a"}
# Spaces and a capital: where a dotted acronym's last period may also end its sentence.
_NEXT_CAPITAL = re.compile(r"\s+[A-Z]")
# A run of two or more single capital letters: "S I", "P. D. M. P.", "A.S.R.S." (not the pronoun
# "I" after an initial's period: "Dr. Y. I agreed").
_SPELLED_RE = re.compile(r"(?<![\w.])(?!I )[A-Z](?:(?:\.[ -]?|[ -])(?!(?<=\. )I [a-z])[A-Z])+\.?(?![\w])")


@dataclass(frozen=True)
class Normalizer:
    """Compiled rewriting rules for one vocabulary."""

    steps: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...]
    acronyms: frozenset[str] = frozenset()

    def __call__(self, text: str) -> str:
        text = collapse_spelled(text, self.acronyms)
        for pattern, repl in self.steps:
            text = pattern.sub(repl, text)
        return text


def collapse_spelled(text: str, acronyms: frozenset[str]) -> str:
    """Join letters spelled out one by one into an acronym.

    Letters written with periods ("J.T.", "K. L.") are someone's initials and stay as
    they are, unless they spell one of ``acronyms`` (capital letters only: "HI", "PDMP").
    """

    def join(match: re.Match[str]) -> str:
        spelled = match.group()
        letters = re.sub(r"[^A-Z]", "", spelled)
        if "." in spelled and letters not in acronyms:
            return spelled
        dotted = spelled.count(".") >= len(letters)
        # a dotted acronym's last dot also ends the sentence at the end, or before a capital that starts
        # one ("H.I. PHQ-9"; not "J.T. Ortiz": ``ends_sentence``)
        after = _NEXT_CAPITAL.match(text, match.end())
        ends = match.end() == len(text) or (
            after is not None and ends_sentence(text, match.end(), after.end() - 1)
        )
        return letters + ("." if spelled.endswith(".") and (ends or not dotted) else "")

    return _SPELLED_RE.sub(join, text)


def _letters_pattern(letters: str) -> str:
    return r"[\s.-]?".join(re.escape(ch) for ch in letters)


def _measure_pattern(letters: str, number: str) -> str:
    head = _letters_pattern(letters)
    if not number:
        return rf"(?<![\w-]){head}(?![\w])"
    spoken = _NUMBER_WORDS.get(number) or _LETTER_WORDS.get(number, "")
    alternatives = "|".join(filter(None, [re.escape(number), spoken]))
    return rf"(?<![\w-]){head}[\s-]*(?:{alternatives})(?![\w])"


def _keep_initial_capital(replacement: str) -> Callable[[re.Match[str]], str]:
    def repl(match: re.Match[str]) -> str:
        if match.start() == 0 and replacement[:1].islower():
            return replacement[:1].upper() + replacement[1:]
        return replacement

    return repl


@lru_cache(maxsize=8)
def build_normalizer(rules: ClinicalRules, replacements: tuple[tuple[str, str], ...]) -> Normalizer:
    """Compile the shipped clinical rules and a vocabulary's replacements."""
    steps: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = []
    for heard, written in replacements:
        pattern = r"[\s-]+".join(re.escape(w) for w in heard.split())
        steps.append((re.compile(rf"(?<![\w]){pattern}(?![\w])", re.I), _keep_initial_capital(written)))
    for measure in sorted(rules.measures, key=lambda m: -len(m.number)):
        steps.append((re.compile(_measure_pattern(measure.letters, measure.number), re.I), measure.written))
    # Ambiguous acronyms ("ACT", "MI") are only ever left as they are: no rule needed.
    capitals = {a.lower(): a for a in rules.acronyms if a not in rules.ambiguous}
    if capitals:
        alternation = "|".join(re.escape(a) for a in sorted(capitals, key=len, reverse=True))
        steps.append(
            (
                re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", re.I),
                lambda m: capitals[m.group().lower()],
            )
        )
    known = {re.sub(r"[^A-Z]", "", a.upper()) for a in rules.acronyms}
    known.update(m.letters.upper() for m in rules.measures)
    return Normalizer(tuple(steps), frozenset(known))
