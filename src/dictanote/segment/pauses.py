"""Pauses as sentence boundaries: a header or a private-note cue that Whisper ran into a sentence.

When Whisper drops punctuation ("...denies HI Objective 30 minute visit", "...next week private note.
I catch myself"), the word timings still show where the clinician stopped. A pause of ``PAUSE_S`` or
more before a format's header words or a private-note cue, which then stand apart from the words after
them, is written as the punctuation it stands for: a period after the word before the pause and one
after the cue. So is a cue that Whisper ran onto the end of the sentence before, timing the silence
after it. Only punctuation is added, so every dictated word stays, in order; nothing is placed here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..core.types import NoteFormat, Word
from .marks import word_spans
from .rules import CommandRules, HeaderRules
from .units import words

# The shortest silence (s) between two words that ends a sentence. In our samples and the corpus's
# dictations through piper and espeak-ng, tiny.en leaves no gap inside a sentence (99th percentile
# 0.14 s, none reaching 0.3 s where it wrote no punctuation), and 0.24-0.36 s or more at the 5th-10th
# percentile of sentence ends; a comma's pause is 0.3-0.4 s, and is a boundary only before a cue.
PAUSE_S = 0.3
# The most fillers and lead-ins between the pause and the cue ("and the plan", "okay so going back to the").
PREAMBLE_WORDS = 6
# A cue Whisper ran onto the end of the sentence before (the pause timed after it) counts only when
# Whisper was unsure of it: in our audio such headers scored 0.02 and 0.43, and the content words that
# end a sentence ("as a trauma response.", "the only thing helping progress.") 0.70 and 1.00.
CLOSING_DOUBT = 0.5
# Commands whose phrases are cues here: a pause before them switches the private note even mid-sentence.
PRIVATE_COMMANDS = ("private_start", "private_end", "private_switch")
# Words before a cue that make it a noun of the sentence ("her plan", "a private note"), not a header.
NOUN_BEFORE = frozenset(
    [
        *("the", "a", "an", "her", "his", "their", "my", "our", "your", "its", "this", "that", "these"),
        *("those", "safety", "crisis", "treatment", "care", "no", "any", "of", "same", "own", "discharge"),
        *("relapse", "medication"),
    ]
)
# Words right after a cue that make it the sentence's subject ("Plan is to...", "Progress has been slow").
SUBJECT_AFTER = frozenset(
    [
        *("of", "to", "is", "was", "are", "were", "has", "had", "have", "will", "would", "can", "could"),
        *("should", "may", "might", "must", "do", "does", "did", "remains", "remained", "seems", "seemed"),
        *("looks", "includes", "included", "shows", "showed", "reveals", "revealed", "also", "toward"),
        *("towards",),
    ]
)
# Capitalized words that do not show a new sentence after a cue (Whisper capitalizes "I" anywhere).
_NOT_SENTENCE_START = frozenset({"i", "i'm", "i've", "i'd", "i'll"})
_SENTENCE_END = re.compile(r"[.?!;:]")
_AFTER_CUE = frozenset(".,;:!?")


@dataclass(frozen=True)
class _Cue:
    """Where a cue's words lie in the text: from the first (after any preamble) to the last."""

    start: int
    end: int
    header: bool  # a format's header (not a private-note cue)


def mark_pauses(
    text: str, heard: Sequence[Word], fmt: NoteFormat, header_rules: HeaderRules, command_rules: CommandRules
) -> str:
    """``text`` with a sentence boundary written wherever a pause sets a header or private cue apart.

    ``heard``: the transcript's words with their times (none for typed text: ``text`` comes back
    unchanged). Offsets are found as the word marks find them (``marks.word_spans``).
    """
    if len(heard) < 2:
        return text
    spans = word_spans(text, heard)
    cues = _cues(fmt, command_rules)
    edits: set[tuple[int, int, str]] = set()  # (start, end, written) on the text
    for j in range(1, len(heard)):
        edits.update(_opening(text, heard, spans, cues, header_rules, j))
        edits.update(_closing(text, heard, spans, cues, j))
    for start, end, written in sorted(edits, reverse=True):
        text = text[:start] + written + text[end:]
    return text


