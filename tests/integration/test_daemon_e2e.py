"""The daemon end to end: a virtual microphone, the real model, the real store.

A sample dictation is played into PulseAudio's virtual microphone in real
time while the daemon records, driven exactly as a desktop shortcut drives it
(``dictanote toggle`` as a subprocess). The draft is read back from the store.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from dictanote.core.config import load_config
from dictanote.evaluate import word_error_rate
from tests.util import Sample, load_samples, run_cli, sample_audio, words_of

pytestmark = [pytest.mark.audio, pytest.mark.slow]


def _sample(sample_id: str) -> Sample:
    return next(s for s in load_samples() if s.id == sample_id)


def _stored(record_private: bool = False) -> list[Any]:
    from dictanote.app import Dictation

    with Dictation(load_config()).open_store() as store:
        return store.list_drafts(private=record_private)


def test_daemon_e2e_toggle_dictation_is_saved_in_the_right_fields(
    start_daemon: Any, pulse_audio: Any
) -> None:
    sample = _sample("birp-unheaded")
    daemon = start_daemon("--format", sample.format, "--no-tones")
    assert run_cli("toggle").stdout.strip() == "recording"
    pulse_audio.mic.play(sample_audio(sample.id), tail_s=0.5)
    assert pulse_audio.mic.wait_idle()  # real time: the last sample has been spoken
    stopped = run_cli("toggle")
    assert stopped.returncode == 0, stopped.stderr
    assert re.fullmatch(
        r"Draft 1 \(BIRP\) saved: 4 of 4 fields \(\d+\.\d s after stop\)", stopped.stdout.strip()
    ), stopped.stdout

    [saved] = _stored()
    assert saved.source == "daemon" and saved.draft.format == "birp"
    assert word_error_rate(sample.text, saved.draft.transcript) < 0.25
    for text, field in sample.parts:
        words = [w for w in words_of(text) if len(w) > 3]
        heard = set(words_of(saved.draft.field(field).text))
        found = sum(w in heard for w in words) / len(words)
        assert found >= 0.6, f"{field}: {found:.0%} of the part's words in the field"
    status = daemon.request("status")
    assert status["state"] == "idle" and status["last_draft"]["id"] == 1
    # Never note text in the daemon's log, at -v.
    log = daemon.log_text().lower()
    assert "draft 1 saved" in log
    # The dictation's longer words (what Whisper heard, whatever it made of them).
    heard_words = {w for w in words_of(saved.draft.transcript) if len(w) >= 8}
    assert len(heard_words) >= 3, saved.draft.transcript
    assert not sorted(w for w in heard_words if w in log), "note words in the daemon's log"


def test_daemon_e2e_status_follow_shows_the_words_while_they_are_spoken(
    start_daemon: Any, pulse_audio: Any
) -> None:
    sample = _sample("birp-unheaded")
    daemon = start_daemon("--format", sample.format, "--no-tones")
    exe = shutil.which("dictanote", path=str(Path(sys.executable).parent)) or "dictanote"
    lines: list[tuple[float, str]] = []  # when each line came, and the line
    with subprocess.Popen(
        [exe, "status", "--follow"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as follow:
        assert follow.stdout is not None and follow.stderr is not None
        out = follow.stdout
        assert out.readline().startswith("idle; waiting for a dictation")
        reader = threading.Thread(target=lambda: lines.extend((time.monotonic(), line) for line in out))
        reader.start()
        assert run_cli("start").stdout.strip() == "recording"
        pulse_audio.mic.play(sample_audio(sample.id, seconds=20.0), tail_s=0.5)
        assert pulse_audio.mic.wait_idle()
        spoken_until = time.monotonic() - 0.5  # the tail of silence was playing meanwhile
        assert run_cli("stop").returncode == 0
        assert follow.wait(60) == 0, follow.stderr.read()
        reader.join(10)
    assert lines[0][1].startswith("recording ") and lines[-1][1].startswith("Draft 1 (BIRP) saved: ")
    # Committed text reached the screen while the sample was still being spoken.
    early = " ".join(
        line for at, line in lines[1:-1] if at < spoken_until and not line.startswith("finishing")
    )
    heard = [w for w in words_of(early) if len(w) > 3]
    said = set(words_of(sample.text))
    assert len(heard) >= 8 and sum(w in said for w in heard) >= 0.7 * len(heard), early
    # Shown to the clinician, never logged.
    log = daemon.log_text().lower()
    long_words = sorted({w for w in heard if len(w) >= 8})
    assert long_words and not [w for w in long_words if w in log], "live text in the daemon's log"


def test_daemon_e2e_sigterm_mid_recording_saves_the_private_draft(
    start_daemon: Any, pulse_audio: Any
) -> None:
    sample = _sample("psychotherapy-unheaded")
    daemon = start_daemon("--no-tones")
    assert run_cli("start", "--private").stdout.strip() == "recording (private note)"
    pulse_audio.mic.play(sample_audio(sample.id, seconds=6.0))
    assert pulse_audio.mic.wait_idle()
    assert daemon.finish(signal.SIGTERM) == 0
    assert not daemon.socket.exists()
    assert _stored() == []
    [saved] = _stored(record_private=True)
    assert saved.source == "daemon" and saved.draft.format == "psychotherapy"
    assert len(words_of(saved.draft.transcript)) >= 10
    assert "saved draft" in daemon.log_text().lower()


def test_daemon_e2e_length_cap_warns_then_saves_by_itself(start_daemon: Any, pulse_audio: Any) -> None:
    sample = _sample("soap-unheaded")
    daemon = start_daemon("--format", "soap", "--no-tones", "--max-seconds", "10")
    assert daemon.request("start")["state"] == "recording"
    pulse_audio.mic.play(sample_audio(sample.id, seconds=12.0))
    deadline = time.monotonic() + 60
    while daemon.request("status")["last_draft"] is None:
        assert time.monotonic() < deadline, daemon.log_text()[-2000:]
        time.sleep(0.2)
    status = daemon.request("status")
    assert status["state"] == "idle" and status["last_draft"]["format"] == "soap"
    log = daemon.log_text()
    assert "notification: dictanote: recording stops in" in log  # the warning, relayed
    assert "notification: dictanote: recording stopped at the 10 s limit" in log
    [saved] = _stored()
    assert saved.source == "daemon" and len(words_of(saved.draft.transcript)) >= 10


def test_daemon_e2e_no_microphone_start_exits_5_and_daemon_keeps_serving(
    start_daemon: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent/pulse")  # no sound server, no input device
    daemon = start_daemon("--no-tones")
    result = run_cli("toggle")
    assert result.returncode == 5, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("dictanote: error: the daemon refused 'toggle': no audio input device found")
    status = daemon.request("status")
    assert status["state"] == "idle" and status["last_error"].startswith("cannot start recording")


@pytest.mark.parametrize(("args", "open_while_idle"), [((), False), (("--arm",), True)])
def test_daemon_e2e_microphone_closed_between_dictations_unless_armed(
    start_daemon: Any, pulse_audio: Any, args: tuple[str, ...], open_while_idle: bool
) -> None:
    """PulseAudio's source-outputs: none while the daemon idles (unless --arm), one while it records."""
    daemon = start_daemon("--format", "soap", "--no-tones", *args)
    assert bool(pulse_audio.wait_source_outputs(open_while_idle)) is open_while_idle
    assert daemon.request("status")["armed"] is open_while_idle
    assert daemon.request("start")["state"] == "recording"
    assert pulse_audio.source_outputs(), "recording without an input stream"  # live when start answers
    pulse_audio.mic.play(sample_audio("soap-unheaded", seconds=3.0), tail_s=0.3)
    assert pulse_audio.mic.wait_idle()
    assert daemon.request("stop")["draft"] is not None
    assert bool(pulse_audio.wait_source_outputs(open_while_idle)) is open_while_idle
    assert daemon.request("status")["armed"] is open_while_idle
    # A second dictation opens it again.
    assert daemon.request("start")["state"] == "recording" and pulse_audio.source_outputs()
    assert daemon.request("cancel")["cancelled"] is True
    assert bool(pulse_audio.wait_source_outputs(open_while_idle)) is open_while_idle


def test_daemon_e2e_each_toggle_has_its_own_client_and_format(start_daemon: Any, pulse_audio: Any) -> None:
    assert run_cli("clients", "add", "C1", "--name", "M.R.").returncode == 0
    start_daemon("--no-tones")  # one daemon, every format
    before = time.strftime("%Y-%m-%d %H:%M")  # local time (the suite's zone)
    for args in (("--client", "c1", "--format", "progress"), ("--format", "soap")):
        assert run_cli("toggle", *args).stdout.strip() == "recording"
        pulse_audio.mic.play(sample_audio("soap-unheaded", seconds=4.0), tail_s=0.3)
        assert pulse_audio.mic.wait_idle()
        stopped = run_cli("toggle", "--client", "nobody")  # a stop: --client applies to a start only
        assert stopped.returncode == 0 and stopped.stdout.startswith("Draft "), stopped.stderr
    progress, soap = (d.draft for d in _stored())
    assert (progress.format, progress.session.client_id, soap.format, soap.session.client_id) == (
        "progress",
        "C1",
        "soap",
        None,
    )
    for session in (progress.session, soap.session):
        assert f"{session.date} {session.time}" >= before
