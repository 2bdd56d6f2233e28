"""Voice commands and spoken punctuation, as Whisper writes them.

"quote ... end quote" becomes quotation marks (sentences in between are kept
together); "period" and "comma" left as words become punctuation; "scratch
that", "new paragraph", "private note" and "end private note" are cut out of
the text as commands for the segmenter to act on. A command must stand apart
from the words around it (a sentence of its own, or set off by punctuation; fillers
such as "okay" or "and" may come first: "And private note."), so "scratch that
itch" stays content. ``read_commands`` is the one reading of a dictation into
sentences and commands, for the segmenter and for cutting private spans.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from ..core.policy import PRIVATE_CUT_MARK
from .rules import CommandRules
from .units import Unit, resplit, split_run_on, split_units, stripped_unit

# Words before "period" that make it the noun ("a two-week period"), not punctuation.
_PERIOD_NOUN_BEFORE = re.compile(
    r"(?:\b(?:a|the|this|that|same|waiting|trial|grace|time|probation|probationary|"
    r"observation|menstrual|refractory|postpartum|follow-up|washout|honeymoon|lunch|free|"
    r"first|second|third|last|next|short|long|brief|\w+-(?:day|week|month|year|hour|minute))"
    r"|\d)$",
    re.I,
)
# How many sentences a dictated quotation may span before we stop looking for its end.
QUOTE_MAX_UNITS = 4
# How many fillers may come before a command ("Okay, so, um, private note."): more are words,
# and looking further back at every punctuation mark would make a long run of them quadratic.
MAX_LEAD_FILLERS = 6


@dataclass(frozen=True)
class Piece:
    """Either words (``command`` is None) or a command between them."""

    text: str = ""
    command: str | None = None


def _phrase_re(phrases: tuple[tuple[str, ...], ...]) -> str:
    return "|".join(r"[\s,]+".join(re.escape(w) for w in p) for p in phrases)


@lru_cache(maxsize=4)
def _open_re(rules: CommandRules) -> re.Pattern[str]:
    closing = _phrase_re(rules.phrases["quote_close"])
    opening = _phrase_re(rules.phrases["quote_open"])
    return re.compile(rf"(?<![\w])(?!(?:{closing})(?![\w]))(?:{opening})(?![\w])[,:.]?", re.I)


@lru_cache(maxsize=4)
def _close_re(rules: CommandRules) -> re.Pattern[str]:
    return re.compile(rf"[,.;:]?\s*(?<![\w])(?:{_phrase_re(rules.phrases['quote_close'])})(?![\w])", re.I)


def merge_quotes(units: list[Unit], rules: CommandRules) -> list[Unit]:
    """Turn "quote ... end quote" into quotation marks, joining the sentences between."""
    opener, closer = _open_re(rules), _close_re(rules)
    out: list[Unit] = []
    i = 0
    while i < len(units):
        unit = units[i]
        match = opener.search(unit.text)
        if match is None:
            out.append(unit)
            i += 1
            continue
        j = i
        merged = unit
        while not closer.search(merged.text, match.end()) and j + 1 < len(units) and j - i < QUOTE_MAX_UNITS:
            j += 1
            merged = Unit(f"{merged.text} {units[j].text}", merged.start, units[j].end)
        if closer.search(merged.text, match.end()) is None:
            out.append(unit)  # no end of quote: "quote" was a word, not a command
            i += 1
            continue
        out.append(merged.with_text(_quote(merged.text, opener, closer)))
        i = j + 1
    return out


def _quote(text: str, opener: re.Pattern[str], closer: re.Pattern[str]) -> str:
    while (m1 := opener.search(text)) and (m2 := closer.search(text, m1.end())):
        before = text[: m1.start()].rstrip(" ,:")
        inner = text[m1.end() : m2.start()].strip(" ,:;")
        after = text[m2.end() :]
        punct = ""
        if after[:1] in {".", ",", "?", "!"}:
            punct, after = after[:1], after[1:]
        elif inner[-1:] in {".", "?", "!"}:
            punct, inner = inner[-1], inner[:-1]
        opening = " " if before else ""
        text = f'{before}{opening}"{inner}{punct}"{after}'
    return text


@lru_cache(maxsize=4)
def _punctuation_res(rules: CommandRules) -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    out = []
    for word, mark in rules.punctuation.items():
        spoken = r"\s+".join(re.escape(w) for w in word.split())
        out.append((word, mark, re.compile(rf"[,]?\s+{spoken}[.,]?(?=\s|$)", re.I)))
    return tuple(out)


# Marks a spoken sentence end is written as: the word after one is capitalized.
_SENTENCE_END = frozenset(".?!")
_NEXT_WORD_RE = re.compile(r"\s+(\w)")


def _capitalized(chunk: str) -> str:
    """``chunk`` with the first letter of its first word upper-cased, if it opens with space and a word."""
    match = _NEXT_WORD_RE.match(chunk)
    if match is None:
        return chunk
    return chunk[: match.start(1)] + match.group(1).upper() + chunk[match.end(1) :]


def spoken_punctuation(text: str, rules: CommandRules) -> str:
    """Replace punctuation spoken as words ("period", "comma") by the marks.

    The word after a spoken sentence end is capitalized; the words after a written
    period ("p.m. hours", "e.g. the plan") are left as they are.
    """
    for word, mark, pattern in _punctuation_res(rules):
        if word.split()[0] not in text.lower():
            continue
        out: list[str] = []
        pos = 0
        capital = False
        for match in pattern.finditer(text):
            if word in {"period", "full stop"} and _PERIOD_NOUN_BEFORE.search(
                text, max(0, match.start() - 80), match.start()
            ):
                continue
            chunk = text[pos : match.start()]
            out.append((_capitalized(chunk) if capital else chunk) + mark)
            capital = mark in _SENTENCE_END
            pos = match.end()
        rest = text[pos:]
        text = "".join(out) + (_capitalized(rest) if capital else rest)
    return text


def _named_alternatives(rules: CommandRules, names: tuple[str, ...]) -> str:
    """A regex alternation of the commands' phrases, each group named for its command."""
    return "|".join(f"(?P<{name}>{_phrase_re(rules.phrases[name])})" for name in names if rules.phrases[name])


