"""Where the clinician should look: words Whisper was unsure of, and the vocabulary's corrections.

Finds the transcript's low-probability words in its text, moves their offsets
past the corrections the vocabulary layer made, and hands each mark to the
sentence that holds it (offsets into that sentence's text). Marks only point at
words; they never change a word or where a sentence is placed.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Sequence
from dataclasses import replace

from ..core.policy import UNCERTAIN_WORD
from ..core.types import Correction, UncertainWord, Word
from .units import Unit

log = logging.getLogger(__name__)

# Punctuation Whisper attaches to a word; the mark covers the word itself.
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")


def uncertain_words(
    text: str, words: Sequence[Word], threshold: float = UNCERTAIN_WORD
) -> tuple[UncertainWord, ...]:
    """The words of ``text`` heard with a probability below ``threshold``, neighbours joined into one span.

    ``words`` are the transcript's words in order (their texts appear in ``text``
    in that order); offsets point into ``text``. A word that cannot be found
    (the text was rewritten since) is skipped, and so is everything it would hide.
    """
    marks: list[UncertainWord] = []
    for word, span in zip(words, word_spans(text, words), strict=True):
        if span is None or word.probability >= threshold:
            continue
        found, cursor = span
        core = text[found:cursor]
        last = marks[-1] if marks else None
        if last is not None and not text[last.end : found].strip():
            marks[-1] = UncertainWord(
                last.start, cursor, text[last.start : cursor], min(last.probability, word.probability)
            )
        else:
            marks.append(UncertainWord(found, cursor, core, word.probability))
    return tuple(marks)


def word_spans(text: str, words: Sequence[Word]) -> list[tuple[int, int] | None]:
    """Where each of the transcript's ``words`` is in ``text`` (start, end), found one after another.

    A word is found without the punctuation Whisper attached to it; one that cannot be
    found after the word before it (the text was rewritten since) is None.
    """
    spans: list[tuple[int, int] | None] = []
    cursor = 0
    for word in words:
        core = _EDGE.sub("", word.text.strip())
        found = text.find(core, cursor) if core else -1
        if found < 0:
            spans.append(None)
            continue
        cursor = found + len(core)
        spans.append((found, cursor))
    return spans


def past_corrections(
    uncertain: Sequence[UncertainWord], corrections: Sequence[Correction]
) -> tuple[UncertainWord, ...]:
    """Uncertain words (offsets before correcting) moved into the corrected text.

    ``corrections`` point into the corrected text, in order. A word inside a
    corrected span is dropped: the correction's own mark shows it.
    """
    out: list[UncertainWord] = []
    # Where each correction began in the text before correcting, and the shift after it.
    starts: list[int] = []
    shifts: list[int] = [0]
    for c in corrections:
        before = c.start - shifts[-1]
        starts.append(before)
        shifts.append(shifts[-1] + len(c.replacement) - len(c.original))
    for w in uncertain:
        k = bisect.bisect_right(starts, w.start) - 1
        if k >= 0 and w.start < starts[k] + len(corrections[k].original):
            continue
        if k + 1 < len(starts) and w.end > starts[k + 1]:
            continue
        shift = shifts[k + 1]
        out.append(replace(w, start=w.start + shift, end=w.end + shift))
    return tuple(out)


def attach(
    units: Sequence[Unit], uncertain: Sequence[UncertainWord], corrections: Sequence[Correction]
) -> list[Unit]:
    """``units`` (offsets into the text the marks point into) with each mark moved into its unit's text.

    A mark goes to the last unit that starts at or before it, at the occurrence of
    its words nearest to where it was; one whose words the rewriting changed
    ("S I" became "SI") is looked for case-insensitively, and else left out.
    """
    order = sorted(range(len(units)), key=lambda i: units[i].start)
    starts = [units[i].start for i in order]
    found: dict[int, tuple[list[UncertainWord], list[Correction]]] = {i: ([], []) for i in range(len(units))}
    missed = 0
    marks: list[UncertainWord | Correction] = [*uncertain, *corrections]
    for mark in marks:
        k = bisect.bisect_right(starts, mark.start) - 1
        if k < 0:
            missed += 1
            continue
        index = order[k]
        unit = units[index]
        if mark.start >= unit.end:  # in a header or a command, not in this unit's words
            missed += 1
            continue
        words = mark.text if isinstance(mark, UncertainWord) else mark.replacement
        at = _nearest(unit.text, words, mark.start - unit.start)
        if at is None:
            missed += 1
            continue
        if isinstance(mark, UncertainWord):
            found[index][0].append(replace(mark, start=at, end=at + len(words)))
        else:
            found[index][1].append(replace(mark, start=at, end=at + len(words)))
    if missed:
        log.debug("%d word marks fell on rewritten words", missed)
    return [
        replace(
            u,
            uncertain=tuple(sorted(found[i][0], key=lambda m: m.start)),
            corrections=tuple(sorted(found[i][1], key=lambda m: m.start)),
        )
        for i, u in enumerate(units)
    ]


def _nearest(text: str, words: str, near: int) -> int | None:
    """Where ``words`` occur in ``text`` closest to offset ``near`` (any case), or None."""
    if not words:
        return None
    lowered, target = text.lower(), words.lower()
    best: int | None = None
    at = lowered.find(target)
    while at >= 0:
        if best is None or abs(at - near) < abs(best - near):
            best = at
        at = lowered.find(target, at + 1)
    return best
