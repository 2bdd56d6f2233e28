"""The capture stage: a microphone in, 16 kHz mono float32 blocks out, in memory only.

The only home of sounddevice (PortAudio), imported lazily inside the functions
that need it. Names here load on first use (NumPy included), so that the CLI's
``record`` and ``devices`` commands keep ``dictanote --help`` instant. Nothing
here transcribes, and nothing here writes audio anywhere.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .devices import InputDevice, list_input_devices, resolve_input_device, warm_up_backend
    from .ring import RingBuffer
    from .stream import Microphone
    from .tones import play_tone

_HOMES = {
    "InputDevice": "devices",
    "list_input_devices": "devices",
    "resolve_input_device": "devices",
    "warm_up_backend": "devices",
    "RingBuffer": "ring",
    "Microphone": "stream",
    "play_tone": "tones",
}

__all__ = [
    "InputDevice",
    "Microphone",
    "RingBuffer",
    "list_input_devices",
    "play_tone",
    "resolve_input_device",
    "warm_up_backend",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
