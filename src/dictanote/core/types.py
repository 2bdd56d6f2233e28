"""The plain values that flow between pipeline stages.

Every stage takes and returns these frozen dataclasses; library objects (a
faster-whisper ``Segment``, a spaCy ``Doc``) never cross a stage boundary.
This module imports nothing heavy and holds no behaviour beyond small helpers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SAMPLE_RATE = 16_000

# --- capture -> transcribe -------------------------------------------------


@dataclass(frozen=True, eq=False)
class Audio:
    """Mono float32 samples at 16 kHz, held in memory only (never written to disk)."""

    samples: npt.NDArray[np.float32]
    source: str
    sample_rate: int = SAMPLE_RATE

    @property
    def duration_s(self) -> float:
        """Length of the audio in seconds."""
        return float(len(self.samples)) / self.sample_rate


# --- transcribe -> segment -------------------------------------------------


@dataclass(frozen=True)
class DecodingOptions:
    """The faster-whisper settings a transcript was produced with."""

    beam_size: int = 5
    compute_type: str = "int8"
    cpu_threads: int = 1
    vad_filter: bool = True
    language: str = "en"
    hotwords: str | None = None
    initial_prompt: str | None = None  # text Whisper reads as what came before (each live chunk too)
    word_timestamps: bool = True  # an extra alignment pass per window: each word's times and probability


@dataclass(frozen=True)
class Word:
    """One word as Whisper heard it: times in seconds on the dictation's clock, and how sure it was (0..1).

    ``text`` keeps Whisper's leading space (and any punctuation it attached), so a
    segment's words joined with ``""`` and stripped give the segment's text.
    """

    text: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True)
class TimedSegment:
    """A stretch of transcribed speech with its start and end in seconds, and its words when asked for."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Timings:
    """How long the model took to load and to transcribe, in seconds."""

    load_s: float
    transcribe_s: float


@dataclass(frozen=True)
class Transcript:
    """What the transcriber heard, with the model and options that produced it."""

    text: str
    segments: tuple[TimedSegment, ...]
    duration_s: float
    model: str
    options: DecodingOptions
    timings: Timings

    def to_dict(self) -> dict[str, Any]:
        """The ``transcribe --json`` contract."""
        return {
            "text": self.text,
            "duration_s": round(self.duration_s, 3),
            "model": self.model,
            "segments": [
                {
                    "start": round(s.start, 2),
                    "end": round(s.end, 2),
                    "text": s.text,
                    "words": [
                        {
                            "text": w.text,
                            "start": round(w.start, 2),
                            "end": round(w.end, 2),
                            "probability": round(w.probability, 3),
                        }
                        for w in s.words
                    ],
                }
                for s in self.segments
            ],
            "timings": {
                "load_s": round(self.timings.load_s, 3),
                "transcribe_s": round(self.timings.transcribe_s, 3),
            },
        }


# --- note formats (data files) ---------------------------------------------


# Clinical roles a dictated sentence can play; each format maps roles to its fields.
ROLES = (
    "client_report",
    "risk_report",
    "observation",
    "session_facts",
    "measure",
    "intervention",
    "client_response",
    "assessment",
    "progress",
    "risk_assessment",
    "safety_action",
    "plan",
    "goal",
    "reflection",
    "process",
    "question",
)


@dataclass(frozen=True)
class FieldSpec:
    """One field of a note format, as declared in its TOML file."""

    id: str
    label: str
    cues: tuple[str, ...]
    description: str = ""
    required: bool = True
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoteFormat:
    """A note format: its ordered fields, where it was loaded from and its layout."""

    id: str
    label: str
    description: str
    fields: tuple[FieldSpec, ...]
    template: str
    source: str

    @property
    def field_ids(self) -> tuple[str, ...]:
        """The canonical field ids in the format's order."""
        return tuple(f.id for f in self.fields)

    def field(self, field_id: str) -> FieldSpec:
        """The field with this id; KeyError if the format has none."""
        for spec in self.fields:
            if spec.id == field_id:
                return spec
        raise KeyError(field_id)


# --- segment -> check -> render ---------------------------------------------

Origin = Literal["spoken_header", "inferred"]


