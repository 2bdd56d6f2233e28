"""Correct misheard clinical terms to the lexicon's, only with evidence (issue 13).

A span of one to four heard words ("Gabe Penton") becomes a lexicon name when it
sounds and is spelled like it (jellyfish's metaphone, rapidfuzz's ratio) and its
context says a medication stands there: a dose right after, a medication verb
before, another medication beside it. Words of the lexicon, numbers, and risk
or scale words are never rewritten; a span of common English words needs a dose.
Scale names and risk words heard wrong are rewritten too (``heard``: their own evidence).
Returns the text with its corrections, each pointing into the corrected text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..core.types import Correction
from ..core.vocabulary import Lexicon
from .heard import Edit, heard_edits
from .units import NUMBER_WORDS, said

MAX_WORDS = 4
MIN_LETTERS = 4
# How similar a span must be to a name (0-1: spelling, metaphone and NYSIIS ratios averaged), by the
# strongest evidence around it; a span of common English words needs a dose after it and COMMON_NEEDS.
# Chosen on the odd half of benchmarks/terms (recall against drugs put where another was said).
NEEDS = {"dose": 0.66, "verb": 0.72, "list": 0.82, "none": 0.88}
COMMON_NEEDS = 0.68
# A user's term written as English words ("Bridge Way" for "Bridgeway") needs no dose, but nearly its letters.
TERM_NEEDS = 0.92
# A brand name is said less often than a generic one and is more often a plain word: it must sound closer.
BRAND_PENALTY = 0.12
# A dose after a span: a number (or a unit) as the first word after it, and a unit within the first four.
DOSE_WORDS = (1, 4)
# A span with words before it wins over the shorter one it ends with if that sounds at most this much closer.
LONGER_MARGIN = 0.08
# A name this similar is taken whatever else sounds alike; below it, a rival name within AMBIGUOUS of it
# leaves the words as heard. Chosen on the odd half of benchmarks/terms (drugs put where another was said:
# 7 -> 5, right ones lost: 1), checked on the even half (6 -> 3, 2 lost).
CLEAR = 0.88
AMBIGUOUS = 0.03
# A span's letters may be this much shorter or longer than the name's.
LENGTH_RATIO = (0.6, 1.6)

_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+(?:[.,:]\d+)*")
# What may stand between two words of one span: spaces or a hyphen.
_JOIN = re.compile(r"\s*-?\s*")
_STOP = re.compile(r"[.!?;]")
_SENTENCE_END = re.compile(r"(?:^|[.!?]\s*|\n\s*)$")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _sequence(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_NUMBER_WORDS = NUMBER_WORDS | _words("half quarter point")
_UNITS = _words("mg mgs milligram milligrams mcg microgram micrograms g gram grams units unit ml iu meq mmol")
# Words before a medication's name ("started", "switched to", "she is on").
_VERBS = _words(
    "start started starting starts continue continues continued continuing increase increased "
    "increasing decrease decreased decreasing taper tapered tapering stop stopped stopping take takes "
    "taking took on prescribed prescribe switch switched switching restart restarted resumed resume "
    "added add reduced reduce titrate titrated titrating trial tried adherence adherent"
)
_SWITCH = _words("to from")
# "on" is a medication verb only after one of these ("she is on", "was kept on").
_BE = _words("is was been be remains remained stays stayed still currently kept started put she's he's")
# Words that join or frame a phrase and are never part of a misheard name.
_NEVER = _words(
    "and but with per was were is are has have had he she they we it its not no nor since because than "
    "that this which who whom whose"
)
# Endings a common word may carry and still be one ("redness", "hydrated").
_ENDINGS = ("s", "es", "ed", "d", "ing", "ly", "ness", "ion", "ation", "er", "al", "ity")


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    text: str
    number: bool


@dataclass(frozen=True)
class _Candidate:
    first: int
    last: int
    name: str
    score: float
    reason: str
    guess: bool = False  # another name sounds as close: the span is left as heard


def correct(text: str, lexicon: Lexicon | None) -> tuple[str, tuple[Correction, ...]]:
    """``text`` with misheard lexicon terms rewritten, and its corrections (offsets into the new text)."""
    if lexicon is None:
        return text, ()
    edits: list[Edit] = []
    if lexicon.medications or lexicon.terms:
        tokens = [
            _Token(m.start(), m.end(), m.group(), m.group()[0].isdigit()) for m in _TOKEN.finditer(text)
        ]
        for c in _choose(_candidates(text, tokens, lexicon)):
            if c.guess:
                continue
            start, end = tokens[c.first].start, tokens[c.last].end
            edits.append(Edit(start, end, _cased(c.name, text, start), c.reason))
    edits.extend(
        e
        for e in heard_edits(text, lexicon.common)
        if all(e.end <= o.start or e.start >= o.end for o in edits)
    )
    out: list[str] = []
    corrections: list[Correction] = []
    cursor = 0
    for e in sorted(edits, key=lambda e: e.start):
        if text[e.start : e.end] == e.written:  # a user's term already as written
            continue
        out.append(text[cursor : e.start])
        at = sum(len(p) for p in out)
        out.append(e.written)
        corrections.append(Correction(at, at + len(e.written), text[e.start : e.end], e.written, e.reason))
        cursor = e.end
    out.append(text[cursor:])
    return "".join(out), tuple(corrections)


def warm(lexicon: Lexicon) -> None:
    """Import the similarity libraries and code the lexicon's names now, not at the first correction."""
    _Names.of(lexicon).scores(["warm"])


