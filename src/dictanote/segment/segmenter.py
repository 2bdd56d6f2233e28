"""Turn a transcript into a draft: commands, headers, clinical words, then placement.

Reads the transcript once, sentence by sentence: voice commands act ("scratch
that", "new paragraph", "private note" ... "end private note"), spoken headers
pin the next sentence to their field, clinical terms are written properly, and
the rest is placed by role and position (``placement``). Every dictated
sentence lands in exactly one field of the note or of its private companion;
the private words stay out of everything the clinical draft carries (``private``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ..core.policy import is_uncertain
from ..core.types import (
    Correction,
    Draft,
    DraftField,
    NoteFormat,
    Origin,
    Sentence,
    UncertainWord,
    UnclosedPrivate,
    Word,
)
from ..core.vocabulary import Lexicon
from . import roles
from .correct import correct
from .headers import match_header, split_inline_headers
from .marks import attach, past_corrections, uncertain_words
from .normalize import build_normalizer
from .placement import PlacementModel, field_scores, place
from .private import Offsets, clinical_text, private_spans, private_text
from .rules import HeaderRules, clinical_rules, segmenter_rules
from .session import extract_session
from .units import Unit, check_text, only_punctuation, tidy, words
from .voice import Piece, private_cue, read_commands

log = logging.getLogger(__name__)

SEGMENTER_ID = "roles-hmm-v1"
# A dictation with headers for this share of the format's fields counts as headed,
# and a sentence after a header then stays in that field unless strongly unlike it.
HEADED_FRACTION = 0.8
HEADED_STAY = 0.9
MAIN, PRIVATE = "main", "private"


@dataclass(frozen=True)
class SegmentOptions:
    """What the segmenter needs besides the text and the format."""

    replacements: tuple[tuple[str, str], ...] = ()
    private_format: NoteFormat | None = None
    session_date: dt.date | None = None
    model: PlacementModel = field(default_factory=PlacementModel)
    lexicon: Lexicon | None = None


@dataclass
class _Stream:
    """Content units dictated into one note (the record, or the private note)."""

    units: list[Unit] = field(default_factory=list)
    pending_header: str | None = None
    returning: bool = False


def segment_transcript(
    text: str, fmt: NoteFormat, options: SegmentOptions | None = None, heard: tuple[Word, ...] = ()
) -> Draft:
    """Place every sentence of ``text`` into a field of ``fmt`` (or its private companion).

    ``heard``: the transcript's words with Whisper's probabilities (none for typed
    text); the uncertain ones, and the vocabulary's corrections (``correct``),
    are marked on the sentences that hold them. The draft's transcript is the
    corrected ``text`` with its private spans cut out (``private``); the
    companion's holds only them; sentence spans point into each one's own.
    ``TextInputError`` when ``text`` is longer than ``MAX_TEXT_CHARS`` or is not Unicode text.
    """
    options = options or SegmentOptions()
    check_text(text)
    uncertain = uncertain_words(text, heard)
    text, corrections = correct(text, options.lexicon)
    uncertain = past_corrections(uncertain, corrections)
    header_rules, command_rules = segmenter_rules()
    read = read_commands(text, command_rules, build_normalizer(clinical_rules(), options.replacements))
    spans = private_spans(text, read, command_rules)
    offsets = Offsets(spans)
    streams, unclosed = _read(read, fmt, options, header_rules)
    _mark(streams, uncertain, corrections)
    private = None
    private_units = streams[PRIVATE].units
    if private_units:
        private_fmt = options.private_format or fmt
        units = [_moved(u, offsets.private(u.start, u.end)) for u in private_units]
        private = _draft(private_text(text, spans), private_fmt, units, options.model, None)
    units = [_moved(u, offsets.clinical(u.start, u.end)) for u in streams[MAIN].units]
    draft = _draft(clinical_text(text, spans), fmt, units, options.model, private)
    record_text = " ".join(u.text for u in streams[MAIN].units)
    rules = clinical_rules()
    session = extract_session(record_text, options.session_date, rules.scales, rules.medications)
    placed = [s for f in draft.fields for s in f.sentences]
    log.info(
        "segmented into %s: %d sentences (%d inferred, %d low confidence), private note: %d%s",
        fmt.id,
        len(placed),
        sum(s.origin == "inferred" for s in placed),
        sum(is_uncertain(s.confidence) for s in placed),
        len(private_units),
        " (never closed)" if unclosed else "",
    )
    return replace(draft, session=session, unclosed_private=unclosed)


def _moved(unit: Unit, span: tuple[int, int]) -> Unit:
    return replace(unit, start=span[0], end=span[1])


def _mark(
    streams: dict[str, _Stream], uncertain: tuple[UncertainWord, ...], corrections: tuple[Correction, ...]
) -> None:
    """Give each unit of both notes the word marks that fall in it (offsets into the dictated text)."""
    if not uncertain and not corrections:
        return
    main = streams[MAIN].units
    marked = attach([*main, *streams[PRIVATE].units], uncertain, corrections)
    streams[MAIN].units, streams[PRIVATE].units = marked[: len(main)], marked[len(main) :]


@dataclass
class _Reading:
    """Where the reading stands: which note is dictated into, and what an open private note took."""

    current: str = MAIN
    new_paragraph: bool = False
    entered: int = 0  # private units before the last "private note"
    spoken: list[str] = field(default_factory=list)  # the record's headers heard since then


def _read(
    read: list[tuple[Unit, list[Piece]]], fmt: NoteFormat, options: SegmentOptions, header_rules: HeaderRules
) -> tuple[dict[str, _Stream], UnclosedPrivate | None]:
    """The content units of the record and of the private note; what an unclosed private note took."""
    private_fmt = options.private_format or fmt
    streams = {MAIN: _Stream(), PRIVATE: _Stream()}
    state = _Reading()
    for unit, pieces in read:
        cursor = 0  # where in the unit's original words the next piece starts
        unit_fmt = fmt if state.current == MAIN else private_fmt
        for piece in pieces:
            stream = streams[state.current]
            cue = private_cue(piece.command, state.current == PRIVATE)
            if cue == "private_start":
                if state.current == MAIN:
                    state.entered, state.spoken = len(streams[PRIVATE].units), []
                state.current = PRIVATE
            elif cue == "private_end":
                state.current = MAIN
            elif piece.command == "new_paragraph":
                state.new_paragraph = True
            elif piece.command == "scratch":
                _scratch(stream)
            elif '"' in piece.text:
                cursor = _add(piece.text, unit, cursor, stream, state, fmt, private_fmt, header_rules)
            else:
                for sentence in split_inline_headers(piece.text, unit_fmt, header_rules):
                    cursor = _add(sentence, unit, cursor, stream, state, fmt, private_fmt, header_rules)
    if state.current == MAIN:
        return streams, None
    taken = max(0, len(streams[PRIVATE].units) - state.entered)
    return streams, UnclosedPrivate(taken, tuple(dict.fromkeys(state.spoken)))


def _add(
    sentence: str,
    unit: Unit,
    cursor: int,
    stream: _Stream,
    state: _Reading,
    fmt: NoteFormat,
    private_fmt: NoteFormat,
    header_rules: HeaderRules,
) -> int:
    """Take one sentence: a header pins the next content, content joins ``stream``; the new cursor."""
    private = state.current == PRIVATE
    if private and (heard := match_header(sentence, fmt, header_rules)) is not None:
        state.spoken.append(heard.field_id)
    header = match_header(sentence, private_fmt if private else fmt, header_rules)
    content = sentence
    if header is not None:
        stream.pending_header = header.field_id
        stream.returning = header.returning
        content = header.rest
    content = tidy(content)
    if not content or _is_filler(content, header_rules.fillers):
        return cursor
    cursor = _locate(unit.text, content, cursor)
    returning = stream.returning and stream.pending_header is not None
    stream.units.append(
        Unit(content, unit.start + cursor, unit.end, stream.pending_header, state.new_paragraph, returning)
    )
    stream.pending_header = None
    state.new_paragraph = False
    return cursor


def _locate(original: str, content: str, cursor: int) -> int:
    """Offset in ``original`` where ``content`` begins, at or after ``cursor``.

    Rewriting may have changed the words ("S I" -> "SI"), so the first word that
    can be found is used; failing that, the cursor stays where it was.
    """
    lowered = _lowered(original)
    for word, _, _ in words(content)[:3]:
        found = lowered.find(word, cursor)
        if found >= 0:
            return found
    return cursor


@lru_cache(maxsize=4)
def _lowered(text: str) -> str:
    """``text`` lower-cased, once per unit however many sentences are found in it."""
    return text.lower()


def _scratch(stream: _Stream) -> None:
    """Drop the last thing dictated in this stream (a pending header, else a sentence)."""
    if stream.pending_header is not None:
        stream.pending_header = None
        return
    if stream.units:
        dropped = stream.units.pop()
        stream.pending_header = dropped.header


def _is_filler(text: str, fillers: frozenset[str]) -> bool:
    """Whether ``text`` is only fillers ("Okay, so."): whole words, and nothing else dictated."""
    rest = list(text)
    for word, start, end in words(text):
        if word not in fillers and word not in {"period", "comma"}:
            return False
        rest[start:end] = " " * (end - start)
    return only_punctuation("".join(rest))


def _draft(
    text: str,
    fmt: NoteFormat,
    units: list[Unit],
    model: PlacementModel,
    private: Draft | None,
) -> Draft:
    index = {spec.id: i for i, spec in enumerate(fmt.fields)}
    headers = [index.get(u.header) if u.header else None for u in units]
    returning = [u.returning for u in units]
    probs = (
        roles.classify([u.text for u in units]) if any(s.roles for s in fmt.fields) else [{} for _ in units]
    )
    headed = {h for h in headers if h is not None}
    if len(headed) >= HEADED_FRACTION * len(fmt.fields):
        # Nearly every field was announced: the next one will be announced too.
        model = replace(model, stay=HEADED_STAY, forward=1 - HEADED_STAY - model.backward)
    placement = place(field_scores(fmt, probs), headers, model, returning)
    placed: list[list[Sentence]] = [[] for _ in fmt.fields]
    last_header: int | None = None
    for t, unit in enumerate(units):
        f = placement.fields[t]
        if headers[t] is not None:
            last_header = headers[t]
        role = max(probs[t], key=probs[t].__getitem__) if probs[t] else None
        origin: Origin = "spoken_header" if last_header == f else "inferred"
        placed[f].append(
            Sentence(
                text=unit.text,
                origin=origin,
                confidence=placement.confidence[t],
                span=(unit.start, unit.end),
                role=role,
                paragraph=unit.paragraph,
                uncertain=unit.uncertain,
                corrections=unit.corrections,
            )
        )
    return Draft(
        format=fmt.id,
        transcript=text,
        fields=tuple(DraftField(spec.id, spec.label, tuple(placed[i])) for i, spec in enumerate(fmt.fields)),
        segmenter=SEGMENTER_ID,
        private=private,
    )


def remap(draft: Draft, fmt: NoteFormat) -> Draft:
    """The same sentences placed into another format's fields (the clinician switched format).

    Sentences keep their text, order and paragraph starts; each is placed anew by
    its role and position, except that a field of the same id keeps what was
    dictated under its spoken header. Session facts and the transcript stay.
    """
    if draft.format == fmt.id:
        return draft
    index = {spec.id: i for i, spec in enumerate(fmt.fields)}
    flat = [(f.id, s) for f in draft.fields for s in f.sentences]
    headers = [index.get(fid) if s.origin == "spoken_header" else None for fid, s in flat]
    probs = roles.classify([s.text for _, s in flat]) if flat else []
    placement = place(field_scores(fmt, probs), headers, PlacementModel(), [False] * len(flat))
    placed: list[list[Sentence]] = [[] for _ in fmt.fields]
    for t, (_, s) in enumerate(flat):
        f = placement.fields[t]
        origin: Origin = "spoken_header" if headers[t] == f else "inferred"
        role = max(probs[t], key=probs[t].__getitem__) if probs[t] else s.role
        placed[f].append(replace(s, origin=origin, confidence=placement.confidence[t], role=role))
    return replace(
        draft,
        format=fmt.id,
        fields=tuple(DraftField(spec.id, spec.label, tuple(placed[i])) for i, spec in enumerate(fmt.fields)),
    )
