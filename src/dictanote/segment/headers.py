"""Find a spoken section header at the start of a sentence.

A header is a format's cue phrase ("assessment", "S", "client response"),
possibly after fillers ("okay, so") and a lead-in ("moving on to", "back to
the"), and followed by punctuation or the end of the sentence, so that "Plan to
continue CBT" stays content. A header word Whisper mishears ("Climb.") counts
only when it is the whole sentence (a trailer such as "for this session" may follow),
and so does a long cue with one small word misheard ("Group dynamics in factors.").
A one-letter cue ("S.", "P:") is a header only when plainly said as one: alone or before
a sentence, moving forward in the format's order; never a vital sign ("P: 80"), an
abbreviation ("p.r.n.", "S. aureus") or an item of a lettered list.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..core.types import NoteFormat
from .rules import HeaderRules
from .units import NUMBER_WORDS, leading_word, tidy, words

# The most words before a header inside a sentence ("okay, so, moving on to the plan"); a longer run
# of fillers is words, and bounding it keeps splitting a long run of them linear.
INLINE_PREAMBLE_WORDS = 8
# Punctuation that may follow a header word inside a sentence.
HEADER_PUNCT = frozenset(".,:;-")
# A one-letter cue ("S", "A") counts only alone or before ":" or "." (see ``_letter_stands_alone``).
LETTER_PUNCT = frozenset(".:")


@dataclass(frozen=True)
class HeaderMatch:
    """A spoken header found at the start of a sentence, and the words after it."""

    field_id: str
    rest: str
    returning: bool = False


def _starts_sentence(text: str, pos: int = 0) -> bool:
    """Whether ``text`` at ``pos`` opens with a capitalized word that Whisper would start a sentence with."""
    first = leading_word(text, pos)
    return bool(first) and text[pos : pos + 1].isupper() and first not in _NOT_SENTENCE_START


def _skip_preamble(
    tokens: list[str],
    rules: HeaderRules,
    cues: Sequence[tuple[str, ...]],
    i: int = 0,
    most: int | None = None,
) -> int:
    """Index of the first word at or after ``i`` that is not a filler or in a lead-in phrase.

    The longest phrase wins: a lead-in over the filler it begins with ("next is" over "next"),
    and a cue that begins with a filler or lead-in word is heard whole ("Next steps."): the
    preamble stops where one of ``cues`` starts that is longer than the filler or lead-in there.
    ``most``: look at no more than this many words (a header inside a sentence has a short preamble).
    """
    end = len(tokens) if most is None else min(len(tokens), i + most)
    while i < end:
        step = max(_lead_in_at(tokens, i, rules), int(tokens[i] in rules.fillers))
        if not step or any(
            len(cue) > step and cue[0] == tokens[i] and tuple(tokens[i : i + len(cue)]) == cue for cue in cues
        ):
            return i
        i += step
    return i


def _lead_in_at(tokens: list[str], i: int, rules: HeaderRules) -> int:
    """How many words the lead-in phrase starting at word ``i`` has (the longest); 0 if none does."""
    return next((len(lead) for lead in rules.lead_ins if tuple(tokens[i : i + len(lead)]) == lead), 0)


@lru_cache(maxsize=32)
def _cue_index(fmt: NoteFormat) -> list[tuple[tuple[str, ...], str, bool]]:
    """Every cue as words, with its field and whether it is a single letter; longest first."""
    cues = [
        (tuple(w for w, _, _ in words(cue)), spec.id, len(cue) == 1)
        for spec in fmt.fields
        for cue in spec.cues
    ]
    return sorted(cues, key=lambda c: len(c[0]), reverse=True)


@lru_cache(maxsize=32)
def _cue_firsts(fmt: NoteFormat) -> frozenset[str]:
    """The first word of every cue: a cheap test before trying them all."""
    return frozenset(cue[0] for cue, _f, _l in _cue_index(fmt) if cue)


def match_header(
    sentence: str, fmt: NoteFormat, rules: HeaderRules, current: str | None = None
) -> HeaderMatch | None:
    """The field whose spoken header opens ``sentence``, and the words after it.

    ``current``: the field of the last header spoken (None before the first): a one-letter cue
    must move forward from it in the format's order, unless said as a return ("back to S").
    """
    found = words(sentence)
    tokens = [w for w, _, _ in found]
    start = _skip_preamble(tokens, rules, [cue for cue, _f, _l in _cue_index(fmt)])
    if start >= len(tokens):
        return None
    if tokens[start] not in _cue_firsts(fmt) and tokens[start] not in rules.misheard:
        return None
    returning = any(t in rules.returning for t in tokens[:start])
    for cue, field_id, letter in _cue_index(fmt):
        end = start + len(cue)
        if tuple(tokens[start:end]) != cue:
            continue
        for trailer in rules.trailers:
            if not letter and tuple(tokens[end : end + len(trailer)]) == trailer:
                end += len(trailer)
                break
        after = sentence[found[end - 1][2] :]
        if letter and not (
            _letter_stands_alone(after, all(t in rules.fillers for t in tokens[:start]))
            and _letter_said_as_header(after)
            and (returning or _moves_forward(fmt, current, field_id))
        ):
            continue
        following = after.lstrip()[:1]
        allowed = LETTER_PUNCT if letter else HEADER_PUNCT
        if following and following not in allowed:
            if letter or not _starts_sentence(after.lstrip()):
                continue
            return HeaderMatch(field_id, tidy(after), returning)
        rest = after.lstrip()[1:] if following else ""
        return HeaderMatch(field_id=field_id, rest=tidy(rest), returning=returning)
    near = _near_cue(tuple(tokens[start:]), fmt)
    if near is not None:
        return HeaderMatch(field_id=near, rest="", returning=returning)
    if tokens[start] in rules.misheard and _only_trailer(tokens[start + 1 :], rules):
        heard = rules.misheard[tokens[start]]
        for cue, field_id, _letter in _cue_index(fmt):
            if cue == (heard,):
                return HeaderMatch(field_id=field_id, rest="")
    return None


def _letter_stands_alone(after: str, only_fillers: bool) -> bool:
    """Whether a one-letter cue followed by ``after`` is a header, not part of the words around it.

    It must not be part of an abbreviation ("p.m.", "e.g.", "p.r.n.": another letter right after
    its period), and after a lead-in ("in", "for", "under the") it must be the whole sentence:
    "In p.m. hours", "For a.m. appointments" and "The S. family" are content, "Back to S." a header.
    """
    mark = after[:1]
    if mark in LETTER_PUNCT and after[1:2].strip() and after[1:2] not in HEADER_PUNCT:
        return False
    return only_fillers or not after.strip(" .:;,")


def _letter_said_as_header(after: str) -> bool:
    """Whether the words after a one-letter cue and its mark leave it a header.

    Not before a number ("P: 80", "P. eighty": a pulse), another initial ("I. V. fluids",
    "P. R. N."), or, after a period, a lower-case word ("S. aureus", "A. fib", "E. coli").
    """
    text = after.lstrip()
    mark = text[:1] if text[:1] in LETTER_PUNCT else ""
    rest = text[len(mark) :].strip()
    if not rest:
        return True
    if rest[0].isdigit() or leading_word(rest) in NUMBER_WORDS or _INITIAL_RE.match(rest):
        return False
    return mark != "." or rest[0].isupper() or not rest[0].isalpha()


def _moves_forward(fmt: NoteFormat, current: str | None, field_id: str) -> bool:
    """Whether ``field_id`` comes after ``current`` in ``fmt`` (or nothing was headed yet)."""
    order = [spec.id for spec in fmt.fields]
    if current is None or current not in order:
        return True
    return order.index(field_id) > order.index(current)


_INITIAL_RE = re.compile(r"[^\W\d_]\.")
# Small words Whisper swaps inside a long header ("Group dynamics in factors.").
_FUNCTION_WORDS = frozenset({"a", "an", "and", "at", "for", "in", "of", "on", "or", "the", "to", "with"})


def _near_cue(heard: tuple[str, ...], fmt: NoteFormat) -> str | None:
    """The field of a cue of three or more words that ``heard`` is, but for one small word."""
    if len(heard) < 3:
        return None
    for cue, field_id, _letter in _cue_index(fmt):
        if len(cue) != len(heard):
            continue
        diffs = [(a, b) for a, b in zip(cue, heard, strict=True) if a != b]
        if len(diffs) == 1 and diffs[0][0] in _FUNCTION_WORDS and diffs[0][1] in _FUNCTION_WORDS:
            return field_id
    return None


def _only_trailer(tokens: list[str], rules: HeaderRules) -> bool:
    """Whether ``tokens`` are nothing, or exactly one trailer ("for this session")."""
    return not tokens or tuple(tokens) in rules.trailers


# Words that make a following cue word a noun in content ("her plan", "safety plan").
_NOUN_CONTEXT = frozenset(
    [
        "the",
        "a",
        "an",
        "her",
        "his",
        "their",
        "my",
        "our",
        "your",
        "its",
        "this",
        "that",
        "these",
        "those",
        "safety",
        "crisis",
        "treatment",
        "suicide",
        "suicidal",
        "relapse",
        "discharge",
        "care",
        "no",
        "any",
        "of",
        "medication",
        "behavior",
        "behavioral",
        "own",
        "same",
    ]
)
# Capitalized words that do not start a new sentence after a cue word.
_NOT_SENTENCE_START = frozenset({"i", "i'm", "i've", "i'd", "i'll"})


def split_inline_headers(text: str, fmt: NoteFormat, rules: HeaderRules) -> list[str]:
    """Cut ``text`` before headers Whisper ran into the middle of a sentence.

    Whisper often writes "...a smaller meeting, assessment, alcohol use disorder"
    or, with no punctuation at all, "...about blame interventions Reviewed her".
    A cue counts as a header there when it is set off by punctuation on both
    sides, or when it is followed by a capitalized word and not preceded by a
    word that makes it a noun ("her plan", "safety plan"). One-letter cues
    never count in the middle of a sentence.
    """
    found = words(text)
    tokens = [w for w, _, _ in found]
    cues = [cue for cue, _f, letter in _cue_index(fmt) if not letter]
    openers = {cue[0] for cue in cues} | rules.fillers | {lead[0] for lead in rules.lead_ins}
    cuts: list[int] = []
    i = 1
    while i < len(tokens):
        if tokens[i] not in openers:
            i += 1
            continue
        end = _inline_header_at(text, found, tokens, i, cues, rules)
        if end is None:
            i += 1
            continue
        cuts.append(found[i][1])
        i = end
    if not cuts:
        return [text]
    bounds = [0, *cuts, len(text)]
    return [text[a:b].strip() for a, b in itertools.pairwise(bounds) if text[a:b].strip()]


def _inline_header_at(
    text: str,
    found: Sequence[tuple[str, int, int]],
    tokens: list[str],
    i: int,
    cues: list[tuple[str, ...]],
    rules: HeaderRules,
) -> int | None:
    """If a header starts at word ``i`` (after fillers/lead-ins), the index after its cue."""
    firsts = {cue[0] for cue in cues}
    if tokens[i - 1] in firsts and any(tuple(tokens[i - 1 : i - 1 + len(cue)]) == cue for cue in cues):
        return None  # word i is inside a longer cue that starts earlier
    start = _skip_preamble(tokens, rules, cues, i, INLINE_PREAMBLE_WORDS)
    if start >= len(tokens) or tokens[start] not in firsts:
        return None
    for cue in cues:
        end = start + len(cue)
        if tuple(tokens[start:end]) != cue:
            continue
        before = text[found[i - 1][2] : found[i][1]]
        after = text[found[end - 1][2] : found[end][1]] if end < len(tokens) else ""
        set_off_before = any(ch in ".,;:" for ch in before)
        set_off_after = end >= len(tokens) or any(ch in ".,;:" for ch in after)
        capital_next = end < len(tokens) and _starts_sentence(text, found[end][1])
        if set_off_before and (set_off_after or capital_next):
            return end
        if start == i and capital_next and tokens[i - 1] not in _NOUN_CONTEXT and not set_off_after:
            return end
    return None
