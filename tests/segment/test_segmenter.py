"""The whole segmenter (``segment.segmenter``): every sentence in exactly one field, headers obeyed, remap."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dictanote.core.config import Config
from dictanote.core.formats import load_format
from dictanote.evaluate import normalize_for_wer
from dictanote.segment import remap, segment_transcript
from tests.util import load_samples, segment_text


def test_segmenter_headed_dictation_fills_each_field(config: Config) -> None:
    text = (
        "Subjective. Client reports two panic attacks this week. She slept better. "
        "Objective. Fifty minute session in person, affect anxious. "
        "Assessment: panic disorder, improving. "
        "Okay, for the plan, continue interoceptive exposure. Next session in one week."
    )
    draft = segment_transcript(text, load_format("soap", config.paths))
    assert draft.field("subjective").text == "Client reports two panic attacks this week. She slept better."
    assert draft.field("objective").text == "Fifty minute session in person, affect anxious."
    assert draft.field("assessment").text == "Panic disorder, improving."
    assert draft.field("plan").text == "Continue interoceptive exposure. Next session in one week."
    assert all(s.origin == "spoken_header" for f in draft.fields for s in f.sentences)


def test_segmenter_every_sentence_exactly_once(config: Config) -> None:
    text = (
        "Client was late. Plan. Call the pharmacy. Subjective. Feels flat. "
        "Back to the plan. Review the safety plan."
    )
    draft = segment_transcript(text, load_format("soap", config.paths))
    placed = [s.text for f in draft.fields for s in f.sentences]
    assert sorted(placed) == sorted(
        ["Client was late.", "Call the pharmacy.", "Feels flat.", "Review the safety plan."]
    )
    assert draft.field("plan").text == "Call the pharmacy. Review the safety plan."
    origins = {s.text: s.origin for f in draft.fields for s in f.sentences}
    assert origins["Client was late."] == "inferred"
    assert origins["Feels flat."] == "spoken_header"


def test_segmenter_empty_text_gives_every_field_empty(config: Config) -> None:
    fmt = load_format("birp", config.paths)
    draft = segment_transcript("   ", fmt)
    assert [f.id for f in draft.fields] == list(fmt.field_ids)
    assert all(f.text == "" for f in draft.fields)


def test_segmenter_back_to_header_returns_to_field() -> None:
    text = (
        "Subjective. Feels flat. Assessment. Depression, stable. Plan. Continue sertraline. "
        "Oh, and back to subjective, she also mentioned poor appetite."
    )
    fields = {f.id: f.text for f in segment_text(text).fields}
    assert fields["subjective"] == "Feels flat. She also mentioned poor appetite."
    assert fields["plan"] == "Continue sertraline."


# --- nothing lost: a property over generated dictations -----------------------------------

# Ordinary words only: no cue, filler, command or acronym, so every one must survive.
_WORDS = [
    "client",
    "reported",
    "sleeping",
    "poorly",
    "after",
    "moving",
    "apartments",
    "worried",
    "about",
    "money",
    "tearful",
    "engaged",
    "practiced",
    "breathing",
    "skills",
    "homework",
    "weekly",
    "calmer",
    "reviewed",
    "journal",
    "mother",
    "brother",
    "school",
    "work",
    "anxious",
    "mood",
    "improved",
    "slightly",
    "stable",
    "appetite",
    "walking",
]
_HEADERS = {
    "soap": ["Subjective.", "Okay, objective.", "For the assessment,", "Moving on to the plan."],
    "birp": ["Behavior.", "Intervention,", "Okay, response.", "Plan:"],
}

_sentence = st.lists(st.sampled_from(_WORDS), min_size=2, max_size=9).map(
    lambda ws: " ".join(ws).capitalize() + "."
)


@st.composite
def _dictation(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    fmt = draw(st.sampled_from(sorted(_HEADERS)))
    parts: list[str] = []
    content: list[str] = []
    for _ in range(draw(st.integers(1, 12))):
        if draw(st.booleans()) and draw(st.booleans()):
            parts.append(draw(st.sampled_from(_HEADERS[fmt])))
        sentence = draw(_sentence)
        parts.append(sentence)
        content.append(sentence)
        if draw(st.integers(0, 9)) == 0:
            parts.append("New paragraph.")
    return fmt, " ".join(parts), content


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=_dictation())
def test_segmenter_nothing_lost_property(case: tuple[str, str, list[str]]) -> None:
    """Every dictated word but headers and commands is in exactly one field, in spoken order."""
    format_id, text, content = case
    draft = segment_text(text, format_id)
    sentences = [s for f in draft.fields for s in f.sentences]
    assert sorted(normalize_for_wer(" ".join(s.text for s in sentences)).split()) == sorted(
        normalize_for_wer(" ".join(content)).split()
    )
    spoken_order = sorted(sentences, key=lambda s: s.span or (0, 0))
    assert normalize_for_wer(" ".join(s.text for s in spoken_order)) == normalize_for_wer(" ".join(content))
    for field in draft.fields:
        starts = [s.span[0] for s in field.sentences if s.span]
        assert starts == sorted(starts)


# --- remap: the clinician switched format -------------------------------------------------


@pytest.mark.parametrize("target", ["dap", "birp", "girp", "pie", "progress"])
def test_segmenter_remap_keeps_every_sentence_once(config: Config, target: str) -> None:
    sample = next(s for s in load_samples() if s.id == "soap-unheaded")
    draft = segment_text(sample.text, "soap")
    remapped = remap(draft, load_format(target, config.paths))
    assert remapped.format == target
    assert [f.id for f in remapped.fields] == list(load_format(target, config.paths).field_ids)
    before = [s.text for f in draft.fields for s in f.sentences]
    assert sorted(s.text for f in remapped.fields for s in f.sentences) == sorted(before)
    assert remapped.session == draft.session and remapped.transcript == draft.transcript


def test_segmenter_remap_places_by_role(config: Config) -> None:
    text = (
        "Subjective. Client reports panic attacks at work. Objective. Restless, speech rapid. "
        "Assessment. Panic disorder, improving. Plan. Continue weekly CBT and review in two weeks."
    )
    dap = remap(segment_text(text, "soap"), load_format("dap", config.paths))
    assert [s.text for s in dap.field("plan").sentences] == ["Continue weekly CBT and review in two weeks."]
    assert "Client reports panic attacks at work." in [s.text for s in dap.field("data").sentences]
