"""Streaming transcription: audio fed as it is spoken, transcribed chunk by chunk.

A voice-activity detector (faster-whisper's Silero ONNX model, run on each new
stretch of audio) marks pauses; once enough audio is pending, it is cut at the
latest pause and handed to a background thread that transcribes it with the
loaded model, the previous chunk's text as context. ``finish()`` leaves only
the last chunk to transcribe. Chunks are dropped from memory once transcribed;
nothing is written anywhere and no text is logged.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..core.errors import TranscriptionError
from ..core.types import SAMPLE_RATE, TimedSegment, Timings, Transcript
from .whisper import CHUNK_LIMIT_S, Transcriber, drop_hallucinations, go_offline

if TYPE_CHECKING:
    import numpy.typing as npt

log = logging.getLogger(__name__)

WINDOW = 512  # samples per VAD decision (32 ms at 16 kHz)
WINDOW_S = WINDOW / SAMPLE_RATE


@dataclass(frozen=True)
class StreamingOptions:
    """Where live audio is cut into chunks, and how chunks are decoded.

    A chunk is cut at the middle of the latest pause of at least
    ``min_pause_s`` once ``min_chunk_s`` of audio is pending; with no pause by
    ``max_chunk_s`` it is cut at the quietest moment; a pause right after an
    utterance shorter than ``short_utterance_s`` (a spoken header) is passed
    over, so that the utterance starts the next chunk. ``context`` passes the
    previous chunk's text to Whisper; ``short_encoder`` feeds the encoder only
    the chunk's length (see ``Transcriber.transcribe_chunk``); ``speculate``
    transcribes the pending audio whenever the speaker pauses for
    ``guess_pause_s`` and the model is idle, so that a stop right after a pause
    finds it already done. Defaults measured on our 12 samples (mean WER;
    batch 4.3 %): min_chunk_s 4 -> 5.5 %, 6 -> 5.0 %, 8 -> 5.2 %; with 6:
    min_pause_s 0.5 -> 5.0 %, no context -> 5.7 %, the last 100 words as
    context -> 5.3 %, the encoder padded to 30 s -> 5.3 % (and 3x slower).
    short_utterance_s (our 12 samples / 24 held-out corpus dictations spoken
    by piper; batch 4.3 % / 6.9 %): off -> 5.0 % / 8.0 % (spoken headers lost
    at chunk ends), 1.5 -> 4.9 % / 7.6 %, 2.5 -> 4.5 % / 8.2 %, 3.0 -> 4.4 % /
    7.8 %. Also tried, all worse: the encoder padding 4 s or 8 s instead of
    2 s, real silence appended instead of padding, long pauses squeezed out
    of each chunk, the cut moved next to the following speech.
    """

    min_chunk_s: float = 6.0
    max_chunk_s: float = 24.0
    min_pause_s: float = 0.3
    short_utterance_s: float = 1.5
    guess_pause_s: float = 0.45
    speech_threshold: float = 0.5
    silence_threshold: float = 0.35
    vad_step_s: float = 0.25
    vad_context_s: float = 0.5
    context: bool = True
    short_encoder: bool = True
    speculate: bool = True

    def __post_init__(self) -> None:
        if not 0 < self.min_chunk_s <= self.max_chunk_s < CHUNK_LIMIT_S:
            raise ValueError("chunk lengths must satisfy 0 < min_chunk_s <= max_chunk_s < 30")


class SpeechDetector:
    """Silero VAD fed incrementally: one speech probability per 32 ms window, in order."""

    def __init__(self, context_s: float = 0.5) -> None:
        go_offline()
        from faster_whisper.vad import get_vad_model

        self._model = get_vad_model()
        self._context = int(context_s / WINDOW_S) * WINDOW
        self._history = np.zeros(0, dtype=np.float32)  # the last context samples already scored
        self._rest = np.zeros(0, dtype=np.float32)  # samples not yet making a whole window

    def feed(self, samples: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Probabilities for the whole windows completed by ``samples`` (possibly none)."""
        rest = np.concatenate((self._rest, samples))
        whole = len(rest) // WINDOW * WINDOW
        self._rest = rest[whole:].copy()
        if whole == 0:
            return np.zeros(0, dtype=np.float32)
        fresh = rest[:whole]
        audio = np.concatenate((self._history, fresh))
        try:
            probs = np.asarray(self._model(audio), dtype=np.float32).reshape(-1)
        except Exception as exc:  # onnxruntime errors
            raise TranscriptionError(f"voice activity detection failed: {type(exc).__name__}") from exc
        self._history = audio[-self._context :].copy() if self._context else self._history
        return probs[len(probs) - whole // WINDOW :]


def warm_up_vad() -> None:
    """Load the VAD model now (it is cached), so the first dictation does not wait for it."""
    SpeechDetector().feed(np.zeros(WINDOW, dtype=np.float32))


def _pauses(quiet: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """The (start, end) windows of each quiet stretch, latest first."""
    found: list[tuple[int, int]] = []
    end = len(quiet)
    while end > 0:
        while end > 0 and not quiet[end - 1]:
            end -= 1
        start = end
        while start > 0 and quiet[start - 1]:
            start -= 1
        if end > start:
            found.append((start, end))
        end = start
    return found


@dataclass
class _Guess:
    """A speculative transcription of the pending audio up to a pause (``windows`` VAD windows)."""

    windows: int
    segments: list[TimedSegment] | None = None


@dataclass(frozen=True)
class _Chunk:
    index: int
    start: int  # sample offset in the dictation
    samples: npt.NDArray[np.float32]
    guess: _Guess | None = None  # the chunk's speculative result, if one was made for this very cut
    speculative: bool = False  # a guess to fill in, not a chunk of the transcript


class StreamingTranscription:
    """One dictation, transcribed while it is spoken.

    Call ``feed()`` with consecutive 16 kHz float32 blocks (from one thread),
    then ``finish()`` once for the ``Transcript`` (or ``cancel()``). Properties
    report progress and the voice activity the caller needs (silence-stop).
    """

    def __init__(
        self, transcriber: Transcriber, options: StreamingOptions | None = None, source: str = "microphone"
    ) -> None:
        self.transcriber = transcriber
        self.options = options or StreamingOptions()
        self.source = source
        self._vad = SpeechDetector(self.options.vad_context_s)
        self._blocks: list[npt.NDArray[np.float32]] = []  # pending audio since the last cut
        self._unscored: list[npt.NDArray[np.float32]] = []
        self._unscored_len = 0
        self._probs: list[float] = []  # per window, from the last cut on
        self._cut = 0  # sample offset of the last cut
        self._total = 0  # samples fed
        self._chunks = 0
        self._done = 0
        self._speech_windows = 0
        self._trailing_silence = 0  # windows of silence since the last speech
        self._queue: queue.SimpleQueue[_Chunk | None] = queue.SimpleQueue()
        self._inflight = 0  # items queued or being transcribed
        self._guess: _Guess | None = None
        self._segments: list[TimedSegment] = []
        self._error: BaseException | None = None
        self._busy_s = 0.0
        self._cancelled = threading.Event()
        self._finished = False
        self._worker = threading.Thread(target=self._work, name="dictanote-stream", daemon=True)
        self._worker.start()

    # --- progress -------------------------------------------------------------

    @property
    def duration_s(self) -> float:
        """Seconds of audio fed so far."""
        return self._total / SAMPLE_RATE

    @property
    def chunks_done(self) -> int:
        """Chunks transcribed so far."""
        return self._done

    @property
    def chunks_pending(self) -> int:
        """Chunks cut but not yet transcribed."""
        return self._chunks - self._done

    @property
    def heard_speech(self) -> bool:
        """Whether the detector has heard any speech yet."""
        return self._speech_windows > 0

    @property
    def trailing_silence_s(self) -> float:
        """Seconds of silence since the last speech (0 while speaking)."""
        return self._trailing_silence * WINDOW_S

    # --- feeding ----------------------------------------------------------------

    def feed(self, samples: npt.NDArray[np.float32]) -> None:
        """Add audio; cut and queue a chunk when a pause allows."""
        if self._finished:
            raise RuntimeError("feed() after finish()")
        if len(samples) == 0:
            return
        block = np.asarray(samples, dtype=np.float32)
        self._blocks.append(block)
        self._unscored.append(block)
        self._unscored_len += len(block)
        self._total += len(block)
        if self._unscored_len >= self.options.vad_step_s * SAMPLE_RATE:
            self._score()
            if not self._maybe_cut():
                self._maybe_guess()

    def _score(self) -> None:
        fresh = np.concatenate(self._unscored) if len(self._unscored) > 1 else self._unscored[0]
        self._unscored, self._unscored_len = [], 0
        probs = self._vad.feed(fresh)
        for p in probs.tolist():
            self._probs.append(p)
            if p >= self.options.speech_threshold:
                self._speech_windows += 1
                self._trailing_silence = 0
            elif self._speech_windows:
                self._trailing_silence += 1

    def _maybe_cut(self) -> bool:
        """Cut a chunk if the rule allows; whether one was cut."""
        opts = self.options
        pending_s = len(self._probs) * WINDOW_S
        if pending_s < opts.min_chunk_s:
            return False
        cut = self._pause_cut(opts.min_chunk_s, opts.min_pause_s)
        if cut is None and pending_s >= opts.max_chunk_s:
            cut = self._pause_cut(1.0, 2 * WINDOW_S)
            if cut is None:  # no pause at all: the quietest window of the second half
                half = len(self._probs) // 2
                cut = half + int(np.argmin(self._probs[half:]))
        if cut is not None:
            self._emit(cut)
        return cut is not None

    def _maybe_guess(self) -> None:
        """While the model is idle, transcribe the pending audio up to the latest pause.

        If the dictation stops before more speech comes, ``finish()`` uses this
        guess and has (nearly) nothing left to transcribe; if speech goes on,
        the guess is dropped and the chunk is cut by the usual rule (or reused
        when that cut falls on the same pause).
        """
        if not self.options.speculate or self._inflight or not self._speech_windows:
            return
        settle = max(1, round(self.options.min_pause_s / WINDOW_S))
        cut = self._pause_cut(1.0, self.options.guess_pause_s, settle=settle)
        if cut is None or (self._guess is not None and cut <= self._guess.windows + settle):
            return
        if max(self._probs[:cut], default=0.0) < self.options.speech_threshold:
            return
        pending = np.concatenate(self._blocks)[: cut * WINDOW]
        self._guess = _Guess(cut)
        self._put(_Chunk(0, self._cut, pending, self._guess, speculative=True))

    def _pause_cut(self, min_chunk_s: float, min_pause_s: float, settle: int | None = None) -> int | None:
        """The window at the middle of the latest pause that leaves a chunk of ``min_chunk_s``.

        A pause right after a short utterance (under ``short_utterance_s``:
        typically a spoken header, "Response.") is passed over for the pause
        before it, so the utterance starts the next chunk: at the very end of a
        chunk Whisper tends to leave a short phrase out. With ``settle`` (a
        guess while the speaker pauses), a cut lies at most that many windows
        into its pause, so that it stays put while a final silence grows.
        """
        quiet = np.asarray(self._probs) < self.options.silence_threshold
        min_windows = max(1, round(min_pause_s / WINDOW_S))
        short_run = round(self.options.short_utterance_s / WINDOW_S)
        pauses = _pauses(quiet)
        for i, (start, end) in enumerate(pauses):
            middle = (start + end) // 2
            if settle is not None:
                middle = min(middle, start + settle)
            if middle * WINDOW_S < min_chunk_s:
                return None
            if end - start < min_windows:
                continue
            if settle is None and short_run:
                speech_from = next((e for s, e in pauses[i + 1 :] if e - s >= min_windows), 0)
                if start - speech_from < short_run:
                    continue
            return middle
        return None

    def _emit(self, windows: int) -> None:
        """Queue the pending audio up to ``windows`` VAD windows as a chunk."""
        pending = np.concatenate(self._blocks)
        cut = windows * WINDOW
        chunk_probs = self._probs[:windows]
        self._probs = self._probs[windows:]
        self._blocks = [pending[cut:]] if len(pending) > cut else []
        self._queue_chunk(pending[:cut], chunk_probs, self._take_guess(windows))
        self._cut += cut

    def _take_guess(self, windows: int) -> _Guess | None:
        """The guess made for exactly this cut, if any; any other guess is dropped."""
        guess, self._guess = self._guess, None
        return guess if guess is not None and guess.windows == windows else None

    def _queue_chunk(
        self, samples: npt.NDArray[np.float32], probs: list[float], guess: _Guess | None = None
    ) -> None:
        if len(samples) == 0:
            return
        if probs and max(probs) < self.options.speech_threshold:
            log.debug("chunk of %.1f s without speech skipped", len(samples) / SAMPLE_RATE)
            return
        self._chunks += 1
        self._put(_Chunk(self._chunks, self._cut, samples, guess))

    def _put(self, item: _Chunk | None) -> None:
        if item is not None:
            self._inflight += 1
        self._queue.put(item)

    # --- the worker -------------------------------------------------------------

    def _work(self) -> None:
        previous: str | None = None
        while True:
            chunk = self._queue.get()
            if chunk is None or self._cancelled.is_set():
                return
            try:
                previous = self._work_on(chunk, previous)
            finally:
                self._inflight -= 1

    def _work_on(self, chunk: _Chunk, previous: str | None) -> str | None:
        """Transcribe one queued item; returns the context for the next chunk."""
        if chunk.speculative:
            assert chunk.guess is not None
            if self._error is None:
                started = time.perf_counter()
                try:
                    chunk.guess.segments = self._transcribe(chunk, previous)
                except Exception:  # a failed guess costs nothing: the chunk is transcribed for real
                    log.debug("a speculative transcription failed")
                self._busy_s += time.perf_counter() - started
            return previous
        self._done += 1
        if self._error is not None:
            return previous
        started = time.perf_counter()
        if chunk.guess is not None and chunk.guess.segments is not None:
            heard = chunk.guess.segments  # transcribed while the speaker paused
        else:
            try:
                heard = self._transcribe(chunk, previous)
            except Exception as exc:  # kept for finish() to raise on the caller's thread
                self._error = exc
                return previous
            finally:
                self._busy_s += time.perf_counter() - started
        self._segments.extend(heard)
        log.debug(
            "chunk %d: %.1f s of audio in %.2f s%s",
            chunk.index,
            len(chunk.samples) / SAMPLE_RATE,
            time.perf_counter() - started,
            " (guessed during a pause)" if chunk.guess is not None and chunk.guess.segments else "",
        )
        return " ".join(s.text for s in heard) or previous

    def _transcribe(self, chunk: _Chunk, previous: str | None) -> list[TimedSegment]:
        """One chunk, tried twice: the audio is only in memory, so a failure is retried, not saved."""
        for attempt in (1, 2):
            try:
                return self.transcriber.transcribe_chunk(
                    chunk.samples,
                    previous if self.options.context else None,
                    offset_s=chunk.start / SAMPLE_RATE,
                    short_encoder=self.options.short_encoder,
                )
            except TranscriptionError:
                if attempt == 2:
                    raise
                log.warning("chunk %d failed; retrying once", chunk.index)
        raise AssertionError("unreachable")

    # --- the end ----------------------------------------------------------------

    def finish(self) -> Transcript:
        """Transcribe what is left and return the whole dictation's ``Transcript``.

        Blocks until the background thread has caught up. Raises
        ``TranscriptionError`` if any chunk failed.
        """
        if self._finished:
            raise RuntimeError("finish() called twice")
        started = time.perf_counter()
        if self._unscored:
            self._score()
        self._finished = True
        rest = np.concatenate(self._blocks) if self._blocks else np.zeros(0, dtype=np.float32)
        self._blocks = []
        guess = self._guess
        if guess is not None and guess.windows * WINDOW <= len(rest):
            # the pending audio up to the last pause was transcribed while the speaker paused
            self._emit_rest(rest[: guess.windows * WINDOW], guess.windows, self._take_guess(guess.windows))
            rest = rest[guess.windows * WINDOW :]
        while len(rest) / SAMPLE_RATE >= CHUNK_LIMIT_S - 1:  # only if the cut rule could not keep up
            step = int(self.options.max_chunk_s * SAMPLE_RATE)
            self._queue_chunk(rest[:step], self._probs[: step // WINDOW])
            self._probs = self._probs[step // WINDOW :]
            self._cut += step
            rest = rest[step:]
        self._queue_chunk(rest, self._probs)
        self._probs = []
        self._put(None)
        self._worker.join()
        if self._error is not None:
            if isinstance(self._error, TranscriptionError):
                raise self._error
            raise TranscriptionError(
                f"live transcription failed: {type(self._error).__name__}"
            ) from self._error
        segments = drop_hallucinations(self._segments)
        self._segments = []
        log.info(
            "streamed %.1f s of audio in %d chunks (model busy %.2f s, %.2f s after finish)",
            self.duration_s,
            self._chunks,
            self._busy_s,
            time.perf_counter() - started,
        )
        return Transcript(
            text=" ".join(s.text for s in segments),
            segments=tuple(segments),
            duration_s=self.duration_s,
            model=self.transcriber.model.name,
            options=self.transcriber.options,
            timings=Timings(load_s=0.0, transcribe_s=self._busy_s),
        )

    def _emit_rest(self, samples: npt.NDArray[np.float32], windows: int, guess: _Guess | None) -> None:
        self._queue_chunk(samples, self._probs[:windows], guess)
        self._probs = self._probs[windows:]
        self._cut += len(samples)

    def cancel(self) -> None:
        """Drop everything; the background thread ends after the chunk it is on."""
        self._cancelled.set()
        self._finished = True
        self._blocks, self._unscored, self._probs = [], [], []
        self._guess = None
        self._put(None)
        self._worker.join(timeout=30)