@dataclass(frozen=True)
class UncertainWord:
    """Words Whisper was unsure of: where they stand in the text, and the lowest probability among them.

    ``start``/``end`` are character offsets into the text that holds them (a
    sentence's text in a draft, the transcript before segmenting).
    """

    start: int
    end: int
    text: str
    probability: float

    def to_dict(self) -> dict[str, Any]:
        """The uncertain words as the JSON contract spells them."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "probability": round(self.probability, 3),
        }


@dataclass(frozen=True)
class Correction:
    """A misheard span the vocabulary layer rewrote: where the replacement stands, what was heard, and why.

    ``start``/``end`` locate ``replacement`` in the text that holds it (as for
    ``UncertainWord``); ``original`` is what Whisper wrote, so the clinician can
    undo the correction; ``reason`` says in words what evidence made it.
    """

    start: int
    end: int
    original: str
    replacement: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """The correction as the JSON contract spells it."""
        return {
            "start": self.start,
            "end": self.end,
            "original": self.original,
            "replacement": self.replacement,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Sentence:
    """One dictated sentence and how it came to be in its field.

    ``span`` locates the words in the transcript (character offsets), ``role``
    is the clinical role the classifier saw, ``paragraph`` starts a new paragraph.
    ``uncertain`` and ``corrections`` point into ``text``: words Whisper was unsure
    of, and misheard words the vocabulary layer rewrote (both for the clinician to check).
    ``goals``: the ids of the client's treatment-plan goals the clinician linked this
    sentence to (suggestions are never stored here, only what was confirmed).
    """

    text: str
    origin: Origin
    confidence: float
    span: tuple[int, int] | None = None
    role: str | None = None
    paragraph: bool = False
    uncertain: tuple[UncertainWord, ...] = ()
    corrections: tuple[Correction, ...] = ()
    goals: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The sentence as the JSON contract spells it (``goals`` only once the clinician linked one)."""
        out: dict[str, Any] = {
            "text": self.text,
            "origin": self.origin,
            "confidence": round(self.confidence, 2),
            "uncertain": [w.to_dict() for w in self.uncertain],
            "corrections": [c.to_dict() for c in self.corrections],
        }
        if self.goals:
            out["goals"] = list(self.goals)
        return out


@dataclass(frozen=True)
class DraftField:
    """A field of the draft: its sentences in dictation order."""

    id: str
    label: str
    sentences: tuple[Sentence, ...] = ()

    def paragraph_groups(self) -> list[list[Sentence]]:
        """The field's sentences grouped where a new paragraph was dictated."""
        out: list[list[Sentence]] = []
        for sentence in self.sentences:
            if not out or sentence.paragraph:
                out.append([])
            out[-1].append(sentence)
        return out

    @property
    def paragraphs(self) -> list[str]:
        """The field's sentences joined into prose, split where a paragraph was dictated."""
        return [" ".join(s.text for s in group) for group in self.paragraph_groups()]

    @property
    def text(self) -> str:
        """The field's prose, paragraphs separated by a blank line."""
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class MeasureValue:
    """A rating-scale score as dictated, with the earlier value when one was said."""

    name: str
    to: int
    from_: int | None = None


@dataclass(frozen=True)
class Medication:
    """A medication named in the dictation, with its dose when one was said."""

    name: str
    dose: str | None = None


