"""Find audio input devices through PortAudio (sounddevice), and pick the one asked for.

``--device`` takes an index or a piece of a device's name. Errors say what was
asked, what exists, and how to see the list (``dictanote devices``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ..core.errors import CaptureError, DeviceNotFoundError

log = logging.getLogger(__name__)

# Streams now open; PortAudio is re-initialised (to see new devices) only while none is.
_open_streams = 0


@dataclass(frozen=True)
class InputDevice:
    """An audio input as PortAudio lists it."""

    index: int
    name: str
    hostapi: str
    channels: int
    default_samplerate: float
    is_default: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The ``devices --json`` form."""
        return {
            "index": self.index,
            "name": self.name,
            "hostapi": self.hostapi,
            "channels": self.channels,
            "default_samplerate": self.default_samplerate,
            "default": self.is_default,
        }


def sounddevice() -> ModuleType:
    """The sounddevice module, imported on first use; a missing PortAudio is one clear error."""
    try:
        import sounddevice as sd
    except OSError as exc:  # raised when the PortAudio shared library cannot be found
        raise CaptureError(
            "PortAudio is not installed, so no microphone can be opened "
            "(on Debian/Ubuntu: apt install libportaudio2)"
        ) from exc
    module: ModuleType = sd
    return module


def stream_opened() -> None:
    """Count a stream as open (no PortAudio rescan while it is)."""
    global _open_streams
    _open_streams += 1


def stream_closed() -> None:
    """Count a stream as closed."""
    global _open_streams
    _open_streams = max(0, _open_streams - 1)


def _rescan(sd: ModuleType) -> None:
    """Re-initialise PortAudio so that devices plugged in (or sound servers started) since show up."""
    if _open_streams:
        return
    try:
        sd._terminate()
        sd._initialize()
    except Exception as exc:  # PortAudioError; a broken host API leaves the old list
        log.debug("PortAudio rescan failed: %s", type(exc).__name__)


def list_input_devices(rescan: bool = True) -> list[InputDevice]:
    """Every device with at least one input channel, in PortAudio's order."""
    sd = sounddevice()
    if rescan:
        _rescan(sd)
    try:
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
        default_in = sd.default.device[0]
    except Exception as exc:
        raise CaptureError(f"cannot list audio devices: {_reason(exc)}") from exc
    found = []
    for dev in devices:
        if int(dev["max_input_channels"]) < 1:
            continue
        index = int(dev["index"])
        found.append(
            InputDevice(
                index=index,
                name=str(dev["name"]),
                hostapi=str(hostapis[int(dev["hostapi"])]["name"]),
                channels=int(dev["max_input_channels"]),
                default_samplerate=float(dev["default_samplerate"]),
                is_default=index == default_in,
            )
        )
    return found


def resolve_input_device(spec: str | int | None, rescan: bool = True) -> InputDevice:
    """The input device for ``--device``: None is the default, a number an index, else a name piece.

    Raises ``DeviceNotFoundError`` when nothing (or more than one name) matches,
    and ``CaptureError`` when there is no input device at all.
    """
    devices = list_input_devices(rescan=rescan)
    if not devices:
        raise CaptureError(
            "no audio input device found: plug in or enable a microphone "
            "(and check that the sound server is running), then try again"
        )
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        for dev in devices:
            if dev.is_default:
                return dev
        return devices[0]
    available = "; ".join(f"{d.index}: {d.name}" for d in devices)
    if isinstance(spec, int) or spec.strip().isdigit():
        index = int(spec)
        for dev in devices:
            if dev.index == index:
                return dev
        raise DeviceNotFoundError(
            f"no input device has index {index}; available: {available} (see `dictanote devices`)"
        )
    wanted = spec.strip().casefold()
    exact = [d for d in devices if d.name.casefold() == wanted]
    if exact:
        return exact[0]
    matches = [d for d in devices if wanted in d.name.casefold()]
    if len(matches) == 1:
        return matches[0]
    if matches:
        names = "; ".join(f"{d.index}: {d.name}" for d in matches)
        raise DeviceNotFoundError(
            f"input device {spec!r} is ambiguous, it matches {names}; give more of the name or the index"
        )
    raise DeviceNotFoundError(
        f"no input device matches {spec!r}; available: {available} (see `dictanote devices`)"
    )


def warm_up_backend() -> None:
    """Load what PortAudio loads at its first open (ALSA's plugins, the sound server's client library).

    That first open costs about 90 ms where the sound server is PulseAudio; a daemon pays it once here,
    not at the first ``start``. Only an output stream is created (never started, and never the
    microphone), so no input is opened and no microphone indicator shows. A failure is only logged.
    """
    sd = sounddevice()
    try:
        sd.OutputStream(channels=1, dtype="float32").close()
    except Exception as exc:  # no output device: the first input open pays the cost instead
        log.debug("PortAudio warm-up skipped: %s", type(exc).__name__)


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text
