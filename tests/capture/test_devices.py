"""Input devices through a real PortAudio path: a private PulseAudio daemon with a virtual microphone
(tests/fixtures/audio.py), reached through PortAudio -> ALSA -> the pulse plugin.
"""

from __future__ import annotations

from typing import Any

import pytest

from dictanote.capture import list_input_devices, resolve_input_device
from dictanote.core.errors import CaptureError, DeviceNotFoundError


@pytest.mark.audio
def test_devices_devices_lists_and_resolves(pulse_audio: Any) -> None:
    devices = list_input_devices()
    assert any(d.is_default for d in devices)
    default = resolve_input_device(None)
    assert default.is_default
    by_index = resolve_input_device(str(default.index))
    assert by_index == default
    by_name = resolve_input_device(default.name.upper()[:3])  # a piece of the name, any case
    assert default.name.upper()[:3] in by_name.name.upper()


@pytest.mark.audio
@pytest.mark.parametrize(
    ("spec", "message"),
    [("no-such-microphone", "no input device matches"), (999, "no input device has index 999")],
)
def test_devices_unknown_device_is_named(pulse_audio: Any, spec: Any, message: str) -> None:
    with pytest.raises(DeviceNotFoundError, match=message) as info:
        resolve_input_device(spec)
    assert "dictanote devices" in str(info.value)


@pytest.mark.audio
def test_devices_no_sound_server_means_no_device(pulse_audio: Any) -> None:
    pulse_audio.server.kill()
    if list_input_devices():
        pytest.skip("this machine has a sound card of its own (CI has none)")
    with pytest.raises(CaptureError, match="no audio input device"):
        resolve_input_device(None)
