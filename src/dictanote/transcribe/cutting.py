"""Where a live dictation is cut into chunks: a pure policy over VAD speech probabilities.

Owns the cut rule (the latest pause, the short-utterance rule, the forced cut
at ``max_chunk_s``), where a speculative guess may be taken while the speaker
pauses, and how the audio left at the end is split. Works on lists of
probabilities (one per 32 ms VAD window) and ``StreamingOptions`` only: no
threads, no audio, no model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..core.types import SAMPLE_RATE
from .vad import WINDOW, WINDOW_S
from .whisper import CHUNK_LIMIT_S


@dataclass(frozen=True)
class StreamingOptions:
    """Where live audio is cut into chunks, and how chunks are decoded.

    - ``min_chunk_s``: a chunk is cut once this much audio is pending, at the
      middle of the latest pause that leaves a chunk at least this long.
    - ``max_chunk_s``: with no such pause by then, the chunk is cut at the latest
      pause of two windows (64 ms) that leaves 1 s, else at the quietest window
      of its second half.
    - ``min_pause_s``: the shortest quiet stretch that counts as a pause.
    - ``short_utterance_s``: a pause right after an utterance shorter than this
      (a spoken header) is passed over, so that the utterance starts the next
      chunk (0 turns the rule off). 2.5 s did better on our samples (streaming WER
      4.6 against 5.2 %) but worse on the corpus's held-out dictations (9.1 against
      8.6 %; ``benchmarks/latency.py --wer-only --held-out``): 1.5 s stays.
    - ``guess_pause_s``: ``speculate`` transcribes the pending audio whenever
      the speaker pauses this long and the model is idle, so that a stop right
      after a pause finds it already done. As long as ``min_pause_s`` (any
      pause the cut rule would cut at): a stop often comes 0.4 s after the
      last word, and with 0.45 s the guess came too late for it.
    - ``speech_threshold``: a window at or above this probability is speech; a
      chunk with none is not transcribed.
    - ``silence_threshold``: a window below this probability is quiet.
    - ``vad_step_s``: how much new audio is gathered before the VAD runs.
    - ``vad_context_s``: audio already scored that the VAD sees again as context.
    - ``context``: passes the previous chunk's text to Whisper.
    - ``short_encoder``: feeds the encoder only the chunk's length (see
      ``Transcriber.transcribe_chunk``).
    - ``speculate``: guesses while the speaker pauses (above).
    """

    min_chunk_s: float = 6.0
    max_chunk_s: float = 24.0
    min_pause_s: float = 0.3
    short_utterance_s: float = 1.5
    guess_pause_s: float = 0.3
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


def pauses(quiet: Sequence[bool]) -> list[tuple[int, int]]:
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


def pause_cut(
    probs: Sequence[float],
    opts: StreamingOptions,
    min_chunk_s: float,
    min_pause_s: float,
    settle: int | None = None,
) -> int | None:
    """The window at the middle of the latest pause that leaves a chunk of ``min_chunk_s``.

    A pause right after a short utterance (under ``short_utterance_s``:
    typically a spoken header, "Response.") is passed over for the pause
    before it, so the utterance starts the next chunk: at the very end of a
    chunk Whisper tends to leave a short phrase out. With ``settle`` (a
    guess while the speaker pauses), a cut lies at most that many windows
    into its pause, so that it stays put while a final silence grows.
    """
    quiet = [p < opts.silence_threshold for p in probs]
    min_windows = max(1, round(min_pause_s / WINDOW_S))
    short_run = round(opts.short_utterance_s / WINDOW_S)
    found = pauses(quiet)
    for i, (start, end) in enumerate(found):
        middle = (start + end) // 2
        if settle is not None:
            middle = min(middle, start + settle)
        if middle * WINDOW_S < min_chunk_s:
            return None
        if end - start < min_windows:
            continue
        if settle is None and short_run:
            speech_from = next((e for s, e in found[i + 1 :] if e - s >= min_windows), 0)
            if start - speech_from < short_run:
                continue
        return middle
    return None


def cut_point(probs: Sequence[float], opts: StreamingOptions) -> int | None:
    """Where to cut the pending audio (``probs``: its windows since the last cut), or None yet.

    Nothing before ``min_chunk_s``; then the latest fitting pause
    (``pause_cut``); from ``max_chunk_s`` on, a cut is forced: at the latest
    pause of two windows that leaves 1 s, else at the quietest window of the
    second half.
    """
    pending_s = len(probs) * WINDOW_S
    if pending_s < opts.min_chunk_s:
        return None
    cut = pause_cut(probs, opts, opts.min_chunk_s, opts.min_pause_s)
    if cut is None and pending_s >= opts.max_chunk_s:
        cut = pause_cut(probs, opts, 1.0, 2 * WINDOW_S)
        if cut is None:  # no pause at all: the quietest window of the second half
            half = len(probs) // 2
            cut = min(range(half, len(probs)), key=probs.__getitem__)
    return cut


def guess_point(probs: Sequence[float], opts: StreamingOptions, previous: int | None = None) -> int | None:
    """Up to which window a speculative guess may transcribe the pending audio, or None.

    The speaker must have paused ``guess_pause_s`` after at least 1 s with
    speech in it; the cut lies half that into the pause and stays there while
    the silence grows (so a stop without a guess cuts its closing silence at
    the same place: ``closing_cut``), and a guess is taken again only when it
    would end past the ``previous`` one (its window) by more than that.
    """
    settle = max(1, round(opts.guess_pause_s / WINDOW_S) // 2)
    cut = pause_cut(probs, opts, 1.0, opts.guess_pause_s, settle=settle)
    if cut is None or (previous is not None and cut <= previous + settle):
        return None
    if max(probs[:cut], default=0.0) < opts.speech_threshold:
        return None
    return cut


def closing_cut(probs: Sequence[float], opts: StreamingOptions) -> int | None:
    """Where the closing silence of a dictation is cut off (a window), or None if it ends otherwise.

    Where a guess at that pause cuts (``guess_point``), so that the last chunk
    is the same audio, and so the same text, whether it was guessed during the
    pause or not; what follows holds no speech and is not transcribed.
    """
    cut = guess_point(probs, opts)
    if cut is None or max(probs[cut:], default=0.0) >= opts.speech_threshold:
        return None
    return cut


def final_cuts(
    pending: int, guess: int | None, opts: StreamingOptions, closing: int | None = None
) -> list[int]:
    """Where the audio left at the end (``pending`` samples) is cut, as sample offsets.

    First at the ``guess`` (a window; that audio was transcribed while the
    speaker paused), then every ``max_chunk_s`` while what is left would not
    fit Whisper's window (only when the cut rule could not keep up), and at
    the ``closing`` silence (a window, ``closing_cut``) if it lies past the guess.
    """
    cuts: list[int] = []
    at = 0
    if guess is not None and guess * WINDOW <= pending:
        at = guess * WINDOW
        cuts.append(at)
    end = closing * WINDOW if closing is not None and at < closing * WINDOW <= pending else pending
    step = int(opts.max_chunk_s * SAMPLE_RATE)
    while (end - at) / SAMPLE_RATE >= CHUNK_LIMIT_S - 1:
        at = min(at + step, end)
        cuts.append(at)
    if end < pending:
        cuts.append(end)
    return cuts


def may_hold_speech(probs: Sequence[float], opts: StreamingOptions) -> bool:
    """Whether a chunk is worth transcribing: unless no window reached ``speech_threshold``.

    A chunk too short for any VAD decision (no ``probs``) is transcribed.
    """
    return not probs or max(probs) >= opts.speech_threshold
