"""Word error rate, placement, clinical-term and word-mark scores, measured against a reference text.

Used by the tests and benchmarks, never by the pipeline. Both texts are
normalized the same way first (case, punctuation, hyphens, number words), so
that "PHQ-9 of fourteen" and "PHQ nine of 14" count as the same words.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .core.policy import PRIVATE_CUT_MARK
from .core.types import Draft, Sentence

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


def _placed_in_order(draft: Draft) -> list[tuple[str, Sentence]]:
    """(field, sentence) for each sentence of the draft and its private note ("private:<id>"), as dictated."""
    rows = []
    for prefix, d in (("", draft), ("private:", draft.private)):
        if d is None:
            continue
        for order, field in enumerate(d.fields):
            for n, sentence in enumerate(field.sentences):
                at = _dictated_at(draft, bool(prefix), sentence.span[0] if sentence.span else 0)
                rows.append(((*at, order, n), prefix + field.id, sentence))
    rows.sort(key=lambda r: r[0])
    return [(f, sentence) for _, f, sentence in rows]


def _draft_words(draft: Draft) -> list[tuple[str, str]]:
    """(word, field) for every word of the draft and its private note, in dictation order."""
    placed = _placed_in_order(draft)
    return [(w, f) for f, sentence in placed for w in normalize_for_wer(sentence.text).split()]


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


# --- clinical terms (benchmarks/terms.py) -------------------------------------------

_ORDINALS = {
    "first": "one",
    "second": "two",
    "third": "three",
    "fourth": "four",
    "fifth": "five",
    "sixth": "six",
    "seventh": "seven",
    "eighth": "eight",
    "ninth": "nine",
    "tenth": "ten",
    "eleventh": "eleven",
    "twelfth": "twelve",
    "thirteenth": "thirteen",
    "fourteenth": "fourteen",
    "fifteenth": "fifteen",
    "sixteenth": "sixteen",
    "seventeenth": "seventeen",
    "eighteenth": "eighteen",
    "nineteenth": "nineteen",
    "twentieth": "twenty",
    "thirtieth": "thirty",
}
_ORDINAL_RE = re.compile(rf"\b(?:{'|'.join(_ORDINALS)})\b")
_MULTIPLIERS = {"100": 100, "thousand": 1000}


def _join_compound_numbers(words: list[str]) -> list[str]:
    """Digits of one spoken number made one: ["1", "thousand"] -> "1000", ["100", "50"] -> "150"."""
    out: list[str] = []
    for w in words:
        prev = out[-1] if out else ""
        if w == "thousand" and prev.isdigit():
            out[-1] = str(int(prev) * 1000)
        elif w.isdigit() and prev.isdigit() and int(prev) % 100 == 0 and int(prev) > 0 and int(w) < 100:
            out[-1] = str(int(prev) + int(w))
        elif prev == "point" and w.isdigit() and len(out) > 1 and out[-2].isdigit():
            out[-2:] = [f"{out[-2]}point{w}"]  # "zero point eight" and "0.8": one word, "0point8"
        else:
            out.append(w)
    return out


def term_words(text: str) -> list[str]:
    """Words of ``text`` as terms are matched: ``normalize_for_wer`` plus ordinals and compound numbers.

    "March third" and "March 3rd" both give ``["march", "3"]``; "one hundred fifty
    milligrams" and "150 mg" both give ``["150", "milligrams"]``; a decimal is one word
    ("3.5" -> "3point5"), so it never counts as the whole number after its point.
    """
    text = re.sub(r"(?<=\d)(?:st|nd|rd|th)\b", "", text.lower())
    text = re.sub(r"(?<=\d)\.(?=\d)", " point ", text)
    text = _ORDINAL_RE.sub(lambda m: _ORDINALS[m.group()], text)
    return _join_compound_numbers(normalize_for_wer(text).split())


def count_term(words: Sequence[str], form: str) -> int:
    """Non-overlapping occurrences of ``form`` in ``words`` (from ``term_words``), spacing ignored.

    The form's words are joined without spaces and compared with runs of whole words,
    so "C S S R S", "C-SSRS" and "cssrs" are one term, as are "PHQ 9" and "PHQ9".
    """
    target = "".join(term_words(form))
    if not target:
        return 0
    found, i = 0, 0
    while i < len(words):
        joined, j = "", i
        while j < len(words) and len(joined) < len(target) and target.startswith(joined + words[j]):
            joined += words[j]
            j += 1
        if joined == target:
            found += 1
            i = j
        else:
            i += 1
    return found


@dataclass(frozen=True)
class TermSpan:
    """A labelled term of a dictation: its kind, the words as spoken, and how a note writes it."""

    kind: str
    text: str
    canonical: str

    @property
    def forms(self) -> tuple[str, ...]:
        """The spoken and the written form (either counts as heard)."""
        return (self.text, self.canonical) if self.text != self.canonical else (self.text,)


@dataclass(frozen=True)
class TermScore:
    """Per kind: terms said, terms found in the hypothesis; and the canonical forms missed."""

    said: dict[str, int]
    found: dict[str, int]
    missed: tuple[TermSpan, ...]


def score_terms(spans: Sequence[TermSpan], hypothesis: str) -> TermScore:
    """How many of the labelled ``spans`` the hypothesis contains, per kind.

    A term said n times counts as found as often as any of its forms occurs, up to n.
    """
    words = term_words(hypothesis)
    groups: dict[tuple[str, str], list[TermSpan]] = defaultdict(list)
    for span in spans:
        groups[(span.kind, "".join(term_words(span.canonical)))].append(span)
    said: Counter[str] = Counter()
    found: Counter[str] = Counter()
    missed: list[TermSpan] = []
    for (kind, _), group in groups.items():
        forms = {form for span in group for form in span.forms}
        hits = min(len(group), max(count_term(words, form) for form in forms))
        said[kind] += len(group)
        found[kind] += hits
        missed.extend(group[hits:])
    return TermScore(dict(said), dict(found), tuple(missed))


_LETTER_RUN_RE = re.compile(r"\b[a-z](?: [a-z]\b)+")


def collapse_letters(normalized: str) -> str:
    """Runs of single letters in normalized text made one word: "denies s i" -> "denies si"."""
    return _LETTER_RUN_RE.sub(lambda m: m.group().replace(" ", ""), normalized)


@dataclass(frozen=True)
class WordCounts:
    """Reference words, word errors (substituted, deleted, inserted) and deleted (skipped) words."""

    words: int
    errors: int
    skipped: int


def count_word_errors(reference: str, hypothesis: str) -> WordCounts:
    """Align two texts normalized as for WER, letters spelled one by one joined (needs jiwer).

    "S I" and "SI" are then one word each, so a spelled-out acronym that Whisper writes
    whole is no error. ``skipped``: reference words with no aligned hypothesis word.
    """
    import jiwer

    ref = collapse_letters(normalize_for_wer(reference))
    hyp = collapse_letters(normalize_for_wer(hypothesis))
    words = len(ref.split())
    if not words or not hyp:
        return WordCounts(words, max(words, len(hyp.split())), words)
    out = jiwer.process_words(ref, hyp)
    return WordCounts(words, out.substitutions + out.deletions + out.insertions, out.deletions)


def false_terms(reference: str, hypothesis: str, lexicon: Sequence[str]) -> list[str]:
    """Lexicon terms the hypothesis holds more often than the reference: terms that were not said."""
    ref, hyp = term_words(reference), term_words(hypothesis)
    extra: list[str] = []
    for term in lexicon:
        extra.extend([term] * max(0, count_term(hyp, term) - count_term(ref, term)))
    return extra


# --- how well the marks work (benchmarks/terms.py) ----------------------------------


@dataclass(frozen=True)
class MarkScore:
    """Hypothesis words, the wrong ones (not aligned to an equal reference word), the marked ones, both."""

    words: int = 0
    wrong: int = 0
    marked: int = 0
    wrong_marked: int = 0

    def __add__(self, other: MarkScore) -> MarkScore:
        return MarkScore(
            self.words + other.words,
            self.wrong + other.wrong,
            self.marked + other.marked,
            self.wrong_marked + other.wrong_marked,
        )

    @property
    def recall(self) -> float | None:
        """Share of the wrong words that are marked (None when no word is wrong)."""
        return self.wrong_marked / self.wrong if self.wrong else None

    @property
    def precision(self) -> float | None:
        """Share of the marked words that are wrong (None when no word is marked)."""
        return self.wrong_marked / self.marked if self.marked else None


def draft_sentences(draft: Draft) -> list[Sentence]:
    """The sentences of a draft and its private note, in the order they were dictated."""
    return [sentence for _, sentence in _placed_in_order(draft)]


def marked_words(sentences: Sequence[Sentence]) -> list[tuple[str, bool]]:
    """The words of ``sentences`` normalized as ``count_word_errors`` does, each with whether it is marked.

    A word is marked when an uncertain-word or correction span of its sentence
    covers any of its characters. Words the normalizing joins or splits ("S I" ->
    "si", "5mg" -> "5 milligrams") are marked when any of their parts is.
    """
    parts: list[tuple[str, bool]] = []
    for s in sentences:
        spans = [(m.start, m.end) for m in s.uncertain] + [(c.start, c.end) for c in s.corrections]
        for token in re.finditer(r"\S+", s.text):
            flag = any(start < token.end() and token.start() < end for start, end in spans)
            parts.extend((w, flag) for w in normalize_for_wer(token.group()).split())
    whole = collapse_letters(normalize_for_wer(" ".join(s.text for s in sentences))).split()
    flags = [False] * len(whole)
    matcher = difflib.SequenceMatcher(a=[w for w, _ in parts], b=whole, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            for k in range(b1 - b0):
                flags[b0 + k] = parts[a0 + k][1]
        elif op == "replace":
            flags[b0:b1] = [any(flag for _, flag in parts[a0:a1])] * (b1 - b0)
    return list(zip(whole, flags, strict=True))


def score_marks(reference: str, sentences: Sequence[Sentence]) -> MarkScore:
    """How well the marks of ``sentences`` point at their wrong words, against ``reference`` (needs jiwer).

    Both sides are normalized as for WER with spelled letters joined
    (``count_word_errors``); a hypothesis word is wrong unless the alignment pairs
    it with an equal reference word (substituted and inserted words are wrong).
    """
    import jiwer

    words = marked_words(sentences)
    ref = collapse_letters(normalize_for_wer(reference))
    right: set[int] = set()
    if ref and words:
        out = jiwer.process_words(ref, " ".join(w for w, _ in words))
        for chunk in out.alignments[0]:
            if chunk.type == "equal":
                right.update(range(chunk.hyp_start_idx, chunk.hyp_end_idx))
    wrong = [i not in right for i in range(len(words))]
    return MarkScore(
        words=len(words),
        wrong=sum(wrong),
        marked=sum(flag for _, flag in words),
        wrong_marked=sum(flag and bad for (_, flag), bad in zip(words, wrong, strict=True)),
    )


# --- the real-world notes (../shared/corpus/realworld-dev.jsonl) ---------------------------------


def realworld_half(index: int) -> str:
    """Which half of the real-world notes the note at ``index`` (its place in the file) is in.

    "dev" (even places) or "held-out" (odd): anything trained or tuned on these notes reads the dev
    half only (``realworld_notes(corpus, "dev")``); the held-out half measures it.
    """
    return "dev" if index % 2 == 0 else "held-out"


def gold_sentences(text: str) -> list[str]:
    """A labelled section's text as the units it is scored (and trained) by: each line's sentences.

    A plain regex, not the segmenter's own splitter, so the gold units do not depend on it.
    """
    return [
        s for line in text.splitlines() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])", line.strip()) if s
    ]


def realworld_notes(corpus: Path, half: str | None = None) -> list[dict[str, Any]]:
    """The real-world notes in ``corpus`` (``realworld-dev.jsonl``), all or one half; [] if absent.

    Read at run time from ``../shared``, never copied into the repository.
    """
    path = corpus / "realworld-dev.jsonl"
    if not path.is_file():
        return []
    notes = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [n for i, n in enumerate(notes) if half is None or realworld_half(i) == half]
