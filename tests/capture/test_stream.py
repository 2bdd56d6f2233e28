"""The microphone stream's resampler: a device's rate brought to 16 kHz without changing pitch or length."""

from __future__ import annotations

import numpy as np
import pytest

from dictanote.capture.stream import Resampler


@pytest.mark.parametrize("rate", [48_000, 44_100, 32_000, 22_050])
def test_stream_resampler_keeps_pitch_and_length(rate: int) -> None:
    seconds, freq = 2.0, 440.0
    t = np.arange(int(seconds * rate)) / rate
    wave = (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    resampler = Resampler(rate)
    block = int(rate * 0.1)
    out = np.concatenate([resampler(wave[i : i + block]) for i in range(0, len(wave), block)])
    assert len(out) == pytest.approx(seconds * 16_000, abs=2)
    spectrum = np.abs(np.fft.rfft(out[1000:]))
    peak = np.argmax(spectrum) * 16_000 / len(out[1000:])
    assert peak == pytest.approx(freq, abs=2.0)
    assert np.max(np.abs(out[1000:])) == pytest.approx(0.5, abs=0.03)


def test_stream_resampler_removes_what_16k_cannot_hold() -> None:
    rate = 48_000
    t = np.arange(rate) / rate
    high = (0.5 * np.sin(2 * np.pi * 12_000 * t)).astype(np.float32)  # above 8 kHz: would alias to 4 kHz
    out = Resampler(rate)(high)
    assert np.max(np.abs(out[200:])) < 0.05