@dataclass(frozen=True)
class SessionInfo:
    """Facts about the session: what was said (and editable by the clinician), and who it was with.

    ``client`` is the initials as dictated; ``client_id`` the client of the caseload the
    clinician chose (``--client``, or confirmed on the review page), never guessed.
    ``date`` and ``time`` are the date (YYYY-MM-DD) and local time (HH:MM) of service: as
    said, else when the dictation started. ``attendance`` answers "did the session
    happen?" (``policy.ATTENDANCE``; None: not stated, taken as attended) with its ``reason``.
    """

    client: str | None = None
    date: str | None = None
    duration_minutes: int | None = None
    modality: str | None = None
    service_type: str | None = None
    measures: tuple[MeasureValue, ...] = ()
    medications: tuple[Medication, ...] = ()
    risk: tuple[str, ...] = ()
    client_id: str | None = None
    time: str | None = None
    attendance: str | None = None
    attendance_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The metadata object of the JSON contract."""
        return {
            "client": self.client,
            "client_id": self.client_id,
            "date": self.date,
            "time": self.time,
            "attendance": self.attendance,
            "attendance_reason": self.attendance_reason,
            "duration_minutes": self.duration_minutes,
            "modality": self.modality,
            "service_type": self.service_type,
            "measures": [{"name": m.name, "from": m.from_, "to": m.to} for m in self.measures],
            "medications": [{"name": m.name, "dose": m.dose} for m in self.medications],
            "risk": list(self.risk),
        }


@dataclass(frozen=True)
class UnclosedPrivate:
    """A "private note" never closed by "end private note": what went into the private note after it.

    Counts and field ids only, never words (it travels with the clinical record):
    ``sentences`` dictated after the cue, and ``headers``, the ids of the record's
    fields whose spoken headers came after it.
    """

    sentences: int
    headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Draft:
    """A sectioned draft note awaiting the clinician's review; never a final note.

    ``transcript`` is what was dictated for this draft: a clinical draft's has each
    private span cut out (``policy.PRIVATE_CUT_MARK`` where it was), its private
    companion's holds only those spans. ``unclosed_private``: set when a private
    note was never closed, so the checks can say what went into it.
    """

    format: str
    transcript: str
    fields: tuple[DraftField, ...]
    session: SessionInfo = field(default_factory=SessionInfo)
    segmenter: str = ""
    private: Draft | None = None
    unclosed_private: UnclosedPrivate | None = None

    def field(self, field_id: str) -> DraftField:
        """The field with this id; KeyError if the draft has none."""
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(field_id)

    @property
    def by_id(self) -> Mapping[str, DraftField]:
        """Fields keyed by id, in the format's order."""
        return {f.id: f for f in self.fields}


Severity = Literal["info", "warning", "error"]


@dataclass(frozen=True)
class Finding:
    """Something a good note needs and this draft lacks, or has in the wrong place."""

    code: str
    field: str | None
    severity: Severity
    message: str
    span: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The finding as the JSON contract spells it."""
        return {
            "code": self.code,
            "field": self.field,
            "severity": self.severity,
            "message": self.message,
            "span": list(self.span) if self.span else None,
        }


# --- store -> review / export ----------------------------------------------

Record = Literal["clinical", "private"]


@dataclass(frozen=True)
class StoredDraft:
    """A draft waiting in the inbox, as the store holds it.

    ``version`` grows by one with every saved edit; a save that names an older
    version is refused, so two editors never silently overwrite each other.
    ``companion`` links a private (psychotherapy) draft to the clinical draft it
    was dictated with; only the private database holds that link.
    """

    id: int
    record: Record
    draft: Draft
    version: int
    created_at: str
    updated_at: str
    source: str
    companion: int | None = None


@dataclass(frozen=True)
class DamagedDraft:
    """A draft in the inbox whose stored content cannot be read: its id and the problem in words (no text)."""

    id: int
    problem: str


@dataclass(frozen=True)
class Client:
    """One client of the caseload, as the clinical record holds them.

    ``id`` is the clinician's own short handle (what commands take); ``key`` is the
    store's number for the row, the only thing the audit log names. ``confirmed`` is
    False for a client the store made from dictated initials, until the clinician edits it.
    """

    key: int
    id: str
    name: str
    dob: str | None
    pronouns: str | None
    archived: bool
    confirmed: bool
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Amendment:
    """A change to a finalized note, kept beside the original with its own time."""

    at: str
    reason: str
    signed_by: str
    content: Draft


@dataclass(frozen=True)
class Note:
    """A finalized, signed note. Immutable: later changes are amendments."""

    id: int
    record: Record
    draft_id: int
    original: Draft
    created_at: str
    finalized_at: str
    signed_by: str
    amendments: tuple[Amendment, ...] = ()

    @property
    def content(self) -> Draft:
        """The note as it stands now: the latest amendment, or the original."""
        return self.amendments[-1].content if self.amendments else self.original

    @property
    def amended_at(self) -> str | None:
        """When the note was last amended, if ever."""
        return self.amendments[-1].at if self.amendments else None

    def amended_fields(self, index: int) -> tuple[DraftField, ...]:
        """The fields amendment ``index`` changed (their text as amended), against the version before it."""
        before = (self.amendments[index - 1].content if index else self.original).by_id
        return tuple(
            f
            for f in self.amendments[index].content.fields
            if f.id not in before or before[f.id].paragraphs != f.paragraphs
        )
