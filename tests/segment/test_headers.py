"""Spoken headers (``segment.headers``): tables of how clinicians and Whisper say them."""

from __future__ import annotations

import pytest

from dictanote.core.config import Config
from dictanote.core.formats import load_format
from dictanote.core.types import NoteFormat
from dictanote.segment import HeaderMatch, match_header
from dictanote.segment.headers import split_inline_headers
from dictanote.segment.rules import segmenter_rules


def _header(sentence: str, fmt: NoteFormat) -> HeaderMatch | None:
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
        ("soap", "P: continue weekly.", "plan", "Continue weekly."),
        ("soap", "S. Feels fine.", "subjective", "Feels fine."),
        ("soap", "Okay, A.", "assessment", ""),
        ("soap", "Back to P.", "plan", ""),
        ("pie", "E.", "evaluation", ""),
        ("girp", "G:", "goal", ""),
        ("soap", "Treatment plan: titrate sertraline.", "plan", "Titrate sertraline."),
        ("dap", "D: client arrived on time.", "data", "Client arrived on time."),
        ("birp", "Behaviour.", "behavior", ""),
        ("birp", "Client response, engaged well.", "response", "Engaged well."),
        ("girp", "Goals.", "goal", ""),
        ("progress", "Risk assessment.", "risk", ""),
        ("progress", "Okay, session focus.", "session_focus", ""),
        # a cue that begins with a lead-in word ("next") is heard whole
        ("progress", "Next steps.", "plan", ""),
        ("progress", "Okay, next steps: continue weekly.", "plan", "Continue weekly."),
        ("progress", "Next, plan.", "plan", ""),
        ("soap", "Next is the plan.", "plan", ""),  # the lead-in "next is", not the filler "next"
        ("soap", "Now for the plan.", "plan", ""),
        ("psychotherapy", "My reflections.", "reflections", ""),
        ("psychotherapy", "Process observations.", "process_observations", ""),
    ],
)
def test_headers_match(config: Config, format_id: str, sentence: str, field: str, rest: str) -> None:
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
        # a one-letter cue inside an abbreviation, or after a lead-in with words after it
        ("soap", "In p.m. hours she feels anxious."),
        ("soap", "For a.m. appointments she is late."),
        ("soap", "P.r.n. lorazepam helped."),
        ("soap", "The S. family called."),
        ("dap", "For a.m. appointments she is late."),
        ("dap", "D.c. the medication."),
        ("birp", "I.e. she was calm."),
        ("birp", "B.i.d. dosing continues."),
        ("girp", "G.i. upset resolved."),
        ("girp", "In p.m. groups she is quiet."),
        ("pie", "Under e.g. the plan she agreed."),
        ("pie", "E.g. she walked daily."),
        ("pie", "P.o. intake is fine."),
    ],
)
def test_headers_content_is_not_a_header(config: Config, format_id: str, sentence: str) -> None:
    assert _header(sentence, load_format(format_id, config.paths)) is None


@pytest.mark.parametrize(
    ("format_id", "sentence", "field"),
    [
        ("soap", "Climb.", "plan"),
        ("dap", "Back to data for a second,", "data"),
        ("progress", "Oh wait, back to session focus,", "session_focus"),
        ("soap", "On exam,", "objective"),
        ("progress", "Risk She denies suicidal ideation.", "risk"),
        ("girp", "Goal for this session,", "goal"),
        ("girp", "Go for this session.", "goal"),  # tiny.en's "Goal" on synthetic speech
        ("soap", "Plan for today:", "plan"),
        ("progress", "Group dynamics in factors.", "client_response"),  # "and" heard as "in"
        ("progress", "Statement on medical necessity.", "progress"),
    ],
)
def test_headers_variants_as_whisper_writes_them(
    config: Config, format_id: str, sentence: str, field: str
) -> None:
    match = _header(sentence, load_format(format_id, config.paths))
    assert match is not None and match.field_id == field


@pytest.mark.parametrize(
    ("format_id", "sentence"),
    [
        ("soap", "Climb the stairs daily."),
        ("girp", "Go for a walk after dinner."),
        ("girp", "Go today."),
        ("progress", "Group dynamics in the family were tense."),
        ("progress", "Group dynamics and conflict."),  # a content word swapped is not a near cue
    ],
)
def test_headers_misheard_header_word_is_content_inside_a_sentence(
    config: Config, format_id: str, sentence: str
) -> None:
    assert _header(sentence, load_format(format_id, config.paths)) is None


@pytest.mark.parametrize(
    ("format_id", "text", "expected"),
    [
        (
            "dap",
            "He is willing to try a smaller meeting, assessment, alcohol use disorder.",
            ["He is willing to try a smaller meeting,", "assessment, alcohol use disorder."],
        ),
        (
            "progress",
            "her stuck points about blame interventions Reviewed her worksheet",
            ["her stuck points about blame", "interventions Reviewed her worksheet"],
        ),
        (
            "progress",
            "Overall risk is low plan Continue weekly therapy",
            ["Overall risk is low", "plan Continue weekly therapy"],
        ),
        (
            "soap",
            "We reviewed her safety plan Tuesday and the plan I made.",
            ["We reviewed her safety plan Tuesday and the plan I made."],
        ),
        (
            "soap",
            "He is doing well, okay, plan, continue.",
            ["He is doing well,", "okay, plan, continue."],
        ),
        ("soap", "He wants a plan for the weekend.", ["He wants a plan for the weekend."]),
        (
            "progress",
            "She is hopeful. Risk is low, next steps, continue weekly.",
            ["She is hopeful. Risk is low,", "next steps, continue weekly."],
        ),
    ],
)
def test_headers_inline_split(config: Config, format_id: str, text: str, expected: list[str]) -> None:
    fmt = load_format(format_id, config.paths)
    assert split_inline_headers(text, fmt, segmenter_rules()[0]) == expected