def _candidates(text: str, tokens: list[_Token], lexicon: Lexicon) -> list[_Candidate]:
    """Every span with enough evidence for some name, best name per span."""
    names = _Names.of(lexicon)
    spans: list[tuple[int, int, str, str, bool]] = []
    for first, last, key in _spans(text, tokens, names, lexicon):
        common = all(_is_common(t.text.lower(), lexicon.common) for t in tokens[first : last + 1])
        context = _context(text, tokens, first, last, names)
        if _needs(context, common=common, term=bool(lexicon.terms)) <= 1.0:  # else no name could pass
            spans.append((first, last, key, context, common))
    if not spans:
        return []
    found: list[_Candidate] = []
    for (first, last, key, context, common), row in zip(
        spans, names.scores([s[2] for s in spans]), strict=True
    ):
        for index, score in row:
            name = names.names[index]
            if not LENGTH_RATIO[0] <= len(key) / len(names.keys[index]) <= LENGTH_RATIO[1]:
                continue
            evidence = "your term" if names.is_term[index] and context == "none" else context
            if score >= _needs(evidence, common=common, term=names.is_term[index]):
                guess = _ambiguous(index, score, row)  # still competes: a weaker reading inside is no better
                found.append(_Candidate(first, last, name, score, _reason(name, score, evidence), guess))
                break
    return found


def _ambiguous(chosen: int, score: float, row: list[tuple[int, float]]) -> bool:
    """Whether another name of ``row`` sounds about as close as name ``chosen`` (within ``AMBIGUOUS``).

    Two drugs that sound alike ("Amla to find": amlodipine or melatonin) are a guess,
    and a wrong drug is worse than a misheard word: the words are left as heard
    (and marked, when Whisper was unsure of them). A ``CLEAR`` match is no guess.
    """
    return score < CLEAR and any(score - other < AMBIGUOUS for index, other in row if index != chosen)


def _needs(evidence: str, *, common: bool, term: bool) -> float:
    """How similar a span must be to a name, given its context and words (above 1: never)."""
    if common:  # English words: only before a dose, or a near-exact user term ("Bridge Way")
        return COMMON_NEEDS if evidence == "dose" else TERM_NEEDS if term else 2.0
    return NEEDS["list" if evidence == "your term" else evidence]