_Spans = Sequence[tuple[int, int] | None]
_Cues = tuple[tuple[tuple[str, ...], bool], ...]


def _opening(
    text: str, heard: Sequence[Word], spans: _Spans, cues: _Cues, rules: HeaderRules, j: int
) -> list[tuple[int, int, str]]:
    """The boundary edits for a cue opening after a pause before word ``j`` (none if there is no such cue)."""
    before, here = spans[j - 1], spans[j]
    if before is None or here is None or heard[j].start - heard[j - 1].end < PAUSE_S:
        return []
    if not (_whole_word(text, *before) and _whole_word(text, *here)):
        return []  # found inside another word: the text was rewritten there
    cue = _cue_at(text, here[0], cues, rules)
    if cue is None or not _stands_apart(text, here[0], cue, heard, spans, j):
        return []
    if cue.start == here[0] and _continues(text, before[1], cue, cues):
        return []
    edits = []
    gap = text[before[1] : here[0]]
    if not _SENTENCE_END.search(gap):
        comma = gap.find(",")
        at = before[1] + comma if comma >= 0 else before[1]
        edits.append((at, at + (comma >= 0), "."))
    if text[cue.end : cue.end + 1] not in _AFTER_CUE:
        edits.append((cue.end, cue.end, "."))
    return edits


def _closing(
    text: str, heard: Sequence[Word], spans: _Spans, cues: _Cues, j: int
) -> list[tuple[int, int, str]]:
    """The boundary edits for a cue run onto the sentence before it, ending at word ``j`` before a pause.

    Whisper often times the silence before a header after it instead ("...without prompting
    assessment. It's..."): a cue that ends a sentence Whisper wrote, with the pause after it, no
    punctuation before it and no word before that makes it a noun ("her plan."), opens a sentence:
    a header when Whisper was unsure of its words (``CLOSING_DOUBT``), a private-note cue always.
    """
    here, following = spans[j], spans[j + 1] if j + 1 < len(heard) else None
    if here is None or following is None or heard[j + 1].start - heard[j].end < PAUSE_S:
        return []
    after = text[here[1] : following[0]]
    if not _whole_word(text, *here) or not (_SENTENCE_END.search(after) or _capitalized(text, following[0])):
        return []
    found = words(text[max(0, here[1] - 80) : here[1]])
    base = max(0, here[1] - 80)
    tokens = tuple(w for w, _, _ in found)
    for cue, header in cues:
        if len(tokens) <= len(cue) or tokens[-len(cue) :] != cue:
            continue
        start, previous = base + found[-len(cue)][1], base + found[-len(cue) - 1][2]
        if not text[previous:start].isspace() or _continues(
            text, previous, _Cue(start, here[1], header), cues
        ):
            return []
        if header and _least_sure(heard, spans, j, start) >= CLOSING_DOUBT:
            return []  # a private-note cue needs no doubt: missing it would leak the private words
        ends = [(previous, previous, ".")]
        return ends if after[:1] in _AFTER_CUE else [*ends, (here[1], here[1], ".")]
    return []


def _least_sure(heard: Sequence[Word], spans: _Spans, j: int, start: int) -> float:
    """The lowest probability of words ``j``, ``j - 1``, ... that lie at or after ``start``."""
    lowest = 1.0
    while j >= 0 and (span := spans[j]) is not None and span[0] >= start:
        lowest = min(lowest, heard[j].probability)
        j -= 1
    return lowest


def _capitalized(text: str, at: int) -> bool:
    """Whether the word at ``at`` is capitalized as a sentence start ("She", not "I")."""
    first = words(text[at : at + 20])
    return bool(first) and text[at].isupper() and first[0][0] not in _NOT_SENTENCE_START


