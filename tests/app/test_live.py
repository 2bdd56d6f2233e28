"""app/live.py: live dictation, the capture-to-draft wiring.

The audio tests speak a sample into a virtual microphone (a private PulseAudio
daemon, see tests/fixtures/audio.py) in real time and drive ``LiveDictation`` as
the daemon does. The streaming transcriber itself is tested in
tests/transcribe/test_streaming.py, fed block by block without a device.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from dictanote.app import Dictation, LiveCallbacks, LiveDictation, LiveOptions
from dictanote.core.config import Config
from dictanote.evaluate import word_error_rate
from tests.util import load_samples, sample_audio, words_of

SAMPLES = {s.id: s for s in load_samples()}


# --- the real audio path (PulseAudio virtual microphone) -----------------------------


def _live(config: Config, transcriber: Any, **options: Any) -> tuple[LiveDictation, dict[str, list[Any]]]:
    events: dict[str, list[Any]] = {"warning": [], "autostop": [], "level": []}
    callbacks = LiveCallbacks(
        on_level=lambda level, elapsed: events["level"].append(level),
        on_warning=events["warning"].append,
        on_autostop=events["autostop"].append,
    )
    return LiveDictation(Dictation(config, transcriber), LiveOptions(**options), callbacks), events


def _wait_until(predicate: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.audio
@pytest.mark.slow
def test_live_dictation_from_microphone_to_fields(pulse_audio: Any, config: Config, transcriber: Any) -> None:
    """Pre-roll keeps words spoken before start; silence ends it; the fields hold the content."""
    sample = SAMPLES["birp-unheaded"]
    live, events = _live(config, transcriber, format_id="birp", silence_stop_s=1.5)
    with live:
        live.arm()
        mic = pulse_audio.mic
        begin = mic.written_s
        mic.play(sample_audio(sample.id), lead_s=0.5, tail_s=3.0)
        # the clinician starts talking a beat before the key press registers
        _wait_until(lambda: mic.written_s - begin >= 0.5 + 0.3, timeout=10)
        assert live.start() is True
        assert live.start() is False  # a second start is ignored, and status says so
        status = live.status()
        assert status.state == "recording"
        assert status.last_ignored_start is not None
        assert live.wait_autostop(timeout=60) == "silence"
        outcome = live.stop()
        assert live.status().state == "armed"
    assert outcome is not None
    assert outcome.stopped_by == "silence"
    assert outcome.timings.chunks >= 2
    assert events["level"] and max(events["level"]) > 0.3
    transcript = outcome.result.transcript
    assert transcript is not None
    reference = sample.text_file.read_text(encoding="utf-8")
    assert word_error_rate(reference, transcript.text) <= 0.1
    # Not clipped by the late start: the first words spoken are the first words heard.
    first_words = words_of(sample.parts[0][0])[:3]
    assert sum(a == b for a, b in zip(first_words, words_of(transcript.text)[:3], strict=False)) >= 2, (
        transcript.text
    )
    draft = outcome.result.draft
    for text, field_id in sample.parts[:2] + sample.parts[-1:]:
        words = [w for w in words_of(text) if len(w) > 3]
        heard = set(words_of(draft.field(field_id).text))
        assert sum(w in heard for w in words) >= 0.7 * len(words), (field_id, draft.field(field_id).text)


@pytest.mark.audio
@pytest.mark.slow
def test_live_device_lost_keeps_what_was_captured(pulse_audio: Any, config: Config, transcriber: Any) -> None:
    sample = SAMPLES["soap-unheaded"]
    live, events = _live(config, transcriber)
    with live:
        live.arm()
        assert live.start()
        mic = pulse_audio.mic
        begin = mic.written_s
        mic.play(sample_audio(sample.id, seconds=12))
        _wait_until(lambda: mic.written_s - begin >= 7.0, timeout=20)
        pulse_audio.server.kill()  # the microphone is pulled mid-sentence
        assert live.wait_autostop(timeout=10) == "device_lost"
        outcome = live.stop()
        assert live.status().state == "idle"
    assert outcome is not None
    assert outcome.stopped_by == "device_lost"
    assert any("captured until then" in w for w in outcome.warnings)
    assert events["warning"] and events["autostop"] == ["device_lost"]
    transcript = outcome.result.transcript
    assert transcript is not None
    assert 3.0 <= transcript.duration_s <= 10.0, outcome.timings  # about the 7 s spoken before the pull
    # What was said before the pull is there (tiny.en may mishear a word of it).
    first = words_of(sample.parts[0][0])[:8]
    heard = set(words_of(transcript.text))
    assert sum(w in heard for w in first) >= 6, (first, transcript.text, outcome.timings)


@pytest.mark.audio
def test_live_stop_waits_only_for_the_last_block(pulse_audio: Any, config: Config, transcriber: Any) -> None:
    """Stop pressed as the last word ends: that word is kept, and stop waits for one short block only
    (it slept a whole 0.2 s block before: most of the stop-to-draft time)."""
    clip = sample_audio("birp-unheaded", seconds=4.4)  # "... at first refused to join group."
    live, _ = _live(config, transcriber, format_id="birp")
    with live:
        live.arm()
        assert live.start()
        pulse_audio.mic.play(clip)
        assert pulse_audio.mic.wait_idle(timeout=20)
        outcome = live.stop()
    assert outcome is not None and outcome.result.transcript is not None
    assert words_of(outcome.result.transcript.text)[-1:] == ["group"], outcome.result.transcript.text
    assert outcome.timings.wait_s < 0.2, outcome.timings
    assert outcome.timings.wait_s <= outcome.timings.stop_to_draft_s


@pytest.mark.audio
def test_live_cap_warns_then_stops(pulse_audio: Any, config: Config, transcriber: Any) -> None:
    live, events = _live(config, transcriber, max_seconds=2.0, warn_before_s=1.0)
    with live:
        assert live.start()
        assert live.wait_autostop(timeout=10) == "cap"
        outcome = live.stop()
    assert outcome is not None and outcome.stopped_by == "cap"
    assert any("stops in" in w for w in events["warning"])
    assert any("limit" in w for w in outcome.warnings)
    assert outcome.timings.recorded_s == pytest.approx(2.0, abs=0.3)


@pytest.mark.audio
def test_live_cancel_and_stop_without_start(pulse_audio: Any, config: Config, transcriber: Any) -> None:
    live, _ = _live(config, transcriber)
    with live:
        assert live.stop() is None
        assert live.cancel() is False
        assert live.start(private=True)
        assert live.status().format == "psychotherapy"
        assert live.cancel() is True
        assert live.status().state == "armed"
        assert live.stop() is None


@pytest.mark.audio
def test_live_start_opens_the_microphone_and_tones_once_it_delivers(
    pulse_audio: Any, config: Config, transcriber: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Prepared, nothing is open; start opens the stream, returns once a block has come, and only then
    plays the start tone; disarm closes it again (PulseAudio's source-outputs say so)."""
    import dictanote.capture.tones

    live, _ = _live(config, transcriber, tones=True)
    tones: list[tuple[float, bool]] = []  # (frequency, whether the microphone had delivered then)

    def tone(freq_hz: float, seconds: float = 0.12) -> bool:
        mic = live._mic
        tones.append((freq_hz, mic is not None and mic.wait_live(0)))
        return True

    monkeypatch.setattr(dictanote.capture.tones, "play_tone", tone)
    with live:
        live.prepare()
        assert pulse_audio.source_outputs() == [] and live.status().state == "idle"
        assert live.start()
        timing = live.last_start
        assert pulse_audio.source_outputs(), "recording without an input stream"
        assert tones == [(dictanote.capture.tones.START_HZ, True)]
        assert timing is not None and timing.opened and timing.live_s is not None
        assert timing.first_sample_s is not None and -0.1 < timing.first_sample_s <= timing.live_s < 0.5
        live.disarm()
        assert pulse_audio.wait_source_outputs(False) == []
        live.arm()  # armed: open while idle, and a start keeps the pre-roll
        assert pulse_audio.wait_source_outputs(True)
        time.sleep(0.3)  # let some pre-roll gather
        assert live.start()
        assert live.last_start is not None and not live.last_start.opened
        assert live.last_start.first_sample_s is not None and live.last_start.first_sample_s < -0.2
        live.cancel()
