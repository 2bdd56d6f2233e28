"""Turn a transcript into a draft: commands, headers, clinical words, then placement.

Reads the transcript once, sentence by sentence: voice commands act ("scratch
that", "new paragraph", "private note" ... "end private note"), spoken headers
pin the next sentence to their field, clinical terms are written properly, and
the rest is placed by role and position (``placement``). Every dictated
sentence lands in exactly one field of the note or of its private companion.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace

from ..core.policy import is_uncertain
from ..core.types import Draft, DraftField, NoteFormat, Origin, Sentence
from . import roles
from .headers import match_header, split_inline_headers
from .normalize import build_normalizer
from .placement import PlacementModel, field_scores, place
from .rules import CommandRules, HeaderRules, clinical_rules, segmenter_rules
from .session import extract_session
from .units import Unit, resplit, split_run_on, split_units, tidy, words
from .voice import Piece, merge_quotes, split_commands, split_leading_command, spoken_punctuation

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


@dataclass
class _Stream:
    """Content units dictated into one note (the record, or the private note)."""

    units: list[Unit] = field(default_factory=list)
    pending_header: str | None = None
    returning: bool = False


def segment_transcript(text: str, fmt: NoteFormat, options: SegmentOptions | None = None) -> Draft:
    """Place every sentence of ``text`` into a field of ``fmt`` (or its private companion)."""
    options = options or SegmentOptions()
    streams = _read(text, fmt, options)
    private = None
    private_units = streams[PRIVATE].units
    if private_units:
        private_fmt = options.private_format or fmt
        private = _draft(text, private_fmt, private_units, options.model, None)
    draft = _draft(text, fmt, streams[MAIN].units, options.model, private)
    record_text = " ".join(u.text for u in streams[MAIN].units)
    rules = clinical_rules()
    session = extract_session(record_text, options.session_date, rules.scales, rules.medications)
    placed = [s for f in draft.fields for s in f.sentences]
    log.info(
        "segmented into %s: %d sentences (%d inferred, %d low confidence), private note: %d",
        fmt.id,
        len(placed),
        sum(s.origin == "inferred" for s in placed),
        sum(is_uncertain(s.confidence) for s in placed),
        len(private_units),
    )
    return replace(draft, session=session)


def _read(text: str, fmt: NoteFormat, options: SegmentOptions) -> dict[str, _Stream]:
    header_rules, command_rules = segmenter_rules()
    normalize = build_normalizer(clinical_rules(), options.replacements)
    streams = {MAIN: _Stream(), PRIVATE: _Stream()}
    current = MAIN
    new_paragraph = False
    for unit in merge_quotes(split_units(text), command_rules):
        rewritten = normalize(spoken_punctuation(unit.text, command_rules))
        cursor = 0  # where in the unit's original words the next piece starts
        unit_fmt = fmt if current == MAIN else (options.private_format or fmt)
        for piece in _pieces(rewritten, unit_fmt, header_rules, command_rules):
            stream = streams[current]
            if piece.command == "private_start":
                current = PRIVATE
            elif piece.command == "private_end":
                current = MAIN
            elif piece.command == "new_paragraph":
                new_paragraph = True
            elif piece.command == "scratch":
                _scratch(stream)
            else:
                target = fmt if current == MAIN else (options.private_format or fmt)
                header = match_header(piece.text, target, header_rules)
                content = piece.text
                if header is not None:
                    stream.pending_header = header.field_id
                    stream.returning = header.returning
                    content = header.rest
                content = tidy(content)
                if not content or _is_filler(content, header_rules.fillers):
                    continue
                cursor = _locate(unit.text, content, cursor)
                stream.units.append(
                    Unit(
                        content,
                        unit.start + cursor,
                        unit.end,
                        stream.pending_header,
                        new_paragraph,
                        stream.returning and stream.pending_header is not None,
                    )
                )
                stream.pending_header = None
                new_paragraph = False
    return streams


def _pieces(
    text: str, fmt: NoteFormat, header_rules: HeaderRules, command_rules: CommandRules
) -> list[Piece]:
    """Commands and sentences of a rewritten unit.

    Rewriting can reveal sentence ends the first split missed ("H I. Objective"
    before "HI", "better period she slept"), and Whisper runs headers into the
    middle of sentences, so words are split again, except inside a quotation.
    """
    pieces: list[Piece] = []
    for piece in split_commands(text, command_rules):
        if piece.command is not None or '"' in piece.text:
            pieces.append(piece)
            continue
        for sentence in resplit(piece.text):
            for part in split_run_on(sentence):
                command, rest = split_leading_command(part, command_rules)
                if command is not None:
                    pieces.append(Piece(command=command))
                pieces.extend(Piece(text=s) for s in split_inline_headers(rest, fmt, header_rules))
    return pieces


def _locate(original: str, content: str, cursor: int) -> int:
    """Offset in ``original`` where ``content`` begins, at or after ``cursor``.

    Rewriting may have changed the words ("S I" -> "SI"), so the first word that
    can be found is used; failing that, the cursor stays where it was.
    """
    lowered = original.lower()
    for word, _, _ in words(content)[:3]:
        found = lowered.find(word, cursor)
        if found >= 0:
            return found
    return cursor


def _scratch(stream: _Stream) -> None:
    """Drop the last thing dictated in this stream (a pending header, else a sentence)."""
    if stream.pending_header is not None:
        stream.pending_header = None
        return
    if stream.units:
        dropped = stream.units.pop()
        stream.pending_header = dropped.header


def _is_filler(text: str, fillers: frozenset[str]) -> bool:
    tokens = [w for w, _, _ in words(text)]
    return all(t in fillers or t in {"period", "comma"} for t in tokens)


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
