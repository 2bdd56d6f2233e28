"""Word error rate for measuring transcription against a reference text.

Used by the tests and benchmarks, never by the pipeline. Both texts are
normalized the same way first (case, punctuation, hyphens, number words), so
that "PHQ-9 of fourteen" and "PHQ nine of 14" count as the same words.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from .core.policy import PRIVATE_CUT_MARK
from .core.types import Draft

# Gold labels that are not content: spoken headers and voice commands.
NOT_CONTENT = frozenset({"header", "command"})

_UNIT_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
)
_TEN_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety"
_UNITS = {w: i for i, w in enumerate(_UNIT_WORDS.split())}
_TENS = {w: 10 * i for i, w in enumerate(_TEN_WORDS.split(), start=2)}
_SPELLINGS = {"mg": "milligrams", "%": " percent", "&": " and ", "ok": "okay"}


def _numbers_to_digits(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w in _TENS:
            value = _TENS[w]
            if i + 1 < len(words) and words[i + 1] in _UNITS and 0 < _UNITS[words[i + 1]] < 10:
                value += _UNITS[words[i + 1]]
                i += 1
            out.append(str(value))
        elif w in _UNITS:
            out.append(str(_UNITS[w]))
        elif w == "hundred" and out and out[-1].isdigit():
            out[-1] = str(int(out[-1]) * 100)
        else:
            out.append(w)
        i += 1
    return out


def normalize_for_wer(text: str) -> str:
    """Lower-case words with punctuation dropped and number words as digits."""
    text = text.lower().replace("\u2019", "'")
    for raw, spelled in _SPELLINGS.items():
        text = re.sub(rf"(?<![a-z]){re.escape(raw)}(?![a-z])", spelled, text)
    text = re.sub(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])", " ", text)
    text = re.sub(r"[-/]", " ", text)
    text = re.sub(r"'", "", text)
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return " ".join(_numbers_to_digits(text.split()))


def word_error_rate(reference: str, hypothesis: str) -> float:
    """WER of ``hypothesis`` against ``reference`` after normalizing both (needs jiwer)."""
    import jiwer

    ref = normalize_for_wer(reference)
    hyp = normalize_for_wer(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return float(jiwer.wer(ref, hyp))


@dataclass(frozen=True)
class PlacementScore:
    """Per gold sentence (index, gold label, predicted field or "<lost>"), and leaked words."""

    results: tuple[tuple[int, str, str], ...]
    leaked: int

    @property
    def accuracy(self) -> float:
        """Share of gold sentences placed in their field."""
        if not self.results:
            return 1.0
        return sum(g == p for _, g, p in self.results) / len(self.results)

    @property
    def lost(self) -> int:
        """Gold sentences none of whose words reached the draft."""
        return sum(p == "<lost>" for _, _, p in self.results)


def _dictated_at(draft: Draft, private: bool, start: int) -> tuple[int, int]:
    """Where words at ``start`` of the draft's (or its private note's) transcript were dictated, in order.

    The clinical transcript has a cut mark where each private span was; the private
    transcript holds those spans one a line, so private words sort at their mark.
    """
    marks = [m.start() for m in re.finditer(re.escape(PRIVATE_CUT_MARK), draft.transcript)]
    if not private or not marks or draft.private is None:
        return (start, 0)
    line = draft.private.transcript.count("\n", 0, start)
    return (marks[min(line, len(marks) - 1)], 1 + start)


def _draft_words(draft: Draft) -> list[tuple[str, str]]:
    """(word, field) for every word of the draft and its private note, in dictation order."""
    rows = []
    for prefix, d in (("", draft), ("private:", draft.private)):
        if d is None:
            continue
        for order, field in enumerate(d.fields):
            for n, sentence in enumerate(field.sentences):
                at = _dictated_at(draft, bool(prefix), sentence.span[0] if sentence.span else 0)
                for w in normalize_for_wer(sentence.text).split():
                    rows.append(((*at, order, n), w, prefix + field.id))
    rows.sort(key=lambda r: r[0])
    return [(w, f) for _, w, f in rows]


def score_placement(parts: Sequence[tuple[str, str]], draft: Draft) -> PlacementScore:
    """Compare a draft with gold (text, label) parts of the dictation it came from.

    Words are aligned in order; a gold sentence's prediction is the field most of
    its words landed in. Labels: a field id, ``private:<field>``, ``header``,
    ``command``, or ``deleted`` (retracted by "scratch that": its words must not
    appear). Retracted words are left out of that alignment, so a word they share
    with the next sentence ("He agreed… Scratch that. He said…") is not taken for
    a leak; a leak is a draft word that no kept word accounts for and that matches
    a retracted word, in order.
    """
    gold_words: list[tuple[str, int]] = []
    retracted: list[str] = []
    for i, (text, label) in enumerate(parts):
        words = normalize_for_wer(text).split()
        if label == "deleted":
            retracted.extend(words)
        else:
            gold_words.extend((w, i) for w in words)
    pred = _draft_words(draft)
    matcher = difflib.SequenceMatcher(a=[w for w, _ in gold_words], b=[w for w, _ in pred], autojunk=False)
    votes: dict[int, Counter[str]] = defaultdict(Counter)
    accounted: set[int] = set()
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            votes[gold_words[block.a + k][1]][pred[block.b + k][1]] += 1
            accounted.add(block.b + k)
    results = []
    for i, (_text, label) in enumerate(parts):
        if label in NOT_CONTENT or label == "deleted":
            continue
        if not votes[i]:
            results.append((i, label, "<lost>"))
        else:
            results.append((i, label, votes[i].most_common(1)[0][0]))
    extra = [w for j, (w, _) in enumerate(pred) if j not in accounted]
    leaks = difflib.SequenceMatcher(a=retracted, b=extra, autojunk=False).get_matching_blocks()
    return PlacementScore(tuple(results), sum(block.size for block in leaks))
