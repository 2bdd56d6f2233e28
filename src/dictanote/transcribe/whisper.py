"""Speech to text with faster-whisper: the only module that imports it.

Loads a model once (offline: the hub is never contacted) and turns in-memory
``Audio`` into a ``Transcript``. Never logs transcript text; never writes audio.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..core.errors import ModelUnreadableError, TranscriptionError
from ..core.types import SAMPLE_RATE, Audio, DecodingOptions, TimedSegment, Timings, Transcript, Word
from .models import ModelInfo

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

log = logging.getLogger(__name__)

ProgressCallback = Callable[[float], None]

# Whisper's window: a live chunk must fit in one.
CHUNK_LIMIT_S = 30.0
# Silence (in 10 ms feature frames) kept after a chunk's own length when the encoder is shortened.
ENCODER_PAD_FRAMES = 200

# What Whisper says on silence or noise, learned from subtitles, never from a dictation.
HALLUCINATIONS = frozenset(
    {
        "thank you",
        "thank you very much",
        "thanks for watching",
        "thank you for watching",
        "please subscribe",
        "you",
        "bye",
        "blank audio",
        "silence",
        "music",
        "inaudible",
    }
)


def _plain(text: str) -> str:
    """Words only, lower-cased, in any script (digits kept): what two segments are compared by."""
    return " ".join(re.sub(r"[\W_]+", " ", text.lower()).split())


def drop_hallucinations(segments: list[TimedSegment]) -> list[TimedSegment]:
    """Remove segments Whisper invents on silence.

    A segment that is only a known phrase ("Thank you.", "[BLANK_AUDIO]"), that
    repeats the segment before it word for word, or that repeats its last words
    (two or more: "... and plan, meet next week." then "Plan, meet next week.",
    Whisper echoing its context into a chunk's closing silence) is dropped;
    anything with other words in it is kept, in any script.
    """
    kept: list[TimedSegment] = []
    for seg in segments:
        plain = _plain(seg.text)
        if not plain or plain in HALLUCINATIONS:
            continue
        before = _plain(kept[-1].text) if kept else ""
        if plain == before or (" " in plain and before.endswith(" " + plain)):
            continue
        kept.append(seg)
    return kept


def timed_segment(seg: Any, offset_s: float = 0.0) -> TimedSegment | None:
    """A faster-whisper ``Segment`` as our ``TimedSegment``, times shifted by ``offset_s``; None if empty.

    Its words (present when word timestamps were asked for) keep their text as
    Whisper wrote it, leading space included; a word with no text is left out.
    """
    text = seg.text.strip()
    if not text:
        return None
    words = tuple(
        Word(w.word, float(w.start) + offset_s, float(w.end) + offset_s, float(w.probability))
        for w in seg.words or ()
        if w.word
    )
    return TimedSegment(float(seg.start) + offset_s, float(seg.end) + offset_s, text, words)


def chunk_prompt(initial_prompt: str | None, previous_text: str | None) -> str | None:
    """What a live chunk is prompted with: the fixed prompt, then the chunk heard before (nearest last).

    faster-whisper keeps a prompt's last 223 tokens, so the words just heard are never cut off.
    """
    parts = [p.strip() for p in (initial_prompt, previous_text) if p and p.strip()]
    return " ".join(parts) or None


def go_offline() -> None:
    """Set before faster_whisper, huggingface_hub or onnxruntime are imported.

    No model is ever fetched, and onnxruntime (the VAD) writes no telemetry
    files (a device id under the cache directory, a session id in the temp
    directory) -- tests/integration/test_no_audio_on_disk.py caught those.
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"


@functools.cache
def _whisper_class() -> Any:
    """faster-whisper's model with two changes: a shorter encoder, and words that change nothing heard.

    faster-whisper pads every window to 30 s before the encoder; for a chunk of
    a few seconds most of that pass is spent on padding. With ``encode_frames``
    set, the padded features are cut back to that many frames first
    (CTranslate2 accepts any length up to 3000). None leaves batch behaviour as is.

    Word timestamps must not change what is heard. faster-whisper, once it has
    the words, starts the next window at the last word's end instead of where
    Whisper's own timestamps put it, and moves each segment's times to its
    words'. That re-cut the windows and cost WER (batch 4.3 -> 4.4 %, streaming
    3.4 -> 6.8 % on three samples; a chunk cut in mid-speech lost its last words).
    So each window's seek is kept as the timestamps set it (faster-whisper reads
    "single timestamp ending" only for that word seek), the segment times are
    put back and each word is kept inside its segment: the text and segments are
    those heard without words.
    """
    from faster_whisper import WhisperModel

    class ChunkWhisperModel(WhisperModel):  # type: ignore[misc]
        encode_frames: int | None = None

        def encode(self, features: Any) -> Any:
            if self.encode_frames is not None:
                features = features[..., : self.encode_frames]
            return super().encode(features)

        def _split_segments_by_timestamps(self, *args: Any, **kwargs: Any) -> Any:
            segments, seek, _single_timestamp_ending = super()._split_segments_by_timestamps(*args, **kwargs)
            return segments, seek, True  # the seek stands: no move to the last word's end

        def add_word_timestamps(self, segments: list[list[dict[str, Any]]], *args: Any, **kwargs: Any) -> Any:
            times = [[(sub["start"], sub["end"]) for sub in window] for window in segments]
            last_speech = super().add_word_timestamps(segments, *args, **kwargs)
            for window, window_times in zip(segments, times, strict=True):
                for sub, (start, end) in zip(window, window_times, strict=True):
                    sub["start"], sub["end"] = start, end
                    for word in sub.get("words", ()):
                        word["start"] = min(max(word["start"], start), end)
                        word["end"] = min(max(word["end"], word["start"]), end)
            return last_speech

    return ChunkWhisperModel


class Transcriber:
    """A Whisper model loaded once and reused for every dictation."""

    def __init__(self, model: ModelInfo, options: DecodingOptions) -> None:
        self.model = model
        self.options = options
        self._whisper: Any = None
        self._lock = threading.Lock()  # one decode at a time; chunk decoding changes the encoder length
        self.load_s = 0.0

    @property
    def loaded(self) -> bool:
        """Whether the model weights are in memory."""
        return self._whisper is not None

    def load(self) -> float:
        """Load the model if needed; return the seconds the load took (0 if already loaded)."""
        if self._whisper is not None:
            return 0.0
        go_offline()
        started = time.perf_counter()
        try:
            self._whisper = _whisper_class()(
                str(self.model.path),
                device="cpu",
                compute_type=self.options.compute_type,
                cpu_threads=self.options.cpu_threads,
                local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ModelUnreadableError(
                f"cannot load Whisper model {self.model.name!r} from {self.model.path}: {reason}"
            ) from exc
        self.load_s = time.perf_counter() - started
        log.info("loaded model %s (%s) in %.2f s", self.model.name, self.model.origin, self.load_s)
        return self.load_s

    def transcribe(self, audio: Audio, on_progress: ProgressCallback | None = None) -> Transcript:
        """Transcribe ``audio``; ``on_progress`` gets the fraction done (0..1) per segment."""
        load_s = self.load()
        opts = self.options
        started = time.perf_counter()
        self._lock.acquire()
        try:
            self._whisper.encode_frames = None
            segments_iter, _info = self._whisper.transcribe(
                audio.samples,
                language=opts.language,
                beam_size=opts.beam_size,
                vad_filter=opts.vad_filter,
                initial_prompt=opts.initial_prompt or None,
                hotwords=opts.hotwords,
                word_timestamps=opts.word_timestamps,
            )
            heard: list[TimedSegment] = []
            for seg in segments_iter:
                timed = timed_segment(seg)
                if timed is not None:
                    heard.append(timed)
                if on_progress is not None and audio.duration_s > 0:
                    on_progress(min(1.0, float(seg.end) / audio.duration_s))
        except Exception as exc:  # CTranslate2 and onnxruntime raise plain RuntimeErrors
            raise TranscriptionError(
                f"transcription failed for {audio.source}: {type(exc).__name__}"
            ) from exc
        finally:
            self._lock.release()
        if on_progress is not None:
            on_progress(1.0)
        segments = drop_hallucinations(heard)
        elapsed = time.perf_counter() - started
        log.info(
            "transcribed %.1f s of audio in %.2f s (%d segments, %d dropped as hallucinations)",
            audio.duration_s,
            elapsed,
            len(segments),
            len(heard) - len(segments),
        )
        return Transcript(
            text=" ".join(s.text for s in segments),
            segments=tuple(segments),
            duration_s=audio.duration_s,
            model=self.model.name,
            options=opts,
            timings=Timings(load_s=load_s, transcribe_s=elapsed),
        )

    def transcribe_chunk(
        self,
        samples: npt.NDArray[np.float32],
        previous_text: str | None = None,
        offset_s: float = 0.0,
        short_encoder: bool = True,
    ) -> list[TimedSegment]:
        """Transcribe one chunk of a live dictation (under 30 s, cut at a pause).

        ``previous_text`` (the chunk before, as heard) is given to Whisper as
        context, after the options' ``initial_prompt`` if any; it never overlaps
        this chunk's audio, so it cannot make Whisper skip words (a fixed prompt
        can: benchmarks/README.md, ``initial_prompt``). ``short_encoder``
        feeds the encoder the chunk's own length plus 2 s of padding instead of
        30 s (much faster; without the padding Whisper tends to repeat itself).
        Segment and word times are shifted by ``offset_s``.
        Hallucinated segments are not dropped here: the caller sees all chunks.
        """
        self.load()
        opts = self.options
        duration_s = len(samples) / SAMPLE_RATE
        if duration_s > CHUNK_LIMIT_S:
            raise ValueError(f"a chunk must be under {CHUNK_LIMIT_S:.0f} s, got {duration_s:.1f} s")
        frames = int(duration_s * 100) // 2 * 2 + ENCODER_PAD_FRAMES
        with self._lock:
            self._whisper.encode_frames = min(frames, 3000) if short_encoder else None
            try:
                segments_iter, _info = self._whisper.transcribe(
                    samples,
                    language=opts.language,
                    beam_size=opts.beam_size,
                    vad_filter=False,
                    initial_prompt=chunk_prompt(opts.initial_prompt, previous_text),
                    condition_on_previous_text=False,
                    hotwords=opts.hotwords,
                    word_timestamps=opts.word_timestamps,
                )
                heard = [t for t in (timed_segment(seg, offset_s) for seg in segments_iter) if t is not None]
            except Exception as exc:  # CTranslate2 raises plain RuntimeErrors
                raise TranscriptionError(
                    f"transcription of a live chunk failed: {type(exc).__name__}"
                ) from exc
            finally:
                self._whisper.encode_frames = None
        return heard
