"""Short start and stop tones, so the clinician hears when capture is live.

Played through the default output device without blocking; where there is no
output device (a headless box, a broken sound server) the tone is skipped.
"""

from __future__ import annotations

import logging

import numpy as np

from .devices import sounddevice

log = logging.getLogger(__name__)

TONE_RATE = 44_100
START_HZ = 880.0
STOP_HZ = 660.0


def tone(freq_hz: float, seconds: float = 0.12, volume: float = 0.2, rate: int = TONE_RATE) -> np.ndarray:
    """A sine with 10 ms fades, as float32 samples."""
    t = np.arange(int(seconds * rate), dtype=np.float32) / rate
    wave = volume * np.sin(2 * np.pi * freq_hz * t)
    fade = min(len(wave) // 2, int(0.01 * rate))
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        wave[:fade] *= ramp
        wave[-fade:] *= ramp[::-1]
    return wave.astype(np.float32)


def play_tone(freq_hz: float = START_HZ, seconds: float = 0.12) -> bool:
    """Play a short tone without waiting for it; False (and no error) when there is no output."""
    try:
        sd = sounddevice()
        if sd.default.device[1] < 0 and not any(d["max_output_channels"] > 0 for d in sd.query_devices()):
            return False
        sd.play(tone(freq_hz, seconds), TONE_RATE, blocking=False)
    except Exception as exc:  # no output device, or the sound server refused: tones are optional
        log.debug("tone skipped: %s", type(exc).__name__)
        return False
    return True
