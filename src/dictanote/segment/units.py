"""Sentences with their place in the transcript: the segmenter's working unit.

Splitting uses a spaCy ``blank("en")`` pipeline with a sentencizer, loaded once.
A ``Unit`` stays inside the segment stage; what leaves it is a ``Sentence``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .nlp import pipeline

_WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\u2019]*")


@dataclass(frozen=True)
class Unit:
    """A stretch of dictation: its text (after rewriting) and where it came from."""

    text: str
    start: int
    end: int
    header: str | None = None
    paragraph: bool = False
    returning: bool = False

    def with_text(self, text: str) -> Unit:
        """The same unit holding other words."""
        return Unit(text, self.start, self.end, self.header, self.paragraph, self.returning)


def split_units(text: str) -> list[Unit]:
    """Sentences of ``text`` with character offsets into it."""
    if not text.strip():
        return []
    nlp = pipeline()
    doc = nlp.get_pipe("sentencizer")(nlp.make_doc(text))
    spans = [(s.start_char, s.end_char) for s in doc.sents]
    return [Unit(text[a:b].strip(), a, b) for a, b in spans if text[a:b].strip()]


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` as plain strings, whitespace-normalized."""
    return [u.text for u in split_units(" ".join(text.split()))]


# Titles whose period does not end a sentence.
_TITLES = r"(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bSt\.)(?<!\bvs\.)(?<!\be\.g\.)(?<!\bi\.e\.)"
_RESPLIT_RE = re.compile(rf"{_TITLES}(?<=[.?!])\s+(?=[A-Z0-9\"])")


def resplit(text: str) -> list[str]:
    """Split a rewritten sentence again where rewriting revealed a sentence end.

    A cheap rule (end mark, space, capital) for text the spaCy sentencizer has
    already split once: "Denies SI and HI. PHQ-9 was 14" after "H I." became "HI.".
    """
    return [p.strip() for p in _RESPLIT_RE.split(" ".join(text.split())) if p.strip()]


@lru_cache(maxsize=2048)
def words(text: str) -> tuple[tuple[str, int, int], ...]:
    """Lower-case words of ``text`` with their offsets (punctuation skipped); cached."""
    return tuple(
        (m.group().lower().replace("\u2019", "'"), m.start(), m.end()) for m in _WORD_RE.finditer(text)
    )


def only_punctuation(text: str) -> bool:
    """Whether ``text`` holds no letters or digits."""
    return not any(ch.isalnum() for ch in text)


def tidy(text: str) -> str:
    """Trim stray punctuation and spaces at the edges and capitalize the first letter."""
    text = re.sub(r"\s+([,.;:?!])", r"\1", " ".join(text.split()))
    text = re.sub(r"([,;:])(?=[.?!]$)", "", text)
    text = text.lstrip(" ,;:.-")
    if not text or only_punctuation(text):
        return ""
    if text[-1].isalnum() or text[-1] == ")":
        text += "."
    elif text[-1] == '"' and len(text) > 1 and text[-2].isalnum():
        text = text[:-1] + '."'
    text = re.sub(r"[,;:]+$", ".", text)
    for i, ch in enumerate(text):
        if ch.isalpha():
            return text[:i] + ch.upper() + text[i + 1 :]
        if ch.isdigit():
            break
    return text


# Whisper sometimes drops every period of a long stretch but still capitalizes each
# sentence's first word: "...with her manager She reports worrying...".
RUN_ON_MIN_WORDS = 20
_NAME_BEFORE = frozenset(
    [
        "to",
        "with",
        "from",
        "by",
        "and",
        "or",
        "named",
        "called",
        "dr",
        "mr",
        "mrs",
        "ms",
        "miss",
        "saw",
        "told",
        "asked",
        "of",
        "for",
        "at",
        "on",
        "in",
        "about",
        "per",
        "see",
    ]
)
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_CALENDAR = frozenset(MONTHS + WEEKDAYS)
_TITLE_WORD_RE = re.compile(r"(?<=[a-z0-9'%]) (?=[A-Z][a-z'\u2019]+\b)")


def split_run_on(text: str) -> list[str]:
    """Cut a long unpunctuated stretch before words Whisper capitalized as sentence starts."""
    if len(text.split()) < RUN_ON_MIN_WORDS:
        return [text]
    parts: list[str] = []
    start = 0
    for match in _TITLE_WORD_RE.finditer(text):
        previous = text[start : match.start()].split()
        following = text[match.end() :].split(maxsplit=1)[0].lower().strip(".,;:")
        if not previous or previous[-1].lower().strip(".,") in _NAME_BEFORE:
            continue
        if following in _CALENDAR or len(previous) < 3:
            continue
        parts.append(text[start : match.start()].strip())
        start = match.end()
    parts.append(text[start:].strip())
    return [p for p in parts if p]