@lru_cache(maxsize=4)
def _command_re(rules: CommandRules) -> re.Pattern[str]:
    alternatives = _named_alternatives(rules, ("private_end", "private_start", "scratch", "new_paragraph"))
    fillers = "|".join(re.escape(w) for w in rules.fillers)
    lead = rf"(?:(?:{fillers})[\s,]+){{0,{MAX_LEAD_FILLERS}}}" if fillers else ""
    # "And private note." is tried before "and" can be read as a filler in front of "private note".
    switch = _named_alternatives(rules, ("private_switch",))
    first = rf"{switch}|" if switch else ""
    return re.compile(rf"(?:^|(?<=[,.;:!?]))\s*(?:{first}{lead}(?:{alternatives}))\s*(?:[,.;:!?]+|$)", re.I)


def private_cue(command: str | None, inside: bool) -> str | None:
    """What a command does to the private note: "private_start", "private_end", or None (not a cue).

    ``private_switch`` ("And private note.", the end cue as Whisper often hears it) closes a private
    note that is open (``inside``) and otherwise opens one.
    """
    if command == "private_switch":
        return "private_end" if inside else "private_start"
    return command if command in {"private_start", "private_end"} else None


# Commands that may open a sentence with no punctuation after them, as in Whisper's
# unpunctuated run-ons ("...vaping completely Scratch that he said he'd think...").
# Not "private note": entering the private note by mistake would hide content from
# the record, so it must stand apart.
_LEADING_COMMANDS = ("scratch", "new_paragraph", "private_end")


@lru_cache(maxsize=4)
def _leading_command_re(rules: CommandRules) -> re.Pattern[str]:
    return re.compile(rf"^\s*(?:{_named_alternatives(rules, _LEADING_COMMANDS)})\s+(?=\w)", re.I)


