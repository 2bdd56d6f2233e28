"""transcribe/streaming.py: the threaded driver, fed samples block by block (no device).

Most tests hand it a recorder instead of the model (the cuts are under test);
the last one runs the real model and compares with batch quality.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest

from dictanote.core.errors import TranscriptionError
from dictanote.core.types import TimedSegment
from dictanote.evaluate import word_error_rate
from dictanote.transcribe.streaming import WINDOW, StreamingOptions, StreamingTranscription
from tests.util import load_samples, sample_audio, words_of

SAMPLES = {s.id: s for s in load_samples()}
SR = 16_000


class _Recorder:
    """A transcriber stand-in that records the chunks it is given (the cut rule is under test).

    It answers each chunk with one segment spanning it ("chunk b", "chunk c", ...),
    so the transcript shows which chunks were committed, guessed or not.
    """

    def __init__(self, failures: int = 0) -> None:
        self.chunks: list[tuple[float, float]] = []
        self.options = None
        self.model = type("M", (), {"name": "none"})()
        self.failures = failures  # calls that fail before the model "recovers"

    def transcribe_chunk(
        self, samples: np.ndarray, previous: str | None, offset_s: float, short_encoder: bool
    ) -> list[Any]:
        if self.failures:
            self.failures -= 1
            raise TranscriptionError("transcription of a live chunk failed: RuntimeError")
        self.chunks.append((offset_s, len(samples) / SR))
        name = "".join(chr(ord("a") + int(d)) for d in str(len(self.chunks)))
        return [TimedSegment(offset_s, offset_s + len(samples) / SR, f"chunk {name}")]


def _wait_until(predicate: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.002)


def _stream(audio: np.ndarray, engine: Any, options: StreamingOptions, keep_up: bool = False) -> Any:
    """Feed ``audio`` in 0.1 s blocks; ``keep_up`` waits for the model after each, as when speaking."""
    stream = StreamingTranscription(engine, options)
    for i in range(0, len(audio), 1600):
        stream.feed(audio[i : i + 1600])
        if keep_up:
            _wait_until(lambda: stream.idle, timeout=5)
    return stream, stream.finish()


@pytest.mark.slow
def test_streaming_cuts_at_pauses_within_bounds() -> None:
    audio = np.asarray(sample_audio("soap-headed"))
    recorder = _Recorder()
    opts = StreamingOptions(speculate=False)  # only committed chunks reach the recorder
    _stream(audio, recorder, opts)
    starts = [round(s * SR) for s, _ in recorder.chunks]
    assert all(s % WINDOW == 0 for s in starts)  # cuts fall on VAD windows
    ends = [round((s + d) * SR) for s, d in recorder.chunks]
    assert all(start >= end for start, end in zip(starts[1:], ends[:-1], strict=True))  # no overlap
    # only stretches without speech (here the opening silence) are left out
    assert sum(d for _, d in recorder.chunks) == pytest.approx(len(audio) / SR, abs=1.0)
    assert all(d < opts.max_chunk_s + 0.5 for _, d in recorder.chunks)
    assert all(d >= opts.min_chunk_s for _, d in recorder.chunks[:-1])
    assert len(recorder.chunks) >= len(audio) / SR / opts.max_chunk_s


def test_streaming_speculation_keeps_the_cuts() -> None:
    """Guesses change when the model works, not where the dictation is cut. At the end, the
    audio after the last guessed pause (here: the closing silence) is a piece of its own."""
    audio = np.asarray(sample_audio("birp-unheaded"))
    chunks = {}
    for speculate in (False, True):
        recorder = _Recorder()
        _, transcript = _stream(audio, recorder, StreamingOptions(speculate=speculate), keep_up=True)
        chunks[speculate] = [(round(s.start * SR), round(s.end * SR)) for s in transcript.segments]
        if speculate:
            assert len(recorder.chunks) > len(chunks[True])  # guesses were made (and reused)
    off, on = chunks[False], chunks[True]
    assert len(off) == 3
    assert [start for start, _ in on] == [start for start, _ in off]
    assert on[:-1] == off[:-1]
    assert on[-1][1] <= off[-1][1]


def test_streaming_guess_during_pause_leaves_nothing_after_stop() -> None:
    clip = np.asarray(sample_audio("birp-unheaded", seconds=9.6))
    audio = np.concatenate((clip, np.zeros(SR, dtype=np.float32)))  # the speaker stops, then presses stop
    recorder = _Recorder()
    stream = StreamingTranscription(recorder, StreamingOptions(min_chunk_s=20, max_chunk_s=25))  # type: ignore[arg-type]
    for i in range(0, len(audio), 1600):
        stream.feed(audio[i : i + 1600])
        _wait_until(lambda: stream.idle, timeout=5)  # the model keeps up, as when speaking
    guessed = len(recorder.chunks)
    assert guessed >= 2  # a guess at each pause while the model was idle
    stream.finish()
    assert len(recorder.chunks) == guessed  # finish() reused the last guess: nothing left to transcribe
    assert stream.chunks_done == 1


def _spoken_then_stop(pause_s: float) -> np.ndarray:
    """A sentence ending at 13.15 s (birp-unheaded), then ``pause_s`` of silence before stop is pressed."""
    clip = np.asarray(sample_audio("birp-unheaded", seconds=13.2))
    return np.concatenate((clip, np.zeros(round(pause_s * SR), dtype=np.float32)))


def test_streaming_stop_soon_after_the_last_word_finds_the_tail_guessed() -> None:
    """Stop pressed 0.4 s after the last word (as latency.py does): the audio since the last cut was
    guessed during that pause, so finish() has nothing left to transcribe (guessed only after 0.45 s
    of pause, it was transcribed after stop)."""
    audio = _spoken_then_stop(0.4)
    recorder = _Recorder()
    stream = StreamingTranscription(recorder, StreamingOptions(min_chunk_s=20, max_chunk_s=25))  # type: ignore[arg-type]
    for i in range(0, len(audio), 800):  # the microphone's 0.05 s blocks
        stream.feed(audio[i : i + 800])
        _wait_until(lambda: stream.idle, timeout=5)  # the model keeps up, as when speaking
    guessed = len(recorder.chunks)
    assert guessed >= 1
    stream.finish()
    assert len(recorder.chunks) == guessed
    assert stream.chunks_done == 1


@pytest.mark.parametrize("pause_s", [0.4, 1.0, 3.0])
def test_streaming_guessed_tail_is_the_plain_tail(pause_s: float) -> None:
    """Guessed during the final pause or transcribed after stop, the last chunk is the same audio: the
    closing silence is cut off where the guess cuts it (the plain tail ran on to the end before)."""
    audio = _spoken_then_stop(pause_s)
    spans = {}
    for speculate in (False, True):
        _, transcript = _stream(audio, _Recorder(), StreamingOptions(speculate=speculate), keep_up=True)
        spans[speculate] = [(round(s.start * SR), round(s.end * SR)) for s in transcript.segments]
    assert spans[True] == spans[False]
    assert spans[False][-1][1] <= len(audio) - 0.2 * SR  # the closing silence is not transcribed


@pytest.mark.slow
def test_streaming_guessed_tail_gives_the_plain_text(transcriber: Any) -> None:
    """The speculative tail (cut in the final pause) is heard as the plain path hears the whole tail."""
    audio = _spoken_then_stop(0.4)
    texts = {}
    for speculate in (False, True):
        _, transcript = _stream(audio, transcriber, StreamingOptions(speculate=speculate), keep_up=True)
        texts[speculate] = transcript.text
    assert words_of(texts[True]) == words_of(texts[False]), texts


def test_streaming_skips_silence_and_tracks_it() -> None:
    recorder = _Recorder()
    stream = StreamingTranscription(recorder, StreamingOptions())  # type: ignore[arg-type]
    silence = np.zeros(SR // 10, dtype=np.float32)
    for _ in range(120):  # 12 s of silence
        stream.feed(silence)
    assert not stream.heard_speech
    assert stream.trailing_silence_s == 0.0
    transcript = stream.finish()
    assert recorder.chunks == []  # nothing with speech in it was sent to the model
    assert transcript.text == ""
    assert transcript.duration_s == pytest.approx(12.0)


def test_streaming_reports_progress_and_voice_activity() -> None:
    clip = np.asarray(sample_audio("birp-unheaded", seconds=9.6))
    audio = np.concatenate((clip, np.zeros(SR, dtype=np.float32)))
    recorder = _Recorder()
    stream = StreamingTranscription(recorder, StreamingOptions(speculate=False))  # type: ignore[arg-type]
    for i in range(0, len(audio), 1600):
        stream.feed(audio[i : i + 1600])
    _wait_until(lambda: stream.idle, timeout=5)
    assert stream.duration_s == pytest.approx(10.6)
    assert stream.heard_speech
    assert 0.5 <= stream.trailing_silence_s <= 1.1
    assert stream.chunks_done == 1 and stream.chunks_pending == 0  # one cut at a pause after 6 s
    stream.finish()
    assert stream.chunks_done == 2 and stream.chunks_pending == 0


@pytest.mark.parametrize(("failures", "ok"), [(1, True), (2, False)])
def test_streaming_failed_chunk_is_retried_once(failures: int, ok: bool) -> None:
    """The audio is only in memory: a failed chunk is tried again, then the error reaches finish()."""
    clip = np.asarray(sample_audio("birp-unheaded", seconds=9.6))
    recorder = _Recorder(failures=failures)
    stream = StreamingTranscription(recorder, StreamingOptions(speculate=False))  # type: ignore[arg-type]
    for i in range(0, len(clip), 1600):
        stream.feed(clip[i : i + 1600])
    if ok:
        assert len(stream.finish().segments) == 2
    else:
        with pytest.raises(TranscriptionError, match="live chunk failed"):
            stream.finish()


def test_streaming_feed_after_finish_and_cancel() -> None:
    stream = StreamingTranscription(_Recorder(), StreamingOptions())  # type: ignore[arg-type]
    stream.feed(np.zeros(SR, dtype=np.float32))
    stream.finish()
    with pytest.raises(RuntimeError, match="after finish"):
        stream.feed(np.zeros(SR, dtype=np.float32))
    with pytest.raises(RuntimeError, match="twice"):
        stream.finish()
    cancelled = StreamingTranscription(_Recorder(), StreamingOptions())  # type: ignore[arg-type]
    cancelled.feed(np.asarray(sample_audio("birp-unheaded", seconds=9.6)))
    cancelled.cancel()
    with pytest.raises(RuntimeError):
        cancelled.feed(np.zeros(SR, dtype=np.float32))


@pytest.mark.slow
@pytest.mark.parametrize("sample_id", ["psychotherapy-unheaded", "birp-unheaded"])
def test_streaming_matches_batch_quality(transcriber: Any, sample_id: str) -> None:
    sample = SAMPLES[sample_id]
    audio = np.asarray(sample_audio(sample_id))
    stream, streamed = _stream(audio, transcriber, StreamingOptions())
    reference = sample.text_file.read_text(encoding="utf-8")
    assert stream.chunks_done >= 2
    # measured: psychotherapy-unheaded 5.7 % streamed vs 5.7 % batch, birp-unheaded 1.3 % vs 0 %
    assert word_error_rate(reference, streamed.text) <= 0.12
    assert [s.start for s in streamed.segments] == sorted(s.start for s in streamed.segments)


@pytest.mark.slow
def test_streaming_words_are_on_the_dictation_clock(transcriber: Any) -> None:
    """Chunk words carry the chunk's offset; a guess dropped when speech went on leaves no word behind."""
    audio = np.asarray(sample_audio("birp-unheaded", seconds=16.0))
    _, streamed = _stream(audio, transcriber, StreamingOptions(min_chunk_s=4, max_chunk_s=8), keep_up=True)
    assert len(streamed.segments) >= 2
    for seg in streamed.segments:
        assert "".join(w.text for w in seg.words).strip() == seg.text
        assert all(seg.start - 0.5 <= w.start <= w.end <= seg.end + 0.5 for w in seg.words)
    words = [w for seg in streamed.segments for w in seg.words]
    assert [w.start for w in words] == sorted(w.start for w in words)  # no word heard twice
    assert words[-1].end > 8.0  # the later chunks' words are shifted, not at their chunk's zero
    assert words[-1].end <= streamed.duration_s + 0.5


def test_streaming_text_grows_as_chunks_commit() -> None:
    """``text`` (what ``record`` and ``status --follow`` show) only grows, and is where the transcript begins."""
    clip = np.asarray(sample_audio("birp-unheaded", seconds=9.6))
    stream = StreamingTranscription(_Recorder(), StreamingOptions(speculate=False))  # type: ignore[arg-type]
    seen = [stream.text]
    for i in range(0, len(clip), 1600):
        stream.feed(clip[i : i + 1600])
        _wait_until(lambda: stream.idle, timeout=5)
        seen.append(stream.text)
    assert seen[0] == "" and seen[-1] == "chunk b"  # the chunk cut at the pause after 6 s
    assert all(seen[i + 1].startswith(seen[i]) for i in range(len(seen) - 1))
    transcript = stream.finish()
    assert transcript.text == "chunk b chunk c" and stream.text == ""
