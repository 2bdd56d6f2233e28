"""Sentences with their place in the transcript: the segmenter's working unit.

Splitting uses a spaCy ``blank("en")`` pipeline with a sentencizer, loaded once.
A ``Unit`` stays inside the segment stage; what leaves it is a ``Sentence``.
Words are words in any script (``words``); text over ``MAX_TEXT_CHARS``, or not Unicode, is refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ..core.errors import TextInputError
from ..core.types import Correction, UncertainWord
from .nlp import MAX_TEXT_CHARS, pipeline
from .rules import abbreviations


@lru_cache(maxsize=1)
def _marks() -> str:
    """A regex class body of the combining marks (accents written after their letter), built once."""
    codes = [c for c in range(0x20000) if unicodedata.category(chr(c))[0] == "M"]
    ranges: list[tuple[int, int]] = []
    for c in codes:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1] = (ranges[-1][0], c)
        else:
            ranges.append((c, c))
    ranges.append((0xE0100, 0xE01EF))  # variation selectors supplement
    return "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges)


@lru_cache(maxsize=1)
def _word_re() -> re.Pattern[str]:
    """A word in any script: a letter or digit, then letters, digits, combining marks, apostrophes."""
    return re.compile(rf"[^\W_](?:[^\W_]|['\u2019{_marks()}])*")


@dataclass(frozen=True)
class Unit:
    """A stretch of dictation: its text (after rewriting) and where it came from."""

    text: str
    start: int
    end: int
    header: str | None = None
    paragraph: bool = False
    returning: bool = False
    uncertain: tuple[UncertainWord, ...] = ()
    corrections: tuple[Correction, ...] = ()

    def with_text(self, text: str) -> Unit:
        """The same unit holding other words (its word marks, which pointed into the old ones, dropped)."""
        return Unit(text, self.start, self.end, self.header, self.paragraph, self.returning)


# Half of a UTF-16 pair on its own: what undecodable bytes become under errors="surrogateescape".
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(text: str) -> None:
    """``TextInputError`` when the segmenter cannot take ``text``: too long, or not Unicode text.

    Longer than ``MAX_TEXT_CHARS``, or holding a lone surrogate, which no encoder (spaCy's,
    SQLite's, the terminal's) can write: it is named with its place, never dropped.
    """
    if len(text) > MAX_TEXT_CHARS:
        raise TextInputError(
            f"the text is {len(text):,} characters long; dictanote segments at most "
            f"{MAX_TEXT_CHARS:,} characters at a time: split it into smaller dictations"
        )
    bad = _LONE_SURROGATE.search(text)
    if bad is not None:
        raise TextInputError(
            f"the text is not Unicode text: it holds a lone surrogate, U+{ord(bad.group()):04X} at "
            f"character {bad.start() + 1}; was it decoded from bytes that are not UTF-8?"
        )


def split_units(text: str) -> list[Unit]:
    """Sentences of ``text`` with character offsets into it (``TextInputError``: see ``check_text``)."""
    check_text(text)
    if not text.strip():
        return []
    nlp = pipeline()
    doc = nlp.get_pipe("sentencizer")(nlp.make_doc(text))
    spans = [(s.start_char, s.end_char) for s in doc.sents]
    return [unit for a, b in spans if (unit := stripped_unit(text, a, b)) is not None]


def stripped_unit(text: str, start: int, end: int) -> Unit | None:
    """The unit of ``text[start:end]`` without its edge spaces (offsets exact); None if only spaces."""
    words = text[start:end]
    if not words.strip():
        return None
    lead = len(words) - len(words.lstrip())
    return Unit(words.strip(), start + lead, start + len(words.rstrip()))


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` as plain strings, whitespace-normalized."""
    return [u.text for u in split_units(" ".join(text.split()))]


# Where a sentence may end: an end mark, spaces, and a capital, a digit or a quotation mark.
_END_RE = re.compile(r"(?<=[.?!])\s+(?=[A-Z0-9\"])")
# Initials: capital letters each with its period ("S.", "J.T."); lower-case dotted letters ("q.4h.", "q.").
_INITIALS_RE = re.compile(r"(?:[A-Z]\.)+")
_DOTTED_RE = re.compile(r"[^\W\d_]\.(?:[^\W_]{1,3}\.)*")
_ACRONYM_RE = re.compile(r"[A-Z][A-Z0-9-]*[A-Z0-9]\b")
_OPENING = frozenset(" \t\n([\"'")
_NEXT_WORD_RE = re.compile(r"\S*")


def resplit(text: str) -> list[str]:
    """Split a rewritten sentence again where rewriting revealed a sentence end.

    A cheap rule (end mark, space, capital) for text the spaCy sentencizer has
    already split once: "Denies SI and HI. PHQ-9 was 14" after "H I." became "HI.".
    An abbreviation's period ends a sentence only as ``ends_sentence`` says.
    """
    text = " ".join(text.split())
    parts, pos = [], 0
    for gap in _END_RE.finditer(text):
        if ends_sentence(text, gap.start(), gap.end()):
            parts.append(text[pos : gap.start()])
            pos = gap.end()
    parts.append(text[pos:])
    return [p.strip() for p in parts if p.strip()]


