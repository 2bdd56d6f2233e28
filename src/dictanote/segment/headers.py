"""Find a spoken section header at the start of a sentence.

A header is a format's cue phrase ("assessment", "S", "client response"),
possibly after fillers ("okay, so") and a lead-in ("moving on to", "back to
the"), and followed by punctuation or the end of the sentence, so that "Plan to
continue CBT" stays content. A header word Whisper mishears ("Climb.") counts
only when it is the whole sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..types import NoteFormat
from .rules import HeaderRules
from .units import tidy, words

# Punctuation that may follow a header word inside a sentence.
HEADER_PUNCT = frozenset(".,:;-")
# A one-letter cue ("S", "A") counts only when it stands alone or before ":" or ".".
LETTER_PUNCT = frozenset(".:")


@dataclass(frozen=True)
class HeaderMatch:
    """A spoken header found at the start of a sentence, and the words after it."""

    field_id: str
    rest: str
    returning: bool = False


def _skip_preamble(tokens: list[str], rules: HeaderRules) -> int:
    """Index of the first word after fillers and lead-in phrases."""
    i = 0
    while i < len(tokens):
        if tokens[i] in rules.fillers:
            i += 1
            continue
        for lead in rules.lead_ins:
            if tuple(tokens[i : i + len(lead)]) == lead:
                i += len(lead)
                break
        else:
            return i
    return i


def _cue_index(fmt: NoteFormat) -> list[tuple[tuple[str, ...], str, bool]]:
    """Every cue as words, with its field and whether it is a single letter; longest first."""
    cues = [
        (tuple(w for w, _, _ in words(cue)), spec.id, len(cue) == 1)
        for spec in fmt.fields
        for cue in spec.cues
    ]
    return sorted(cues, key=lambda c: len(c[0]), reverse=True)


def match_header(sentence: str, fmt: NoteFormat, rules: HeaderRules) -> HeaderMatch | None:
    """The field whose spoken header opens ``sentence``, and the words after it."""
    found = words(sentence)
    tokens = [w for w, _, _ in found]
    start = _skip_preamble(tokens, rules)
    if start >= len(tokens):
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
        following = after.lstrip()[:1]
        allowed = LETTER_PUNCT if letter else HEADER_PUNCT
        if following and following not in allowed:
            continue
        rest = after.lstrip()[1:] if following else ""
        return HeaderMatch(field_id=field_id, rest=tidy(rest), returning=returning)
    if start == len(tokens) - 1 and tokens[start] in rules.misheard:
        heard = rules.misheard[tokens[start]]
        for cue, field_id, _letter in _cue_index(fmt):
            if cue == (heard,):
                return HeaderMatch(field_id=field_id, rest="")
    return None