@lru_cache(maxsize=32)
def _cues(fmt: NoteFormat, rules: CommandRules) -> tuple[tuple[tuple[str, ...], bool], ...]:
    """The format's header cues of whole words (a one-letter cue never counts inside a sentence) and the
    private-note cues, as lower-case words with whether each is a header; longest first."""
    headers = {
        tuple(w for w, _, _ in words(cue)): True for spec in fmt.fields for cue in spec.cues if len(cue) > 1
    }
    private = {phrase: False for name in PRIVATE_COMMANDS for phrase in rules.phrases.get(name, ())}
    found = {**headers, **private}
    return tuple(sorted(((c, h) for c, h in found.items() if c), key=lambda c: len(c[0]), reverse=True))


def _cue_at(
    text: str, at: int, cues: tuple[tuple[tuple[str, ...], bool], ...], rules: HeaderRules
) -> _Cue | None:
    """The cue that opens ``text`` at ``at``, after at most ``PREAMBLE_WORDS`` fillers or lead-ins."""
    most = max((len(c) for c, _ in cues), default=0) + PREAMBLE_WORDS
    found = words(text[at : at + 24 * most])[:most]
    tokens = [w for w, _, _ in found]
    k = 0
    while k <= PREAMBLE_WORDS and k < len(tokens):
        if k and _SENTENCE_END.search(text[at + found[k - 1][2] : at + found[k][1]]):
            return None  # the preamble ended a sentence: the cue is not this pause's
        for cue, header in cues:
            if tuple(tokens[k : k + len(cue)]) == cue:
                return _Cue(at + found[k][1], at + found[k + len(cue) - 1][2], header)
        step = next((len(lead) for lead in rules.lead_ins if tuple(tokens[k : k + len(lead)]) == lead), 0)
        k += step or int(tokens[k] in rules.fillers) or PREAMBLE_WORDS + 1
    return None


def _stands_apart(
    text: str, opening: int, cue: _Cue, heard: Sequence[Word], spans: Sequence[tuple[int, int] | None], j: int
) -> bool:
    """Whether the cue (said from ``opening``, its preamble included) stands apart from the words after it.

    Whisper capitalized it or the next word, punctuated it, or the clinician paused after it too;
    a header followed by a verb ("Plan is to ...") is the sentence's subject.
    """
    after = text[cue.end : cue.end + 1]
    if after in _AFTER_CUE or not text[cue.end :].strip():
        return True
    following = words(text[cue.end : cue.end + 40])
    if cue.header and following and following[0][0] in SUBJECT_AFTER:
        return False
    if text[opening].isupper():
        return True
    if following:
        first, start, _ = following[0]
        if text[cue.end + start].isupper() and first not in _NOT_SENTENCE_START:
            return True
    return _paused_after(cue.end, heard, spans, j)


def _paused_after(end: int, heard: Sequence[Word], spans: Sequence[tuple[int, int] | None], j: int) -> bool:
    """Whether the clinician paused after the word that ends at ``end`` (the cue's last word)."""
    for k in range(j, len(heard) - 1):
        span = spans[k]
        if span is not None and span[1] >= end:
            return span[1] == end and heard[k + 1].start - heard[k].end >= PAUSE_S
    return False


def _continues(text: str, end: int, cue: _Cue, cues: tuple[tuple[tuple[str, ...], bool], ...]) -> bool:
    """Whether the words before the pause (ending at ``end``) make the cue a noun ("her plan") or
    begin a longer cue it ends ("end | private note", "client | response"): then it is no boundary."""
    before = [w for w, _, _ in words(text[max(0, end - 60) : end])]
    if before and before[-1] in NOUN_BEFORE:
        return True
    said = tuple(w for w, _, _ in words(text[cue.start : cue.end]))
    return any(
        len(longer) > len(said)
        and longer[-len(said) :] == said
        and tuple(before[-(len(longer) - len(said)) :]) == longer[: len(longer) - len(said)]
        for longer, _ in cues
    )


def _whole_word(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is whole words, not part of a longer one."""
    return not (start > 0 and text[start - 1].isalnum()) and not (end < len(text) and text[end].isalnum())
