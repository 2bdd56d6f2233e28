"""Wire the stages together: the one module that knows all of them.

capture/file -> transcribe -> segment -> (check) -> render. Entry points (CLI,
daemon, review server) call these functions; stages never import each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .check import CheckOptions, check_draft
from .config import Config
from .formats import load_format
from .segment import SegmentOptions, segment_transcript, warm_up
from .transcribe import Transcriber, load_audio_file, resolve_model
from .types import DecodingOptions, Draft, Finding, NoteFormat, Transcript
from .vocabulary import load_vocabulary

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
