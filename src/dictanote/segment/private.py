"""Where the private (psychotherapy) spans of a dictation lie, and the transcripts cut from them.

A private span runs from a "private note" cue to its "end private note" cue (or to
the end of the dictation). The clinical draft's transcript is the dictation with
each span, cues included, replaced by ``PRIVATE_CUT_MARK`` (where, never what); the
private draft's transcript holds only the words inside the spans, one line each.
Commands are heard exactly as the segmenter hears them (``voice.read_commands``).
Nothing here places sentences or reads a format.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass

from ..core.policy import PRIVATE_CUT_MARK
from .normalize import build_normalizer
from .rules import CommandRules, clinical_rules, segmenter_rules
from .units import Unit, words
from .voice import Piece, phrase_re, private_cue, read_commands

# Between two private spans in the private transcript (a line break inside a span becomes a space).
SPAN_SEPARATOR = "\n"


@dataclass(frozen=True)
class PrivateSpan:
    """One private span, as character offsets into the dictated text.

    ``start``..``end`` (the cues included) is cut out of the clinical transcript;
    ``inner_start``..``inner_end``, the words between the cues, goes to the private one.
    A span never closed by "end private note" ends where the text does.
    """

    start: int
    inner_start: int
    inner_end: int
    end: int


def private_spans(
    text: str, read: list[tuple[Unit, list[Piece]]], rules: CommandRules
) -> tuple[PrivateSpan, ...]:
    """The private spans of ``text``, from its units and commands as ``read_commands`` heard them.

    Each cue is found in the dictated words from where the previous words were;
    where a cue cannot be found there (rewriting changed the words around it), the
    span is widened (to the sentence's start, or its end), never narrowed.
    """
    spans: list[PrivateSpan] = []
    opened: tuple[int, int] | None = None
    cursor = 0
    for unit, pieces in read:
        cursor = max(cursor, unit.start)
        lowered = text[unit.start : unit.end].lower()
        for piece in pieces:
            cue = private_cue(piece.command, opened is not None)
            heard = "private_switch" if piece.command == "private_switch" else cue
            if cue == "private_start" and opened is None:
                found = _find(text, rules, "private_start", cursor, unit)
                opened = found or (cursor, cursor)
                cursor = opened[1]
            elif cue == "private_end" and opened is not None:
                found = _find(text, rules, heard or cue, cursor, unit)
                end = found or (unit.end, unit.end)
                spans.append(_span(text, opened, end))
                opened = None
                cursor = end[1]
            elif piece.command is None and len(lowered) == unit.end - unit.start:
                cursor = unit.start + _after_words(lowered, piece.text, cursor - unit.start)
    if opened is not None:
        spans.append(_span(text, opened, (len(text), len(text))))
    return tuple(spans)


def _find(text: str, rules: CommandRules, name: str, cursor: int, unit: Unit) -> tuple[int, int] | None:
    """Where command ``name`` is written in ``unit`` at or after ``cursor`` (start, end).

    A "private note" not found there is looked for from the unit's start (earlier
    only widens the span); an "end private note" is not, so the span never ends early.
    """
    pattern = phrase_re(rules, name)
    match = pattern.search(text, cursor, unit.end)
    if match is None and name == "private_start":
        match = pattern.search(text, unit.start, unit.end)
    return (match.start(), match.end()) if match else None


def _after_words(lowered: str, piece: str, cursor: int) -> int:
    """Where the words of ``piece`` end in ``lowered`` (a unit's text), found one after another.

    A word that rewriting changed ("S I" -> "SI") is not found and skipped.
    """
    for word, _, _ in words(piece):
        found = lowered.find(word, cursor)
        if found >= 0:
            cursor = found + len(word)
    return cursor


def _span(text: str, cue: tuple[int, int], end_cue: tuple[int, int]) -> PrivateSpan:
    inner_start, inner_end = cue[1], max(cue[1], end_cue[0])
    while inner_start < inner_end and text[inner_start].isspace():
        inner_start += 1
    while inner_end > inner_start and text[inner_end - 1].isspace():
        inner_end -= 1
    return PrivateSpan(cue[0], inner_start, inner_end, max(end_cue[1], inner_end))


def clinical_text(text: str, spans: tuple[PrivateSpan, ...]) -> str:
    """``text`` with each private span replaced by ``PRIVATE_CUT_MARK``."""
    parts: list[str] = []
    pos = 0
    for span in spans:
        parts.extend((text[pos : span.start], PRIVATE_CUT_MARK))
        pos = span.end
    parts.append(text[pos:])
    return "".join(parts)


def private_text(text: str, spans: tuple[PrivateSpan, ...]) -> str:
    """The words inside the private spans, one span a line."""
    return SPAN_SEPARATOR.join(text[s.inner_start : s.inner_end].replace(SPAN_SEPARATOR, " ") for s in spans)


class Offsets:
    """Offsets into the dictated text moved into the clinical or the private transcript.

    Built once per dictation; each lookup is a binary search over the spans.
    """

    def __init__(self, spans: tuple[PrivateSpan, ...]) -> None:
        """Index ``spans`` (in order, apart) for lookups."""
        self.spans = spans
        self.starts = [s.start for s in spans]
        self.ends = [s.end for s in spans]
        self.removed = [0, *itertools.accumulate(s.end - s.start - len(PRIVATE_CUT_MARK) for s in spans)]
        lengths = (s.inner_end - s.inner_start + len(SPAN_SEPARATOR) for s in spans)
        self.bases = [0, *itertools.accumulate(lengths)]

    def clinical(self, start: int, end: int) -> tuple[int, int]:
        """A stretch outside the private spans, as offsets into ``clinical_text``.

        A stretch that runs into a private span stops where the cut begins.
        """
        k = bisect.bisect_right(self.starts, start) - 1
        if k >= 0 and start < self.ends[k]:
            start = self.ends[k]
        following = bisect.bisect_right(self.starts, start)
        if following < len(self.starts):
            end = min(end, self.starts[following])
        return self._shifted(start), self._shifted(max(start, end))

    def _shifted(self, offset: int) -> int:
        return offset - self.removed[bisect.bisect_right(self.ends, offset)]

    def private(self, start: int, end: int) -> tuple[int, int]:
        """A stretch inside a private span, as offsets into ``private_text``."""
        if not self.spans:
            return start, end
        k = max(0, bisect.bisect_right(self.starts, start) - 1)
        span = self.spans[k]
        length = span.inner_end - span.inner_start

        def inside(offset: int) -> int:
            return self.bases[k] + min(max(offset - span.inner_start, 0), length)

        return inside(start), inside(max(start, end))


def cut_private(transcript: str, replacements: tuple[tuple[str, str], ...] = ()) -> str:
    """A stored transcript with its private spans cut out, as the segmenter cuts them now.

    Hears the cues exactly as ``segment_transcript`` does (``replacements``: the
    vocabulary's, as the segmenter was given). Cutting a cut transcript changes
    nothing. ``TextInputError`` if it is longer than the segmenter takes.
    """
    _, rules = segmenter_rules()
    read = read_commands(transcript, rules, build_normalizer(clinical_rules(), replacements))
    return clinical_text(transcript, private_spans(transcript, read, rules))