def ends_sentence(text: str, stop: int, start: int) -> bool:
    """Whether a sentence ends between ``text[:stop]`` (ending in "." "?" or "!") and the word at ``start``.

    After an abbreviation of templates/rules/abbreviations.toml: never after a title or "e.g.",
    and after "p.m." or "etc." only when the next word plainly starts a sentence (a capitalized
    word, not a day or a month). After initials ("Dr. S.", "J.T.", "K. L.", "vitamin D."), where
    a capital is often a name: only before a word that starts sentences ("She", "The") or an
    acronym ("PHQ-9"), never before a number ("P. 80") or another initial, and never when the
    initial opens the text ("S. Feels fine": the header matcher decides). Reads only the two
    words around the gap, so splitting stays linear in the text.
    """
    begin = _past_opening(text, max(text.rfind(" ", 0, stop), text.rfind("\n", 0, stop)) + 1, stop)
    last = text[begin:stop]
    if not last.endswith("."):
        return True
    word = last.lower()
    listed = abbreviations()
    following = _NEXT_WORD_RE.match(text, start)
    nxt = following.group() if following else ""
    if word in listed.never_final:
        return False
    if word in listed.may_end:
        return _starts_plainly(nxt)
    if _INITIALS_RE.fullmatch(last):
        if _past_opening(text, 0, begin) >= begin or nxt[:1].isdigit() or _INITIALS_RE.fullmatch(nxt):
            return False
        return nxt.lower().strip(",;:.") in listed.starters or _ACRONYM_RE.match(nxt) is not None
    if _DOTTED_RE.fullmatch(word):
        return _starts_plainly(nxt)
    return True


def _past_opening(text: str, pos: int, stop: int) -> int:
    """The first index from ``pos`` (at most ``stop``) that is not a space or an opening mark."""
    while pos < stop and text[pos] in _OPENING:
        pos += 1
    return pos


def _starts_plainly(word: str) -> bool:
    """Whether ``word`` (after "p.m.", "etc.") plainly starts a sentence: a capitalized word, not a date."""
    bare = word.strip(',;:."').lower().replace("'", "").replace("\u2019", "")
    return word[:1].isupper() and bare.isalpha() and (len(bare) > 1 or bare == "i") and bare not in _CALENDAR


@lru_cache(maxsize=2048)
def words(text: str) -> tuple[tuple[str, int, int], ...]:
    """Lower-case words of ``text`` with their offsets (punctuation skipped); cached."""
    return tuple(
        (m.group().lower().replace("\u2019", "'"), m.start(), m.end()) for m in _word_re().finditer(text)
    )


def leading_word(text: str, pos: int = 0) -> str:
    """The lower-case word that starts exactly at ``pos`` in ``text``, or "" (no copy of the text)."""
    match = _word_re().match(text, pos)
    return match.group().lower().replace("\u2019", "'") if match else ""


def is_content(ch: str) -> bool:
    """Whether ``ch`` is something dictated: anything but spaces, punctuation and controls.

    Letters and digits of every script, combining marks, emoji and other symbols count.
    """
    return not ch.isspace() and unicodedata.category(ch)[0] not in "PZC"


def only_punctuation(text: str) -> bool:
    """Whether ``text`` holds nothing dictated (only spaces and punctuation)."""
    return not any(is_content(ch) for ch in text)


def _ends_word(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch)[0] == "M"


def tidy(text: str) -> str:
    """Trim stray punctuation and spaces at the edges and capitalize the first letter."""
    text = re.sub(r"\s+([,.;:?!])", r"\1", " ".join(text.split()))
    text = re.sub(r"([,;:])(?=[.?!]$)", "", text)
    text = text.lstrip(" ,;:.-")
    if not text or only_punctuation(text):
        return ""
    if _ends_word(text[-1]) or text[-1] == ")":
        text += "."
    elif text[-1] == '"' and len(text) > 1 and _ends_word(text[-2]):
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
# Numbers as said, for every rule that reads a spoken number (doses, durations, scale scores).
ONES = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
NUMBER_WORDS = frozenset((*ONES, *TENS, "hundred", "thousand"))


def said(n: int) -> str:
    """How a whole number from 0 to 99 is said, as one word ("forty", "fortytwo" for 42: letters only)."""
    if n < 20:
        return ONES[n]
    return TENS[n // 10 - 2] + (ONES[n % 10] if n % 10 else "")


def ordinal(n: int) -> str:
    """How a whole number from 1 to 99 is said as an ordinal ("third", "twenty first": a day of a month)."""
    irregular = {1: "first", 2: "second", 3: "third", 5: "fifth", 8: "eighth", 9: "ninth", 12: "twelfth"}
    if n < 20:
        return irregular.get(n, ONES[n] + "th")
    tens, ones = divmod(n, 10)
    return TENS[tens - 2][:-1] + "ieth" if not ones else f"{TENS[tens - 2]} {ordinal(ones)}"


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
