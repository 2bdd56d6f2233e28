"""Streaming transcription: audio fed as it is spoken, transcribed chunk by chunk.

The driver around the cut policy: it feeds each new stretch of audio to the
voice-activity detector (``vad``), asks ``cutting`` where to cut, and hands each
chunk to a background thread that transcribes it with the loaded model, the
previous chunk's text as context; while the speaker pauses it may guess the
pending audio ahead. ``finish()`` leaves only the last chunk to transcribe.
Chunks are dropped from memory once transcribed; nothing is written anywhere and
no text is logged.
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
from .cutting import StreamingOptions, closing_cut, cut_point, final_cuts, guess_point, may_hold_speech
from .vad import WINDOW, WINDOW_S, SpeechDetector, warm_up_vad
from .whisper import Transcriber, drop_hallucinations

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["WINDOW", "WINDOW_S", "StreamingOptions", "StreamingTranscription", "warm_up_vad"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class _Guess:
    """A speculative transcription of the pending audio up to ``windows`` VAD windows (by identity)."""

    windows: int


@dataclass(frozen=True)
class _Chunk:
    """An item for the worker: a chunk of the transcript, or a guess to make."""

    index: int
    start: int  # sample offset in the dictation
    samples: npt.NDArray[np.float32]
    guess: _Guess | None = None  # the guess made for this very cut, if any
    speculative: bool = False  # a guess to make, not a chunk of the transcript


class StreamingTranscription:
    """One dictation, transcribed while it is spoken.

    Call ``feed()`` with consecutive 16 kHz float32 blocks (from one thread),
    then ``finish()`` once for the ``Transcript`` (or ``cancel()``). Properties
    report progress and the voice activity the caller needs (silence-stop);
    they may be read from any thread.

    Two threads share this object. The feeding thread (the one that calls
    ``feed``, ``finish`` and ``cancel``) alone owns the pending audio, its VAD
    probabilities, the offset of the last cut and the current guess. The worker
    thread alone owns the context text and the guessed segments (locals of
    ``_work``). Everything else both touch -- items queued or in progress,
    chunks cut and done, the transcript's segments, the first error, the
    model's busy time, and the counters the properties read -- is read and
    written only under ``_lock``; the queue between them is thread-safe.
    """

    def __init__(
        self, transcriber: Transcriber, options: StreamingOptions | None = None, source: str = "microphone"
    ) -> None:
        self.transcriber = transcriber
        self.options = options or StreamingOptions()
        self.source = source
        self._vad = SpeechDetector(self.options.vad_context_s)
        # owned by the feeding thread
        self._blocks: list[npt.NDArray[np.float32]] = []  # pending audio since the last cut
        self._unscored: list[npt.NDArray[np.float32]] = []
        self._unscored_len = 0
        self._probs: list[float] = []  # per window, from the last cut on
        self._cut = 0  # sample offset of the last cut
        self._guess: _Guess | None = None
        self._finished = False
        # shared: only under _lock
        self._lock = threading.Lock()
        self._total = 0  # samples fed
        self._speech_windows = 0
        self._trailing_silence = 0  # windows of silence since the last speech
        self._chunks = 0
        self._done = 0
        self._inflight = 0  # items queued or being transcribed
        self._segments: list[TimedSegment] = []
        self._error: BaseException | None = None
        self._busy_s = 0.0
        self._queue: queue.SimpleQueue[_Chunk | None] = queue.SimpleQueue()
        self._cancelled = threading.Event()
        self._worker = threading.Thread(target=self._work, name="dictanote-stream", daemon=True)
        self._worker.start()

    # --- progress -------------------------------------------------------------

    @property
    def duration_s(self) -> float:
        """Seconds of audio fed so far."""
        with self._lock:
            return self._total / SAMPLE_RATE

    @property
    def chunks_done(self) -> int:
        """Chunks transcribed so far."""
        with self._lock:
            return self._done

    @property
    def chunks_pending(self) -> int:
        """Chunks cut but not yet transcribed."""
        with self._lock:
            return self._chunks - self._done

    @property
    def idle(self) -> bool:
        """Whether the model has nothing queued or in progress (chunks and guesses alike)."""
        with self._lock:
            return self._inflight == 0

    @property
    def heard_speech(self) -> bool:
        """Whether the detector has heard any speech yet."""
        with self._lock:
            return self._speech_windows > 0

    @property
    def trailing_silence_s(self) -> float:
        """Seconds of silence since the last speech (0 while speaking)."""
        with self._lock:
            return self._trailing_silence * WINDOW_S

    @property
    def text(self) -> str:
        """The text of the chunks committed so far, as ``finish()`` will join it (for live display only).

        It only grows while the dictation goes on: chunks commit in order and hallucinations are dropped
        by the same rule as at the end. Empty once finished or cancelled.
        """
        with self._lock:
            heard = list(self._segments)
        return " ".join(s.text for s in drop_hallucinations(heard))

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
        with self._lock:
            self._total += len(block)
        if self._unscored_len >= self.options.vad_step_s * SAMPLE_RATE:
            self._score()
            cut = cut_point(self._probs, self.options)
            if cut is not None:
                self._emit(cut)
            else:
                self._maybe_guess()

    def _score(self) -> None:
        """Run the VAD over the audio not yet scored; count speech and trailing silence."""
        fresh = np.concatenate(self._unscored) if len(self._unscored) > 1 else self._unscored[0]
        self._unscored, self._unscored_len = [], 0
        probs = self._vad.feed(fresh).tolist()
        self._probs.extend(probs)
        with self._lock:
            for p in probs:
                if p >= self.options.speech_threshold:
                    self._speech_windows += 1
                    self._trailing_silence = 0
                elif self._speech_windows:
                    self._trailing_silence += 1

    def _maybe_guess(self) -> None:
        """While the model is idle, transcribe the pending audio up to the latest pause.

        If the dictation stops before more speech comes, ``finish()`` uses this
        guess and has (nearly) nothing left to transcribe; if speech goes on,
        the guess is dropped and the chunk is cut by the usual rule (or reused
        when that cut falls on the same pause).
        """
        if not self.options.speculate:
            return
        with self._lock:
            if self._inflight or not self._speech_windows:
                return
        previous = self._guess.windows if self._guess is not None else None
        cut = guess_point(self._probs, self.options, previous)
        if cut is None:
            return
        pending = np.concatenate(self._blocks)[: cut * WINDOW]
        self._guess = _Guess(cut)
        self._put(_Chunk(0, self._cut, pending, self._guess, speculative=True))

    def _emit(self, windows: int) -> None:
        """Queue the pending audio up to ``windows`` VAD windows as a chunk."""
        pending = np.concatenate(self._blocks)
        cut = windows * WINDOW
        self._blocks = [pending[cut:]] if len(pending) > cut else []
        self._queue_chunk(pending[:cut], windows, self._take_guess(windows))

    def _take_guess(self, windows: int) -> _Guess | None:
        """The guess made for exactly this cut, if any; any other guess is dropped."""
        guess, self._guess = self._guess, None
        return guess if guess is not None and guess.windows == windows else None

    def _queue_chunk(
        self, samples: npt.NDArray[np.float32], windows: int, guess: _Guess | None = None
    ) -> None:
        """Queue the next ``samples`` (their first ``windows`` probabilities) unless they hold no speech."""
        probs, self._probs = self._probs[:windows], self._probs[windows:]
        start, self._cut = self._cut, self._cut + len(samples)
        if len(samples) == 0:
            return
        if not may_hold_speech(probs, self.options):
            log.debug("chunk of %.1f s without speech skipped", len(samples) / SAMPLE_RATE)
            return
        with self._lock:
            self._chunks += 1
            index = self._chunks
        self._put(_Chunk(index, start, samples, guess))

    def _put(self, item: _Chunk | None) -> None:
        if item is not None:
            with self._lock:
                self._inflight += 1
        self._queue.put(item)

    # --- the worker -------------------------------------------------------------

    def _work(self) -> None:
        previous: str | None = None  # the context for the next chunk
        guessed: tuple[_Guess, list[TimedSegment]] | None = None  # the latest guess made
        while True:
            chunk = self._queue.get()
            if chunk is None or self._cancelled.is_set():
                return
            try:
                if chunk.speculative:
                    guessed = self._make_guess(chunk, previous)
                else:
                    reuse = guessed[1] if guessed and chunk.guess is guessed[0] else None
                    previous = self._work_on(chunk, previous, reuse)
            finally:
                with self._lock:
                    self._inflight -= 1

    def _make_guess(self, chunk: _Chunk, previous: str | None) -> tuple[_Guess, list[TimedSegment]] | None:
        """Transcribe a speculative item; None if it failed (the chunk is then transcribed for real)."""
        assert chunk.guess is not None
        with self._lock:
            if self._error is not None:
                return None
        started = time.perf_counter()
        try:
            return chunk.guess, self._transcribe(chunk, previous)
        except Exception:  # a failed guess costs nothing: the chunk is transcribed for real
            log.debug("a speculative transcription failed")
            return None
        finally:
            with self._lock:
                self._busy_s += time.perf_counter() - started

    def _work_on(self, chunk: _Chunk, previous: str | None, guessed: list[TimedSegment] | None) -> str | None:
        """Transcribe one chunk (or take its guess); returns the context for the next chunk."""
        with self._lock:
            self._done += 1
            if self._error is not None:
                return previous
        started = time.perf_counter()
        if guessed is not None:
            heard = guessed  # transcribed while the speaker paused
        else:
            try:
                heard = self._transcribe(chunk, previous)
            except Exception as exc:  # kept for finish() to raise on the caller's thread
                with self._lock:
                    self._error = exc
                return previous
            finally:
                with self._lock:
                    self._busy_s += time.perf_counter() - started
        with self._lock:
            self._segments.extend(heard)
        log.debug(
            "chunk %d: %.1f s of audio in %.2f s%s",
            chunk.index,
            len(chunk.samples) / SAMPLE_RATE,
            time.perf_counter() - started,
            " (guessed during a pause)" if guessed else "",
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
        self._queue_rest()
        self._put(None)
        self._worker.join()
        with self._lock:
            error, heard, busy_s, chunks = self._error, self._segments, self._busy_s, self._chunks
            self._segments = []
        if error is not None:
            if isinstance(error, TranscriptionError):
                raise error
            raise TranscriptionError(f"live transcription failed: {type(error).__name__}") from error
        segments = drop_hallucinations(heard)
        log.info(
            "streamed %.1f s of audio in %d chunks (model busy %.2f s, %.2f s after finish)",
            self.duration_s,
            chunks,
            busy_s,
            time.perf_counter() - started,
        )
        return Transcript(
            text=" ".join(s.text for s in segments),
            segments=tuple(segments),
            duration_s=self.duration_s,
            model=self.transcriber.model.name,
            options=self.transcriber.options,
            timings=Timings(load_s=0.0, transcribe_s=busy_s),
        )

    def _queue_rest(self) -> None:
        """Queue the audio left since the last cut, split where ``final_cuts`` says.

        The closing silence is cut off where a guess at it cuts (``closing_cut``): the last chunk is then
        the same audio, and so the same text, whether it was guessed during the final pause or not.
        """
        rest = np.concatenate(self._blocks) if self._blocks else np.zeros(0, dtype=np.float32)
        self._blocks = []
        guess = self._guess
        closing = closing_cut(self._probs, self.options)
        cuts = final_cuts(len(rest), guess.windows if guess is not None else None, self.options, closing)
        begin = 0
        for end in cuts:
            windows = (end - begin) // WINDOW
            taken = self._take_guess(windows) if begin == 0 else None  # the guess ends the first piece
            self._queue_chunk(rest[begin:end], windows, taken)
            begin = end
        self._queue_chunk(rest[begin:], len(self._probs))

    def cancel(self) -> None:
        """Drop everything; the background thread ends after the chunk it is on."""
        self._cancelled.set()
        self._finished = True
        self._blocks, self._unscored, self._probs = [], [], []
        self._guess = None
        self._put(None)
        self._worker.join(timeout=30)
