"""The start and stop tones."""

from __future__ import annotations

import numpy as np

from dictanote.capture.tones import tone


def test_tones_tone_fades_in_and_out() -> None:
    wave = tone(880.0, seconds=0.1, rate=44_100)
    assert len(wave) == 4410
    assert abs(wave[0]) < 1e-6 and abs(wave[-1]) < 0.01
    assert 0.15 < np.max(np.abs(wave)) <= 0.2
