"""The capture stage: pre-roll ring, resampling, tones, device lookup, and the record/devices commands.

The device tests run against a private PulseAudio daemon with a virtual
microphone (conftest), reached through PortAudio -> ALSA -> the pulse plugin.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dictanote.capture import RingBuffer, list_input_devices, resolve_input_device
from dictanote.capture.stream import Resampler
from dictanote.capture.tones import tone
from dictanote.core.errors import CaptureError, DeviceNotFoundError
from dictanote.evaluate import word_error_rate
from tests.util import load_samples, run_cli, sample_audio

SAMPLES = {s.id: s for s in load_samples()}


@pytest.mark.parametrize(
    ("capacity", "writes", "expected"),
    [
        (4, [[1, 2]], [1, 2]),
        (4, [[1, 2], [3, 4]], [1, 2, 3, 4]),
        (4, [[1, 2, 3], [4, 5, 6]], [3, 4, 5, 6]),
        (4, [[1, 2, 3, 4, 5, 6, 7]], [4, 5, 6, 7]),
        (4, [[1], [2], [3], [4], [5]], [2, 3, 4, 5]),
        (4, [[1, 2, 3, 4, 5, 6, 7], [8]], [5, 6, 7, 8]),
        (0, [[1, 2]], []),
        (3, [], []),
    ],
)
def test_capture_ring_keeps_latest_samples(
    capacity: int, writes: list[list[int]], expected: list[int]
) -> None:
    ring = RingBuffer(capacity)
    for block in writes:
        ring.write(np.asarray(block, dtype=np.float32))
    assert ring.read().tolist() == expected
    ring.clear()
    assert ring.read().tolist() == []
    assert not ring._data.any()  # cleared means zeroed, not just forgotten


@pytest.mark.parametrize("rate", [48_000, 44_100, 32_000, 22_050])
def test_capture_resampler_keeps_pitch_and_length(rate: int) -> None:
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


def test_capture_resampler_removes_what_16k_cannot_hold() -> None:
    rate = 48_000
    t = np.arange(rate) / rate
    high = (0.5 * np.sin(2 * np.pi * 12_000 * t)).astype(np.float32)  # above 8 kHz: would alias to 4 kHz
    out = Resampler(rate)(high)
    assert np.max(np.abs(out[200:])) < 0.05


def test_capture_tone_fades_in_and_out() -> None:
    wave = tone(880.0, seconds=0.1, rate=44_100)
    assert len(wave) == 4410
    assert abs(wave[0]) < 1e-6 and abs(wave[-1]) < 0.01
    assert 0.15 < np.max(np.abs(wave)) <= 0.2


def test_capture_commands_import_nothing_heavy() -> None:
    code = (
        "import sys; import dictanote.cli.record, dictanote.cli.info; import dictanote.capture; "
        "heavy = [m for m in ('sounddevice', 'numpy', 'faster_whisper') if m in sys.modules]; "
        "sys.exit(1 if heavy else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- a real device: PulseAudio's virtual microphone -----------------------------------


@pytest.mark.audio
def test_capture_devices_lists_and_resolves(pulse_audio: Any) -> None:
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
def test_capture_unknown_device_is_named(pulse_audio: Any, spec: Any, message: str) -> None:
    with pytest.raises(DeviceNotFoundError, match=message) as info:
        resolve_input_device(spec)
    assert "dictanote devices" in str(info.value)


@pytest.mark.audio
def test_capture_no_sound_server_means_no_device(pulse_audio: Any) -> None:
    pulse_audio.server.kill()
    if list_input_devices():
        pytest.skip("this machine has a sound card of its own (CI has none)")
    with pytest.raises(CaptureError, match="no audio input device"):
        resolve_input_device(None)


@pytest.mark.audio
def test_capture_cli_devices(pulse_audio: Any) -> None:
    listed = run_cli("devices", "--json", env=pulse_audio.env)
    assert listed.returncode == 0, listed.stderr
    devices = json.loads(listed.stdout)
    assert any(d["default"] for d in devices)
    assert {"index", "name", "hostapi", "channels", "default_samplerate"} <= set(devices[0])
    text = run_cli("devices", env=pulse_audio.env)
    assert text.returncode == 0 and text.stdout.startswith(("*", " "))


@pytest.mark.audio
def test_capture_cli_record_unknown_device_one_line(pulse_audio: Any) -> None:
    done = run_cli("record", "--device", "no-such-microphone", env=pulse_audio.env)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no input device matches" in done.stderr


def record_cli(
    rig: Any, args: list[str], samples: Any, env: dict[str, str] | None = None, enter: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run ``dictanote record ARGS`` and speak ``samples`` once it is recording; Enter ends it if asked."""
    exe = Path(sys.executable).parent / "dictanote"
    proc = subprocess.Popen(
        [str(exe), "record", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **rig.env, **(env or {})},
    )
    assert proc.stderr is not None and proc.stdin is not None
    line = proc.stderr.readline()  # "dictanote: recording; ..." once the stream is live
    assert "recording" in line, line
    seconds = rig.mic.play(samples, tail_s=0.0 if enter else 2.5)
    if enter:
        rig.mic.wait_idle(seconds + 10)
        time.sleep(0.3)
        proc.stdin.write("\n")
        proc.stdin.flush()
    out, err = proc.communicate(timeout=seconds + 120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, line + err)


@pytest.mark.audio
@pytest.mark.slow
def test_capture_cli_record_stops_on_enter_and_saves(pulse_audio: Any, tmp_path: Path) -> None:
    sample = SAMPLES["birp-unheaded"]
    clip = sample_audio(sample.id, seconds=9.0)
    data = tmp_path / "store"
    done = record_cli(
        pulse_audio, ["-f", "birp", "--json", "--save"], clip, env={"DICTANOTE_HOME": str(data)}, enter=True
    )
    assert done.returncode == 0, done.stderr
    draft = json.loads(done.stdout)
    assert list(draft["fields"]) == ["behavior", "intervention", "response", "plan"]
    heard = draft["transcript"]
    spoken = " ".join(sample.text.split()[: len(heard.split())])  # the clip ends mid-dictation
    assert len(heard.split()) >= 15
    assert word_error_rate(spoken, heard) <= 0.15
    assert "saved as draft 1 in the inbox" in done.stderr
    listed = run_cli("drafts", "list", "--json", env={"DICTANOTE_HOME": str(data)})
    assert [d["format"] for d in json.loads(listed.stdout)] == ["birp"]
