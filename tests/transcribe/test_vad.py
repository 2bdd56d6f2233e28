"""transcribe/vad.py: the Silero VAD fed piece by piece, one speech probability per 32 ms window."""

from __future__ import annotations

import numpy as np

from dictanote.transcribe.vad import WINDOW, WINDOW_S, SpeechDetector
from tests.util import sample_audio

SR = 16_000


def test_vad_window_is_32_ms() -> None:
    assert WINDOW_S == WINDOW / SR == 0.032


def test_vad_one_probability_per_whole_window_whatever_the_pieces() -> None:
    clip = np.asarray(sample_audio("birp-unheaded", seconds=3.0))
    detector = SpeechDetector()
    fed = scored = 0
    for size in (100, 412, 1, 1600, 5000, 511, 3000):
        probs = detector.feed(clip[fed : fed + size])
        fed += size
        scored += len(probs)
        assert scored == fed // WINDOW
        assert probs.dtype == np.float32


def test_vad_hears_speech_not_silence() -> None:
    speech = SpeechDetector().feed(np.asarray(sample_audio("birp-unheaded", seconds=3.0)))
    silence = SpeechDetector().feed(np.zeros(SR, dtype=np.float32))
    assert max(speech) >= 0.5
    assert max(silence) < 0.35
