"""Word marks follow a sentence's words when the clinician edits them (review page and ``$EDITOR`` alike).

One rule, used by both edit paths: a mark (an uncertain word, a correction) is kept
only where its words still stand, unchanged, in the new text, at their new offsets;
a mark on words the clinician rewrote is gone. Plain data; no store, no HTTP.
"""

from __future__ import annotations

import re
from dataclasses import replace
from difflib import SequenceMatcher
from typing import TypeVar

from ..core.types import Correction, Sentence, UncertainWord

Mark = TypeVar("Mark", UncertainWord, Correction)

# How alike an edited sentence must be to a dictated one for its marks to follow it ($EDITOR path).
SIMILAR_SENTENCE = 0.6


# Words and punctuation marks: what edits are aligned on.
_TOKEN = re.compile(r"\w+|[^\w\s]")
# Beyond this many word pairs to compare, only the unchanged start and end of a sentence keep marks.
MAX_ALIGN = 1_000_000


def _offsets(old: str, new: str) -> tuple[dict[int, int], dict[int, int]]:
    """Where each unchanged word of ``old`` starts, and where it ends, in ``new`` (by its offsets in ``old``).

    The common start and end are kept as they are; what lies between is aligned
    word by word (``difflib``), within ``MAX_ALIGN`` comparisons.
    """
    a = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(old)]
    b = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(new)]
    shortest = min(len(a), len(b))
    head = next((i for i in range(shortest) if a[i][2] != b[i][2]), shortest)
    tail = next((i for i in range(shortest - head) if a[-1 - i][2] != b[-1 - i][2]), shortest - head)
    pairs = [(i, i) for i in range(head)] + [(len(a) - 1 - i, len(b) - 1 - i) for i in range(tail)]
    mid_a, mid_b = a[head : len(a) - tail], b[head : len(b) - tail]
    if mid_a and mid_b and len(mid_a) * len(mid_b) <= MAX_ALIGN:
        matcher = SequenceMatcher(None, [t[2] for t in mid_a], [t[2] for t in mid_b], autojunk=False)
        for block in matcher.get_matching_blocks():
            pairs += [(head + block.a + k, head + block.b + k) for k in range(block.size)]
    starts = {a[i][0]: b[k][0] for i, k in pairs}
    ends = {a[i][1]: b[k][1] for i, k in pairs}
    return starts, ends


def _moved(mark: Mark, old: str, new: str, moved: tuple[dict[int, int], dict[int, int]]) -> Mark | None:
    start, end = moved[0].get(mark.start), moved[1].get(mark.end)
    if start is None or end is None or new[start:end] != old[mark.start : mark.end]:
        return None
    return replace(mark, start=start, end=end)


def follow_edit(before: Sentence, text: str) -> Sentence:
    """``before`` with the words ``text``: marks whose words still stand move with them, the rest are gone."""
    if text == before.text:
        return before
    if not before.uncertain and not before.corrections:
        return replace(before, text=text)
    moved = _offsets(before.text, text)
    uncertain = (_moved(w, before.text, text, moved) for w in before.uncertain)
    corrections = (_moved(c, before.text, text, moved) for c in before.corrections)
    return replace(
        before,
        text=text,
        uncertain=tuple(w for w in uncertain if w is not None),
        corrections=tuple(c for c in corrections if c is not None),
    )


def closest(text: str, candidates: list[Sentence]) -> Sentence | None:
    """The candidate most like ``text`` (a reworded sentence), if alike enough for its marks to follow."""
    best, score = None, SIMILAR_SENTENCE
    words = _TOKEN.findall(text)
    for candidate in candidates:
        matcher = SequenceMatcher(None, _TOKEN.findall(candidate.text), words)  # by words: fast on long text
        if matcher.real_quick_ratio() >= score and matcher.quick_ratio() >= score:
            ratio = matcher.ratio()
            if ratio >= score:
                best, score = candidate, ratio
    return best
