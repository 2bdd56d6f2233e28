"""Split a transcript into the fields of a note format.

Sentences come from a spaCy ``blank("en")`` pipeline with a sentencizer (the
only place spaCy is imported). A spoken section header ("Subjective.", "Okay,
for the plan,") starts a field and is not part of its text. Sentences dictated
before any header go to the first field, flagged with a low confidence. Every
sentence lands in exactly one field. This stage never transcribes or renders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .types import Draft, DraftField, NoteFormat, Sentence

SEGMENTER_ID = "headers-v1"
FILLERS = frozenset({"okay", "ok", "um", "uh", "so", "alright", "and", "now", "right", "well"})
LEAD_INS = (
    ("going", "back", "to"),
    ("back", "to"),
    ("moving", "on", "to"),
    ("moving", "to"),
    ("on", "to"),
    ("onto",),
    ("next",),
    ("for",),
    ("the",),
    ("section",),
    ("under",),
)
HEADER_PUNCT = frozenset(".,:;-")
# A single-letter cue ("S", "A") counts only when it stands alone or before ":"/".".
LETTER_PUNCT = frozenset(".:")
UNPLACED_CONFIDENCE = 0.3
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'\u2019]*|[0-9]+|[^\sA-Za-z0-9]")


@dataclass(frozen=True)
class HeaderMatch:
    """A spoken header found at the start of a sentence."""

    field_id: str
    rest: str


@lru_cache(maxsize=1)
def _nlp() -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` as plain strings, whitespace-normalized."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return []
    return [s.text.strip() for s in _nlp()(cleaned).sents if s.text.strip()]


def _tokens(sentence: str) -> list[tuple[str, int, int]]:
    return [(m.group().lower(), m.start(), m.end()) for m in _WORD_RE.finditer(sentence)]


def _skip_preamble(tokens: list[tuple[str, int, int]]) -> int:
    """Index of the first token after fillers, commas and lead-in phrases."""
    i = 0
    while i < len(tokens):
        word = tokens[i][0]
        if word in FILLERS or word in {",", "-"}:
            i += 1
            continue
        for lead in LEAD_INS:
            if tuple(t[0] for t in tokens[i : i + len(lead)]) == lead:
                i += len(lead)
                break
        else:
            return i
    return i


def match_header(sentence: str, fmt: NoteFormat) -> HeaderMatch | None:
    """The field whose spoken header opens ``sentence``, and the words after it."""
    tokens = _tokens(sentence)
    start = _skip_preamble(tokens)
    best: tuple[int, str] | None = None
    for spec in fmt.fields:
        for cue in spec.cues:
            words = tuple(w for w, _, _ in _tokens(cue))
            if tuple(t[0] for t in tokens[start : start + len(words)]) != words:
                continue
            end = start + len(words)
            following = tokens[end][0] if end < len(tokens) else None
            allowed = LETTER_PUNCT if len(cue) == 1 else HEADER_PUNCT
            if following is not None and following not in allowed:
                continue
            if best is None or end > best[0]:
                best = (end, spec.id)
    if best is None:
        return None
    end, field_id = best
    rest_start = tokens[end][2] if end < len(tokens) else len(sentence)
    rest = sentence[rest_start:].strip()
    if rest and not any(ch.isalnum() for ch in rest):
        rest = ""
    return HeaderMatch(field_id=field_id, rest=_capitalize(rest))


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def segment_transcript(text: str, fmt: NoteFormat) -> Draft:
    """Place every sentence of ``text`` into a field of ``fmt``."""
    placed: dict[str, list[Sentence]] = {f.id: [] for f in fmt.fields}
    current: str | None = None
    for sentence in split_sentences(text):
        header = match_header(sentence, fmt)
        if header is not None:
            current = header.field_id
            if header.rest:
                placed[current].append(Sentence(header.rest, "spoken_header", 1.0))
            continue
        if current is None:
            placed[fmt.fields[0].id].append(Sentence(sentence, "unplaced", UNPLACED_CONFIDENCE))
        else:
            placed[current].append(Sentence(sentence, "spoken_header", 1.0))
    fields = tuple(DraftField(f.id, f.label, tuple(placed[f.id])) for f in fmt.fields)
    return Draft(
        format=fmt.id,
        transcript=" ".join(text.split()),
        fields=fields,
        segmenter=SEGMENTER_ID,
    )
