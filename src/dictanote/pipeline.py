"""Wire the stages together: the one module that knows all of them.

capture/file -> transcribe -> segment -> (check) -> render. Entry points (CLI,
daemon, review server) call these functions; stages never import each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from .check import CheckOptions, check_draft
from .core.config import Config
from .core.formats import load_format
from .core.types import DecodingOptions, Draft, Finding, Note, NoteFormat, StoredDraft, Transcript
from .core.vocabulary import load_vocabulary
from .render import render_markdown, render_note
from .segment import SegmentOptions, remap, segment_transcript, warm_up
from .transcribe import Transcriber, load_audio_file, resolve_model

if TYPE_CHECKING:
    from .store import Store

# Audio longer than this gets a progress callback (the CLI shows a bar on a terminal).
PROGRESS_MIN_S = 30.0

ProgressFactory = Callable[[float], Callable[[float], None] | None]


@dataclass(frozen=True)
class DraftResult:
    """A draft with the transcript it came from and the checks' findings."""

    draft: Draft
    format: NoteFormat
    findings: tuple[Finding, ...]
    transcript: Transcript | None = None
    private_format: NoteFormat | None = None


def decoding_options(config: Config) -> DecodingOptions:
    """The decoding options the settings ask for (vocabulary terms as hotwords if enabled)."""
    s = config.settings
    return DecodingOptions(
        beam_size=s.beam_size,
        compute_type=s.compute_type,
        cpu_threads=s.cpu_threads,
        vad_filter=s.vad_filter,
        hotwords=load_vocabulary(config.paths).hotwords if s.hotwords else None,
    )


def make_transcriber(config: Config) -> Transcriber:
    """A transcriber for the configured model (resolved now, loaded on first use)."""
    model = resolve_model(config.settings.model, config.paths)
    return Transcriber(model, decoding_options(config))


def transcribe_file(
    path: Path,
    config: Config,
    progress: ProgressFactory | None = None,
    transcriber: Transcriber | None = None,
) -> Transcript:
    """Decode and transcribe an audio file the user passed in."""
    engine = transcriber or make_transcriber(config)
    audio = load_audio_file(path)
    callback = progress(audio.duration_s) if progress and audio.duration_s > PROGRESS_MIN_S else None
    return engine.transcribe(audio, on_progress=callback)


PRIVATE_FORMAT = "psychotherapy"


def segment_options(config: Config) -> SegmentOptions:
    """What the segmenter needs from the settings: vocabulary and the private format."""
    return SegmentOptions(
        replacements=load_vocabulary(config.paths).replacements,
        private_format=load_format(PRIVATE_FORMAT, config.paths),
    )


def draft_from_text(text: str, format_id: str, config: Config, previous: str | None = None) -> DraftResult:
    """Segment a transcript's text into a draft of the given format, and check it.

    ``previous`` is the same client's previous note (text), for the copied-forward check.
    """
    fmt = load_format(format_id, config.paths)
    options = segment_options(config)
    draft = segment_transcript(text, fmt, options)
    earlier = segment_transcript(previous, fmt, options) if previous else None
    findings = check_draft(draft, fmt, CheckOptions(previous=earlier))
    return DraftResult(draft, fmt, findings, private_format=options.private_format)


def draft_from_audio(
    path: Path,
    format_id: str,
    config: Config,
    progress: ProgressFactory | None = None,
) -> DraftResult:
    """Transcribe an audio file and segment it into a draft of the given format."""
    fmt = load_format(format_id, config.paths)  # fail on a bad format before transcribing
    options = segment_options(config)
    warm_up()  # load the segmenter's spaCy pipeline while the audio is transcribed
    transcript = transcribe_file(path, config, progress)
    draft = segment_transcript(transcript.text, fmt, options)
    findings = check_draft(draft, fmt)
    return DraftResult(draft, fmt, findings, transcript, options.private_format)


# --- the store: inbox, review, finalize ----------------------------------------


def open_store(config: Config) -> Store:
    """The user's store (drafts inbox and notes) in the configured data directory."""
    from .store import Store

    return Store.open(config.paths.data_dir)


def save_result(result: DraftResult, config: Config, source: str = "cli") -> StoredDraft:
    """Put a draft (and its private companion) in the inbox; the audio is not kept."""
    with open_store(config) as store:
        return store.save_draft(result.draft, source=source)


def _age_hours(created_at: str, now: datetime | None) -> float:
    created = datetime.strptime(created_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return ((now or datetime.now(timezone.utc)) - created).total_seconds() / 3600


def check_stored(stored: StoredDraft, config: Config, now: datetime | None = None) -> tuple[Finding, ...]:
    """The checks' findings on a draft in the inbox, the 72-hour timeliness check included."""
    fmt = load_format(stored.draft.format, config.paths)
    options = CheckOptions(age_hours=_age_hours(stored.created_at, now))
    return check_draft(stored.draft, fmt, options)


def switch_format(draft: Draft, format_id: str, config: Config) -> Draft:
    """The draft's sentences re-placed into another format's fields."""
    return remap(draft, load_format(format_id, config.paths))


def render_note_markdown(draft: Draft, config: Config, findings: tuple[Finding, ...] = ()) -> str:
    """A draft or a note's content laid out by its format's Markdown template."""
    fmt = load_format(draft.format, config.paths)
    private = load_format(PRIVATE_FORMAT, config.paths) if draft.private is not None else None
    return render_markdown(draft, fmt, config.paths, private, findings)


def render_final_markdown(note: Note, config: Config) -> str:
    """A finalized note laid out by its format's template, with signature and amendments."""
    return render_note(note, load_format(note.content.format, config.paths), config.paths)
