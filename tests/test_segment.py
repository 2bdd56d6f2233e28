"""Spoken-header segmentation: tables of how clinicians and Whisper say headers."""

from __future__ import annotations

import pytest

from dictanote.config import Config
from dictanote.formats import load_format
from dictanote.segment import match_header, segment_transcript, split_sentences
from dictanote.segment.rules import segmenter_rules


def _header(sentence: str, fmt):  # type: ignore[no-untyped-def]
    return match_header(sentence, fmt, segmenter_rules()[0])


@pytest.mark.parametrize(
    ("format_id", "sentence", "field", "rest"),
    [
        ("soap", "Subjective.", "subjective", ""),
        ("soap", "SUBJECTIVE:", "subjective", ""),
        (
            "soap",
            "Subjective: client reports poor sleep.",
            "subjective",
            "Client reports poor sleep.",
        ),
        ("soap", "Okay, objective.", "objective", ""),
        ("soap", "Um, so, assessment,", "assessment", ""),
        ("soap", "For the plan, continue weekly CBT.", "plan", "Continue weekly CBT."),
        ("soap", "Moving on to assessment.", "assessment", ""),
        ("soap", "Next, plan.", "plan", ""),
        ("soap", "Okay, back to the plan.", "plan", ""),
        ("soap", "S.", "subjective", ""),
        ("soap", "Treatment plan: titrate sertraline.", "plan", "Titrate sertraline."),
        ("dap", "D: client arrived on time.", "data", "Client arrived on time."),
        ("birp", "Behaviour.", "behavior", ""),
        ("birp", "Client response, engaged well.", "response", "Engaged well."),
        ("girp", "Goals.", "goal", ""),
        ("progress", "Risk assessment.", "risk", ""),
        ("progress", "Okay, session focus.", "session_focus", ""),
        ("psychotherapy", "Process observations.", "process_observations", ""),
    ],
)
def test_segment_header_matches(
    config: Config, format_id: str, sentence: str, field: str, rest: str
) -> None:
    match = _header(sentence, load_format(format_id, config.paths))
    assert match is not None
    assert (match.field_id, match.rest) == (field, rest)


@pytest.mark.parametrize(
    ("format_id", "sentence"),
    [
        ("soap", "Plan to continue CBT weekly."),
        ("soap", "Subjectively she feels better."),
        ("soap", "The assessment of risk was completed."),
        ("soap", "A good week overall."),
        ("soap", "So the client reports sleeping well."),
        ("birp", "Response to exposure was strong."),
        ("dap", "Data from the PHQ-9 shows improvement."),
    ],
)
def test_segment_content_is_not_a_header(config: Config, format_id: str, sentence: str) -> None:
    assert _header(sentence, load_format(format_id, config.paths)) is None


def test_segment_headed_dictation_fills_each_field(config: Config) -> None:
    text = (
        "Subjective. Client reports two panic attacks this week. She slept better. "
        "Objective. Fifty minute session in person, affect anxious. "
        "Assessment: panic disorder, improving. "
        "Okay, for the plan, continue interoceptive exposure. Next session in one week."
    )
    draft = segment_transcript(text, load_format("soap", config.paths))
    assert (
        draft.field("subjective").text
        == "Client reports two panic attacks this week. She slept better."
    )
    assert draft.field("objective").text == "Fifty minute session in person, affect anxious."
    assert draft.field("assessment").text == "Panic disorder, improving."
    assert draft.field("plan").text == "Continue interoceptive exposure. Next session in one week."
    assert all(s.origin == "spoken_header" for f in draft.fields for s in f.sentences)


def test_segment_every_sentence_exactly_once(config: Config) -> None:
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


def test_segment_empty_text_gives_every_field_empty(config: Config) -> None:
    fmt = load_format("birp", config.paths)
    draft = segment_transcript("   ", fmt)
    assert [f.id for f in draft.fields] == list(fmt.field_ids)
    assert all(f.text == "" for f in draft.fields)


def test_segment_split_sentences_normalizes_whitespace() -> None:
    assert split_sentences("One here.\n\n  Two  there. ") == ["One here.", "Two there."]