def split_leading_command(text: str, rules: CommandRules) -> tuple[str | None, str]:
    """The command opening a sentence with no punctuation after it ("Scratch that he said…"), and the rest.

    Used on sentences cut out of an unpunctuated run-on, where Whisper's capital
    letter is the only sign of the command standing apart. ``(None, text)`` when
    the sentence does not open with one.
    """
    match = _leading_command_re(rules).match(text)
    if match is None:
        return None, text
    return match.lastgroup, text[match.end() :]


def split_commands(text: str, rules: CommandRules) -> list[Piece]:
    """The text cut at commands that stand apart from the words around them."""
    pattern = _command_re(rules)
    pieces: list[Piece] = []
    pos = 0
    for match in pattern.finditer(text):
        before = text[pos : match.start()]
        if before.strip():
            pieces.append(Piece(text=before))
        pieces.append(Piece(command=match.lastgroup))
        pos = match.end()
    rest = text[pos:]
    if rest.strip():
        pieces.append(Piece(text=rest))
    return pieces


def command_pieces(text: str, rules: CommandRules) -> list[Piece]:
    """Commands and sentences of a rewritten unit, in spoken order.

    Rewriting can reveal sentence ends the first split missed ("H I. Objective"
    before "HI", "better period she slept"), so the words are split again, except
    inside a quotation (a piece holding a quotation mark is left whole).
    """
    pieces: list[Piece] = []
    for piece in split_commands(text, rules):
        if piece.command is not None or '"' in piece.text:
            pieces.append(piece)
            continue
        for sentence in resplit(piece.text):
            for part in split_run_on(sentence):
                command, rest = split_leading_command(part, rules)
                if command is not None:
                    pieces.append(Piece(command=command))
                pieces.append(Piece(text=rest))
    return pieces


def read_commands(
    text: str, rules: CommandRules, rewrite: Callable[[str], str]
) -> list[tuple[Unit, list[Piece]]]:
    """Each sentence of ``text`` (quotations joined) with its rewritten words and commands.

    ``rewrite`` writes clinical terms properly (``normalize``). The segmenter and
    ``private.cut_private`` read a dictation through this one function, so they
    hear the same commands.
    """
    units = merge_quotes(_marks_apart(text, split_units(text)), rules)
    return [
        (
            unit,
            []
            if unit.text == PRIVATE_CUT_MARK
            else command_pieces(rewrite(spoken_punctuation(unit.text, rules)), rules),
        )
        for unit in units
    ]


def _marks_apart(text: str, units: list[Unit]) -> list[Unit]:
    """``units`` with each ``PRIVATE_CUT_MARK`` (where a private span was cut) a unit of its own.

    The sentencizer may split a mark ("weekly. [" + "private note: kept..."); whole
    and apart, it is never heard as the "private note" cue, so cutting is idempotent.
    """
    marks = [(m.start(), m.end()) for m in re.finditer(re.escape(PRIVATE_CUT_MARK), text)]
    if not marks:
        return units
    out: list[Unit] = []
    placed: set[tuple[int, int]] = set()
    for unit in units:
        inner = (x for mark in marks for x in mark if unit.start < x < unit.end)
        for a, b in itertools.pairwise(sorted({unit.start, unit.end, *inner})):
            mark = next(((m0, m1) for m0, m1 in marks if m0 <= a and b <= m1), None)
            if mark is None and (piece := stripped_unit(text, a, b)) is not None:
                out.append(piece)
            elif mark is not None and mark not in placed:
                placed.add(mark)
                out.append(Unit(PRIVATE_CUT_MARK, *mark))
    return out


@lru_cache(maxsize=8)
def phrase_re(rules: CommandRules, name: str) -> re.Pattern[str]:
    """Where a command's phrase is written in the dictated text, with the punctuation after it."""
    if not rules.phrases[name]:
        return re.compile(r"(?!)")  # a command with no phrase is never heard
    return re.compile(rf"(?<![\w])(?:{_phrase_re(rules.phrases[name])})(?![\w])[,.;:!?]*", re.I)
