"""Turn a transcript into a draft: commands, headers, clinical words, then placement.

Reads the transcript once, sentence by sentence: voice commands act ("scratch
that", "new paragraph", "private note" ... "end private note"), a spoken header
pins every sentence after it to its field until the next header, a "back to ..."
or a private-note switch (content may question that placement, never move it),
clinical terms are written properly, and the sentences before any header are
placed by role and position (``placement``). Every dictated
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
from .pauses import mark_pauses
from .placement import Placement, PlacementModel, detour_fields, field_scores, place
from .private import Offsets, clinical_text, private_spans, private_text
from .rules import HeaderRules, clinical_rules, segmenter_rules
from .session import extract_session
from .units import Unit, check_text, only_punctuation, tidy, words
from .voice import Piece, private_cue, read_commands

log = logging.getLogger(__name__)

SEGMENTER_ID = "roles-hmm-v1"
# A dictation with headers for this share of the format's fields counts as headed,
# and a sentence before its first header then stays in its field unless strongly unlike it.
HEADED_FRACTION = 0.8
HEADED_STAY = 0.9
# A sentence pinned by a spoken header is questioned when its content puts less than half of its
# role probability on the roles of its field, and the sequence model, free to leave the field after
# the run's first sentence (and to go back at a cost, exam findings after "Assessment."), would
# move it with at least this confidence: one misread sentence in a run is not questioned, a run the
# clinician plainly moved on in is. Its confidence becomes that share, low enough for the review to
# show it (below ``policy.LOW_CONFIDENCE``), and the check names the field its content suggests.
# Chosen on the corpus's mixed dictations, our samples and the real-world dev half
# (benchmarks/segment.py --details prints how often it fires).
QUESTIONED_SHARE = 0.5
QUESTIONED_MOVE = 0.8
QUESTIONED_BACKWARD = 0.05
QUESTIONED_MIN_WORDS = 2
# The run's first sentence, which the model cannot question, is questioned on its content alone when
# that puts less than this on its field's roles ("Assessment. Lungs clear, heart regular." 0.011); the
# smallest share that catches such exam findings costs 3 of 172 other pinned corpus sentences
# (0.03: 4; 0.05: 4, and 5 more on the real-world dev half).
QUESTIONED_FIRST_SHARE = 0.02
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
    """Content units dictated into one note (the record, or the private note).

    ``header``: the field of the spoken header in force (every unit after it goes there until the
    next header or a private-note switch); ``fresh``: nothing dictated under it yet, so "scratch
    that" retracts the header itself and ``before`` (what was in force until then) is in force again.
    """

    units: list[Unit] = field(default_factory=list)
    header: str | None = None
    returning: bool = False
    fresh: bool = False
    before: tuple[str | None, bool] = (None, False)

    def hear(self, field_id: str, returning: bool) -> None:
        """A spoken header: its field holds what follows."""
        if not self.fresh:
            self.before = (self.header, self.returning)
        self.header, self.returning, self.fresh = field_id, returning, True

    def release(self) -> None:
        """No header in force any more (a private-note switch): what follows is placed by content."""
        self.header, self.returning, self.fresh = None, False, False


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
    text = mark_pauses(text, heard, fmt, *segmenter_rules())  # a pause before a header or cue: a boundary
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
                    streams[PRIVATE].release()
                state.current = PRIVATE
            elif cue == "private_end":
                streams[MAIN].release()
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
    """Take one sentence: a header pins the content after it, content joins ``stream``; the new cursor."""
    private = state.current == PRIVATE
    if private and (heard := match_header(sentence, fmt, header_rules)) is not None:
        state.spoken.append(heard.field_id)
    header = match_header(sentence, private_fmt if private else fmt, header_rules, stream.header)
    content = sentence
    if header is not None:
        stream.hear(header.field_id, header.returning)
        content = header.rest
    content = tidy(content)
    if not content or _is_filler(content, header_rules.fillers):
        return cursor
    cursor = _locate(unit.text, content, cursor)
    returning = stream.returning and stream.header is not None
    stream.units.append(
        Unit(content, unit.start + cursor, unit.end, stream.header, state.new_paragraph, returning)
    )
    stream.fresh = False
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
    """Drop the last thing dictated in this stream (a header nothing followed yet, else a sentence).

    Dropping a header puts back the one in force before it; dropping a sentence puts back the header
    it was dictated under (fresh again when it was the first under it).
    """
    if stream.fresh:
        stream.header, stream.returning = stream.before
        stream.fresh = False
        return
    if stream.units:
        dropped = stream.units.pop()
        previous = stream.units[-1] if stream.units else None
        stream.header, stream.returning = dropped.header, dropped.returning
        if dropped.header is not None and (previous is None or previous.header != dropped.header):
            stream.fresh = True
            stream.before = (previous.header, previous.returning) if previous else (None, False)


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
    scores = field_scores(fmt, probs)
    placement = place(scores, headers, model, returning, detour_fields(fmt))
    confidence = _confidence(fmt, [u.text for u in units], scores, headers, (placement, model, returning))
    placed: list[list[Sentence]] = [[] for _ in fmt.fields]
    for t, unit in enumerate(units):
        f = placement.fields[t]
        role = max(probs[t], key=probs[t].__getitem__) if probs[t] else None
        origin: Origin = "spoken_header" if headers[t] is not None else "inferred"
        placed[f].append(
            Sentence(
                text=unit.text,
                origin=origin,
                confidence=confidence[t],
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


def _confidence(
    fmt: NoteFormat,
    texts: list[str],
    scores: list[list[float]],
    headers: list[int | None],
    placed: tuple[Placement, PlacementModel, list[bool]],
) -> list[float]:
    """Each sentence's confidence: the model's, or for a pinned sentence, how well its content agrees.

    A sentence under a spoken header is where the clinician put it (confidence 1), unless it is
    questioned (``QUESTIONED_SHARE``, ``QUESTIONED_MOVE``; a sentence of fewer than
    ``QUESTIONED_MIN_WORDS`` words, "3." or "Insomnia.", says too little to question): then the
    share of its role probability on its field's roles, low enough for the review to show it.
    ``placed``: the placement, and the model and return marks it was made with.
    """
    placement, model, returning = placed
    confidence = list(placement.confidence)
    if not any(spec.roles for spec in fmt.fields) or all(h is None for h in headers):
        return confidence
    # The placement had each header pinned only the run's first sentence.
    first = [h if h is not None and (t == 0 or headers[t - 1] != h) else None for t, h in enumerate(headers)]
    backward = max(model.backward, QUESTIONED_BACKWARD)
    free = place(scores, first, replace(model, backward=backward), returning, detour_fields(fmt))
    for t, h in enumerate(headers):
        if h is None:
            continue
        if first[t] is not None:  # the model cannot question the run's first sentence: its content alone
            moved = scores[t][h] < QUESTIONED_FIRST_SHARE
        else:
            moved = free.fields[t] != h and free.confidence[t] >= QUESTIONED_MOVE
        wordy = sum(any(ch.isalpha() for ch in w) for w, _, _ in words(texts[t])) >= QUESTIONED_MIN_WORDS
        if moved and wordy and scores[t][h] < QUESTIONED_SHARE:
            confidence[t] = scores[t][h]
    return confidence


def remap(draft: Draft, fmt: NoteFormat) -> Draft:
    """The same sentences placed into another format's fields (the clinician switched format).

    Sentences keep their text, order and paragraph starts; each is placed anew by
    its role and position, except that what was dictated under a spoken header stays
    in the field of the same id, the whole run (questioned as in ``segment_transcript``).
    Session facts and the transcript stay.
    """
    if draft.format == fmt.id:
        return draft
    index = {spec.id: i for i, spec in enumerate(fmt.fields)}
    flat = [(f.id, s) for f in draft.fields for s in f.sentences]
    headers = [index.get(fid) if s.origin == "spoken_header" else None for fid, s in flat]
    probs = roles.classify([s.text for _, s in flat]) if flat else []
    scores = field_scores(fmt, probs)
    model, returning = PlacementModel(), [False] * len(flat)
    placement = place(scores, headers, model, returning, detour_fields(fmt))
    confidence = _confidence(fmt, [s.text for _, s in flat], scores, headers, (placement, model, returning))
    placed: list[list[Sentence]] = [[] for _ in fmt.fields]
    for t, (_, s) in enumerate(flat):
        f = placement.fields[t]
        origin: Origin = "spoken_header" if headers[t] is not None else "inferred"
        role = max(probs[t], key=probs[t].__getitem__) if probs[t] else s.role
        placed[f].append(replace(s, origin=origin, confidence=confidence[t], role=role))
    return replace(
        draft,
        format=fmt.id,
        fields=tuple(DraftField(spec.id, spec.label, tuple(placed[i])) for i, spec in enumerate(fmt.fields)),
    )