def _spans(
    text: str, tokens: list[_Token], names: _Names, lexicon: Lexicon
) -> Iterator[tuple[int, int, str]]:
    """Runs of one to four heard words that may be a misheard name, with their letters ("gabepenton").

    A run may open with a small number hyphenated to a word ("40-oxetine"), read as it sounds.
    """
    for first, opening in enumerate(tokens):
        spoken = _spoken_prefix(text, tokens, first)
        if opening.number and spoken is None:
            continue
        if opening.text.lower() in _VERBS or (spoken is None and not _rewritable(opening, names, lexicon)):
            continue
        key = spoken or ""
        for last in range(first, min(first + MAX_WORDS, len(tokens))):
            if last > first and not (
                _may_join(text, tokens, first, last) and _rewritable(tokens[last], names, lexicon)
            ):
                break
            if last > first or spoken is None:
                key += re.sub(r"[^a-z]", "", tokens[last].text.lower())
            if len(key) >= MIN_LETTERS and (last > first or spoken is None):
                yield first, last, key


def _spoken_prefix(text: str, tokens: list[_Token], index: int) -> str | None:
    """A number of one or two digits hyphenated to the next word, as said ("40-oxetine": "forty"), or None."""
    token = tokens[index]
    if not (token.number and token.text.isdigit() and len(token.text) <= 2 and index + 1 < len(tokens)):
        return None
    if text[token.end : tokens[index + 1].start] != "-" or tokens[index + 1].number:
        return None
    return said(int(token.text))  # "40-oxetine" heard as "fortyoxetine"


def _may_join(text: str, tokens: list[_Token], first: int, last: int) -> bool:
    """Whether tokens ``first``..``last`` are words of one phrase (only spaces or a hyphen between)."""
    if tokens[last].number:
        return False
    return last == first or _JOIN.fullmatch(text[tokens[last - 1].end : tokens[last].start]) is not None


def _rewritable(token: _Token, names: _Names, lexicon: Lexicon) -> bool:
    """A heard word that may be part of a misheard span: not a joining word, a number, a unit, a
    medication verb ("on" may end a span: "-done" heard as "... on"), a lexicon name or a kept word."""
    word = token.text.lower()
    base = word[:-2] if word.endswith("'s") else word
    return not (
        base in _NEVER
        or word in _NUMBER_WORDS
        or word in _UNITS
        or (word in _VERBS and word != "on")
        or word in lexicon.keep
        or word in names.lowered
    )


def _is_common(word: str, common: frozenset[str]) -> bool:
    """Whether a heard word is English (perhaps with a common ending), not one Whisper made up."""
    if word in common or word in ("a", "i") or (word.endswith("'s") and word[:-2] in common):
        return True
    return any(word.endswith(e) and word[: -len(e)] in common for e in _ENDINGS if len(word) - len(e) >= 3)


def _context(text: str, tokens: list[_Token], first: int, last: int, names: _Names) -> str:
    """The strongest evidence around a span in its sentence: "dose", "verb", "list" or "none"."""
    after = _same_sentence(text, tokens, last, +1)[: DOSE_WORDS[1]]
    if any(t.text.lower() in _UNITS for t in after) and (
        after[0].text.lower() in _UNITS
        or any(t.number or t.text.lower() in _NUMBER_WORDS for t in after[: DOSE_WORDS[0]])
    ):
        return "dose"
    before = [t.text.lower() for t in _same_sentence(text, tokens, first, -1)[:2]][::-1]
    if before and before[-1] in _VERBS and (before[-1] != "on" or (len(before) == 2 and before[0] in _BE)):
        return "verb"
    if len(before) == 2 and before[-1] in _SWITCH and before[0] in _VERBS:
        return "verb"
    near = [
        *_same_sentence(text, tokens, first, -1)[:3],
        *_same_sentence(text, tokens, last, +1)[:3],
    ]
    if any(t.text.lower() in names.lowered for t in near):
        return "list"
    return "none"


