"""Spoken headers (``segment.headers``): tables of how clinicians and Whisper say them."""

from __future__ import annotations

import pytest

from dictanote.core.config import Config
from dictanote.core.formats import load_format
from dictanote.core.types import NoteFormat
from dictanote.segment import HeaderMatch, match_header
from dictanote.segment.headers import split_inline_headers
from dictanote.segment.rules import segmenter_rules
from tests.util import segment_text


def _header(sentence: str, fmt: NoteFormat, current: str | None = None) -> HeaderMatch | None:
    return match_header(sentence, fmt, segmenter_rules()[0], current)


SHIPPED_FORMATS = ("soap", "dap", "birp", "girp", "pie", "progress", "psychotherapy")


@pytest.mark.parametrize(
    ("format_id", "sentence", "field", "rest"),
    [
        ("soap", "Subjective.", "subjective", ""),
        ("soap", "SUBJECTIVE:", "subjective", ""),
        # the labels medical notes are dictated with
        ("soap", "Chief complaint: cough for a week.", "subjective", "Cough for a week."),
        ("soap", "Physical exam.", "objective", ""),
        ("soap", "IMPRESSION:", "assessment", ""),
        ("soap", "Recommendations: rest and fluids.", "plan", "Rest and fluids."),
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
    ("format_id", "sentence"),
    [
        # a vital sign, not the plan: a number after the letter
        ("soap", "P: 80."),
        ("soap", "P. 80."),
        ("soap", "P: eighty and regular."),
        ("soap", "P 72, RR 16."),
        # a letter before a lower-case word or another initial is an abbreviation or a name
        ("soap", "S. aureus grew in the culture."),
        ("soap", "A. fib was seen on the monitor."),
        ("pie", "E. coli in the urine."),
        ("girp", "G. tube feeds continue."),
        ("birp", "I. V. fluids were given."),
        ("birp", "R.n. visit is set."),
        ("soap", "P. R. N. use is rare."),
    ],
)
def test_headers_letter_with_a_number_or_abbreviation_is_content(
    config: Config, format_id: str, sentence: str
) -> None:
    assert _header(sentence, load_format(format_id, config.paths)) is None


@pytest.mark.parametrize(
    ("format_id", "sentence", "current", "field"),
    [
        # a letter said alone, moving forward in the format's order, opens its field
        ("soap", "S.", None, "subjective"),
        ("soap", "O.", "subjective", "objective"),
        ("soap", "A. Improving overall.", "objective", "assessment"),
        ("soap", "P.", "subjective", "plan"),
        ("birp", "I:", "behavior", "intervention"),
        # going back is said in words
        ("soap", "Back to S.", "plan", "subjective"),
        ("soap", "Okay, back to O.", "assessment", "objective"),
        # a word header is the clinician's word, in any order
        ("soap", "Subjective.", "plan", "subjective"),
    ],
)
def test_headers_letter_in_the_format_order(
    config: Config, format_id: str, sentence: str, current: str | None, field: str
) -> None:
    match = _header(sentence, load_format(format_id, config.paths), current)
    assert match is not None and match.field_id == field


@pytest.mark.parametrize(
    ("format_id", "sentence", "current"),
    [
        # a lettered list inside a section, or a letter behind the field being dictated
        ("soap", "A. Hypertension, stable.", "assessment"),
        ("soap", "A. Refill the inhaler.", "plan"),
        ("soap", "S.", "objective"),
        ("birp", "B. Call the pharmacy.", "plan"),
        ("birp", "I.", "response"),
    ],
)
def test_headers_letter_out_of_order_is_content(
    config: Config, format_id: str, sentence: str, current: str
) -> None:
    assert _header(sentence, load_format(format_id, config.paths), current) is None


SUB_HEADINGS = (
    "HEENT: normocephalic, no sinus tenderness.",
    "Lungs: clear to auscultation on both sides.",
    "Heart: regular rate, no murmur.",
    "Abdomen: soft and nontender.",
    "Extremities: trace ankle swelling.",
    "Neuro: no focal weakness.",
    "Vitals: BP 118/76, P 70, afebrile.",
    "Vital signs: within normal limits.",
    "Mental status exam: alert, calm, oriented.",
    "Mood: a bit low.",
    "Affect: restricted but reactive.",
    "Medications: sertraline 50 mg daily.",
    "Allergies: penicillin causes hives.",
    "Axis I: major depressive disorder, recurrent.",
    "Axis II: deferred.",
    "Axis V: GAF 55.",
    "Labs: CBC and BMP unremarkable.",
    "Impression: likely viral.",
)
# Sub-headings that are a format's own field label: the format decides.
OWN_LABELS = {
    ("soap", "Mental status exam: alert, calm, oriented."): "objective",
    ("soap", "Impression: likely viral."): "assessment",
}


@pytest.mark.parametrize("format_id", SHIPPED_FORMATS)
@pytest.mark.parametrize("sentence", SUB_HEADINGS)
def test_headers_sub_heading_is_content_unless_the_format_names_it(
    config: Config, format_id: str, sentence: str
) -> None:
    fmt = load_format(format_id, config.paths)
    match = _header(sentence, fmt)
    assert (match.field_id if match else None) == OWN_LABELS.get((format_id, sentence))
    assert split_inline_headers(sentence, fmt, segmenter_rules()[0]) == [sentence]


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
        ("soap", "Vitals stable, P 72.", ["Vitals stable, P 72."]),
        # a sub-heading's "Exam:" stays with it (the format's cue "exam" opens a sentence, not this)
        ("soap", "Skin exam: no rash.", ["Skin exam: no rash."]),
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


@pytest.mark.parametrize(
    ("format_id", "text", "field", "words"),
    [
        # vitals, abbreviations and sub-headings dictated in the exam stay in the exam
        (
            "soap",
            "Subjective. Sleeping poorly. Objective. BP 128/84. P: 80. P. 78, regular. "
            "S. aureus grew on the swab. Lungs: clear to auscultation. Mood: anxious. "
            "Medications: sertraline 50 mg p.o. q.a.m. and melatonin q.h.s. Assessment. Improving.",
            "objective",
            ["80", "78", "aureus", "Lungs: clear", "Mood: anxious", "q.a.m.", "q.h.s."],
        ),
        # a plan with dosing abbreviations and a doctor's initial stays in the plan
        (
            "soap",
            "Assessment. Stable. Plan. Ibuprofen 400 mg q.6h. p.r.n. for pain, e.g. after work. "
            "Recheck with Dr. S. in two weeks at 9 a.m. Return sooner if worse.",
            "plan",
            ["q.6h. p.r.n.", "Dr. S.", "9 a.m.", "Return sooner"],
        ),
        # a lettered list under Assessment is the assessment's
        ("soap", "Objective. Calm. Assessment. A. Insomnia. B. Worry. Plan. Continue.", "assessment", ["A."]),
    ],
)
def test_headers_abbreviations_open_no_field_in_a_note(
    format_id: str, text: str, field: str, words: list[str]
) -> None:
    draft = segment_text(text, format_id)
    held = " ".join(s.text for f in draft.fields if f.id == field for s in f.sentences)
    assert all(w in held for w in words), held
