"""`dictanote record` and `dictanote devices`: in process over a stand-in for ``LiveDictation`` (what
it asks for and prints), then as a user runs them, on PulseAudio's virtual microphone with the real model.

The capture stage itself is tested in tests/capture/, the live engine in tests/app/test_live.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import dictanote.app
from dictanote.app import Dictation, DraftResult
from dictanote.cli import record
from dictanote.cli.root import main
from dictanote.evaluate import word_error_rate
from tests.util import load_samples, make_draft, run_cli, sample_audio, words_of


class StandIn:
    """Records what the command asked of the live engine; stops at once with a fixed draft."""

    def __init__(self, result: DraftResult, options: Any, callbacks: Any) -> None:
        self.result = result
        self.options = options
        self.callbacks = callbacks
        self.calls: list[str] = []

    def __enter__(self) -> StandIn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.calls.append("closed")

    def arm(self) -> None:
        self.calls.append("arm")

    def start(self, *, private: bool = False, client_id: str | None = None) -> bool:
        self.calls.append(f"start private={private}" + (f" client={client_id}" if client_id else ""))
        return True

    def wait_autostop(self, timeout: float | None = None) -> str:
        return "silence"

    def stop(self) -> Any:
        self.calls.append("stop")
        return SimpleNamespace(result=self.result, warnings=("no speech in the last 5 s",))


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch, dictation: Dictation) -> list[StandIn]:
    """``LiveDictation`` replaced by stand-ins (listed as they are made), which hand back a DAP draft."""
    draft = make_draft("dap", {"data": ["Client arrived early."], "plan": ["Meet next week."]})
    result = DraftResult(draft, dictation.format("dap"), (), private_format=dictation.private_format)
    made: list[StandIn] = []

    def make(dictation: Dictation, options: Any, callbacks: Any) -> StandIn:
        made.append(StandIn(result, options, callbacks))
        return made[-1]

    monkeypatch.setattr(dictanote.app, "LiveDictation", make)
    return made


def test_cli_record_passes_options_and_prints_the_draft(
    live: list[StandIn], capsys: pytest.CaptureFixture[str]
) -> None:
    before = signal.getsignal(signal.SIGTERM)
    args = ["record", "-f", "dap", "--device", "3", "--max-seconds", "60", "--silence-stop", "2", "--private"]
    assert main([*args, "--json"]) == 0
    out, err = capsys.readouterr()
    (engine,) = live
    assert json.loads(out) == engine.result.to_json()
    assert err == (
        "dictanote: recording; press Enter or Ctrl-C to stop\ndictanote: warning: no speech in the last 5 s\n"
    )
    assert engine.calls == ["arm", "start private=True", "stop", "closed"]
    options = engine.options
    assert (options.device, options.max_seconds, options.warn_before_s) == (3, 60.0, 15.0)
    assert (options.silence_stop_s, options.format_id, options.tones) == (2.0, "dap", False)
    assert signal.getsignal(signal.SIGTERM) == before


def test_cli_record_saves_after_printing(
    live: list[StandIn], dictation: Dictation, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["record", "--save", "--device", "USB mic"]) == 0
    out, err = capsys.readouterr()
    assert "## Data\nClient arrived early." in out
    assert err.endswith("dictanote: saved as draft 1 in the inbox\n")
    assert live[0].options.device == "USB mic"
    with dictation.open_store() as store:
        assert [d.source for d in store.list_drafts()] == ["record"]


def test_cli_record_passes_the_client_to_the_start(
    live: list[StandIn],
    dictation: Dictation,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with dictation.open_store() as store:
        store.add_client("C1", name="M.R.")
    assert main(["record", "--client", "c1"]) == 0
    assert live[0].calls == ["arm", "start private=False client=C1", "stop", "closed"]
    assert main(["record", "--client", "nobody", "--save"]) == 2
    assert len(live) == 1  # refused before a live engine was made: the microphone never opened
    err = capsys.readouterr().err
    assert err.endswith("dictanote: error: no client 'nobody'; `dictanote clients list --all` shows them\n")


def test_cli_record_meter_is_silent_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    meter = record._Meter(enabled=False)
    meter(0.5, 12.0)
    meter.done()
    assert capsys.readouterr().err == ""


def test_cli_record_meter_prints_warnings_above_the_meter_and_its_text(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    meter = record._Meter(enabled=True)
    meter(0.5, 12.0)
    meter.draw("Client reports low mood.")
    capture = threading.Thread(target=meter.warning, args=("recording stops in 30 s",))
    capture.start()
    capture.join()  # the capture thread only queues it
    meter.draw("Client reports low mood.")
    meter.done()
    err = capsys.readouterr().err
    panel = "\r\x1b[2K\u25cf rec 00:12 [############............] Enter or Ctrl-C to stop\n\x1b[2K  Client reports low mood."
    clear = "\r\x1b[1A\x1b[2K\n\x1b[2K\r\x1b[1A"
    assert err == panel + clear + "dictanote: warning: recording stops in 30 s\n" + panel + clear


def test_cli_record_meter_off_a_terminal_prints_warnings_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    meter = record._Meter(enabled=False)
    meter.warning("the microphone went away")
    meter.draw("Client reports low mood.")
    meter.done()
    assert capsys.readouterr().err == "dictanote: warning: the microphone went away\n"


# --- as a user runs them: a child process on PulseAudio's virtual microphone ---------

SAMPLES = {s.id: s for s in load_samples()}


def test_cli_record_and_devices_import_nothing_heavy() -> None:
    code = (
        "import sys; import dictanote.cli.record, dictanote.cli.info; import dictanote.capture; "
        "heavy = [m for m in ('sounddevice', 'numpy', 'faster_whisper') if m in sys.modules]; "
        "sys.exit(1 if heavy else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.audio
def test_cli_record_real_devices(pulse_audio: Any) -> None:
    listed = run_cli("devices", "--json", env=pulse_audio.env)
    assert listed.returncode == 0, listed.stderr
    devices = json.loads(listed.stdout)
    assert any(d["default"] for d in devices)
    assert {"index", "name", "hostapi", "channels", "default_samplerate"} <= set(devices[0])
    text = run_cli("devices", env=pulse_audio.env)
    assert text.returncode == 0 and text.stdout.startswith(("*", " "))


@pytest.mark.audio
def test_cli_record_real_record_unknown_device_one_line(pulse_audio: Any) -> None:
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
def test_cli_record_real_record_stops_on_enter_and_saves(pulse_audio: Any, tmp_path: Path) -> None:
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


@pytest.mark.audio
@pytest.mark.slow
def test_cli_record_real_record_shows_the_text_under_the_meter_on_a_terminal(pulse_audio: Any) -> None:
    """stderr on a pseudo-terminal: the committed text appears under the meter while it is spoken."""
    import pty
    import re

    sample = SAMPLES["birp-unheaded"]
    master, slave = pty.openpty()
    screen: list[tuple[float, bytes]] = []  # what reached the terminal, and when

    def read_terminal() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the command has exited and closed its side
                return
            if not data:
                return
            screen.append((time.monotonic(), data))

    with subprocess.Popen(
        [str(Path(sys.executable).parent / "dictanote"), "record", "-f", "birp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=slave,
        text=True,
        env={**os.environ, **pulse_audio.env, "COLUMNS": "72"},
    ) as proc:
        os.close(slave)
        reader = threading.Thread(target=read_terminal)
        reader.start()
        deadline = time.monotonic() + 60
        while b"recording; press Enter" not in b"".join(data for _, data in screen):
            assert proc.poll() is None and time.monotonic() < deadline, screen
            time.sleep(0.05)
        pulse_audio.mic.play(sample_audio(sample.id, seconds=14.0))
        assert pulse_audio.mic.wait_idle()
        spoken_until = time.monotonic()
        assert proc.stdin is not None
        proc.stdin.write("\n")
        proc.stdin.flush()
        out, _ = proc.communicate(timeout=120)
        reader.join(10)
    os.close(master)
    assert proc.returncode == 0
    shown = b"".join(data for at, data in screen if at < spoken_until).decode("utf-8", "replace")
    lines = re.split(r"\r|\n|\x1b\[\d*[A-Za-z]", shown)
    meter = [line for line in lines if line.startswith("\u25cf rec ")]
    text = [line for line in lines if line.startswith(("  ", "\u2026 ")) and line.strip()]
    assert meter and all(len(line) < 72 for line in meter + text)
    heard = {w for line in text for w in words_of(line) if len(w) > 3}
    assert len(heard) >= 6 and len(heard & set(words_of(sample.text))) >= 0.7 * len(heard), text
    # The draft went to stdout (a pipe) without any of the terminal's escapes.
    assert "## Behavior" in out and "\x1b" not in out
