"""Voice activity: faster-whisper's Silero VAD (onnxruntime) fed a live dictation piece by piece.

Owns the VAD model and its window: one speech probability per 32 ms of audio.
Decides nothing about where to cut (that is ``cutting``); never keeps more
audio than the half second of context the model needs; logs no audio or text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..core.errors import TranscriptionError
from ..core.types import SAMPLE_RATE
from .whisper import go_offline

if TYPE_CHECKING:
    import numpy.typing as npt

WINDOW = 512  # samples per VAD decision (32 ms at 16 kHz)
WINDOW_S = WINDOW / SAMPLE_RATE


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