def _same_sentence(text: str, tokens: list[_Token], index: int, step: int) -> list[_Token]:
    """The tokens after (``step`` +1) or before (-1, nearest first) ``index`` up to the sentence's end."""
    out: list[_Token] = []
    at = index + step
    while 0 <= at < len(tokens) and len(out) < DOSE_WORDS[1]:
        a, b = (tokens[at - 1], tokens[at]) if step > 0 else (tokens[at], tokens[at + 1])
        if _STOP.search(text[a.end : b.start]):
            break
        out.append(tokens[at])
        at += step
    return out


def _reason(name: str, score: float, evidence: str) -> str:
    """The evidence in a few words, as the clinician reads it beside the correction."""
    said = {
        "dose": "dose follows",
        "verb": "medication verb before",
        "list": "beside another medication",
        "your term": "in your vocabulary",
        "none": "close match",
    }[evidence]
    return f"sounds like {name} ({score:.2f}); {said}"


def _choose(candidates: list[_Candidate]) -> list[_Candidate]:
    """The best candidates that do not overlap, best first.

    A span that a longer one, with words before it, sounds nearly as close as loses
    to it: "Murder napine" is mirtazapine, though "napine" alone sounds more like asenapine.
    """

    def inside_a_longer(c: _Candidate) -> bool:
        return any(
            o.first < c.first and o.last == c.last and o.score >= c.score - LONGER_MARGIN for o in candidates
        )

    taken: list[_Candidate] = []
    for c in sorted(candidates, key=lambda c: (-c.score, c.first)):
        if not inside_a_longer(c) and all(c.last < t.first or c.first > t.last for t in taken):
            taken.append(c)
    return taken


def _cased(name: str, text: str, start: int) -> str:
    """``name`` as written in the lexicon, capitalized at the start of a sentence."""
    if _SENTENCE_END.search(text[:start]) and name[:1].islower():
        return name[:1].upper() + name[1:]
    return name


@dataclass(frozen=True)
class _Names:
    """The lexicon's names with their letter keys and metaphone codes, built once per lexicon."""

    names: tuple[str, ...]
    keys: tuple[str, ...]
    codes: tuple[str, ...]
    nysiis: tuple[str, ...]
    penalty: Any
    is_term: tuple[bool, ...]
    lowered: frozenset[str]

    @staticmethod
    def of(lexicon: Lexicon) -> _Names:
        """The names of a lexicon (cached: the shipped list is the same every time)."""
        return _names(lexicon.medications, lexicon.terms, lexicon.brands)

    def scores(self, keys: list[str]) -> list[list[tuple[int, float]]]:
        """For each span key, the names it resembles, best first: (name index, similarity 0-1)."""
        import jellyfish
        from rapidfuzz import fuzz, process

        spelled = process.cdist(keys, self.keys, scorer=fuzz.ratio, workers=1)
        sounded = process.cdist(
            [jellyfish.metaphone(k) for k in keys], self.codes, scorer=fuzz.ratio, workers=1
        )
        nysiis = process.cdist([jellyfish.nysiis(k) for k in keys], self.nysiis, scorer=fuzz.ratio, workers=1)
        both = (spelled + sounded + nysiis) / 300.0 - self.penalty
        best = both.argsort(axis=1)[:, ::-1][:, :3]
        return [[(int(i), float(row[i])) for i in top] for row, top in zip(both, best, strict=True)]


@lru_cache(maxsize=8)
def _names(medications: tuple[str, ...], terms: tuple[str, ...], brands: frozenset[str]) -> _Names:
    import jellyfish
    import numpy

    names = tuple(dict.fromkeys((*terms, *medications)))
    keys = tuple(re.sub(r"[^a-z]", "", n.lower()) for n in names)
    lowered = frozenset(n.lower() for n in names if " " not in n)
    return _Names(
        names=names,
        keys=keys,
        codes=tuple(jellyfish.metaphone(k) for k in keys),
        nysiis=tuple(jellyfish.nysiis(k) for k in keys),
        penalty=numpy.array([BRAND_PENALTY if n in brands and n not in terms else 0.0 for n in names]),
        is_term=tuple(n in terms for n in names),
        lowered=lowered,
    )
