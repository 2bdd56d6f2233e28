"""The whole segmenter (``segment.segmenter``): every sentence in exactly one field, headers obeyed, remap."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dictanote.core.config import Config
from dictanote.core.formats import load_format
from dictanote.core.policy import is_uncertain
from dictanote.evaluate import normalize_for_wer
from dictanote.segment import MAX_TEXT_CHARS, cut_private, remap, segment_transcript
from tests.util import PLAIN_WORDS, assert_one_line_error, load_samples, run_cli, segment_text


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

_HEADERS = {
    "soap": ["Subjective.", "Okay, objective.", "For the assessment,", "Moving on to the plan."],
    "birp": ["Behavior.", "Intervention,", "Okay, response.", "Plan:"],
}

_sentence = st.lists(st.sampled_from(PLAIN_WORDS), min_size=2, max_size=9).map(
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


# --- nothing lost, in any script ----------------------------------------------------------------

_SCRIPTS = [
    "àáâãäåçèéêëìíîïñòóôõöùúûüýÿœø",  # Latin with accents
    "абвгдежзийклмнопрстуфхцчшщыьэюя",  # Cyrillic
    "東京日本語中文字大小山川心理治療",  # CJK
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",  # Arabic
    "😀😂🙂🎉❤👍🌟🔥🧠💬",  # emoji
]
_MARKS = "\u0301\u0300\u0308\u0303\u0327"  # combining acute, grave, diaeresis, tilde, cedilla
# Words that hold a filler, a cue or a command word inside them, but are none of them.
_TRICKY = ["Ñandú", "andé", "sô", "okáy", "plañ", "Ñ", "é", "privaté", "scratché"]


@st.composite
def _unicode_word(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.sampled_from(PLAIN_WORDS + _TRICKY))
    if kind == 1:  # Latin letters with combining marks (one at least, so it is no cue or filler)
        letters = draw(st.lists(st.sampled_from("abcdefghijklmnopqrstuvwxyz"), min_size=1, max_size=6))
        marks = [draw(st.sampled_from(["", *_MARKS])) for _ in letters[1:]] + [draw(st.sampled_from(_MARKS))]
        return "".join(ch + mark for ch, mark in zip(letters, marks, strict=True))
    return draw(st.text(alphabet=st.sampled_from(draw(st.sampled_from(_SCRIPTS))), min_size=1, max_size=6))


_unicode_sentence = st.lists(_unicode_word(), min_size=1, max_size=6).map(lambda ws: " ".join(ws) + ".")


@st.composite
def _unicode_dictation(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    fmt = draw(st.sampled_from(sorted(_HEADERS)))
    parts: list[str] = []
    content: list[str] = []
    private = False
    for _ in range(draw(st.integers(1, 10))):
        roll = draw(st.integers(0, 9))
        if roll == 0:
            parts.append("End private note." if private else "Private note.")
            private = not private
        elif roll == 1 and not private:  # in a private note, a record's header is words of it
            parts.append(draw(st.sampled_from(_HEADERS[fmt])))
        sentence = draw(_unicode_sentence)
        parts.append(sentence)
        content.append(sentence)
    return fmt, " ".join(parts), content


def _dictated_chars(texts: list[str]) -> Counter[str]:
    """Every letter, digit, mark and symbol of ``texts``, case folded (a sentence's first is capitalized)."""
    return Counter(ch for text in texts for ch in text.casefold() if not ch.isspace() and ch not in ".,:;")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=_unicode_dictation())
def test_segmenter_nothing_lost_in_any_script_property(case: tuple[str, str, list[str]]) -> None:
    """Every character of every dictated word (not headers or commands) is in exactly one sentence."""
    format_id, text, content = case
    draft = segment_text(text, format_id)
    placed = [s.text for d in (draft, draft.private) if d is not None for f in d.fields for s in f.sentences]
    assert _dictated_chars(placed) == _dictated_chars(content)
    assert cut_private(text) == draft.transcript
    assert cut_private(draft.transcript) == draft.transcript


@pytest.mark.parametrize(
    "words",
    ["Я устал.", "東京.", "Ñandú.", "😀😀.", "مرحبا بك.", "Cafe\u0301 au lait.", "And\u0301."],
)
def test_segmenter_words_in_any_script_are_kept(words: str) -> None:
    draft = segment_text(f"Subjective. {words}")
    assert [s.text for f in draft.fields for s in f.sentences] == [words]


# --- one-letter cues inside abbreviations ------------------------------------------------------


@pytest.mark.parametrize("format_id", ["soap", "dap", "birp", "girp", "pie"])
@pytest.mark.parametrize(
    "sentence",
    [
        "In p.m. hours she feels anxious.",
        "For a.m. appointments she is late.",
        "Under e.g. the plan she agreed.",
        "She takes it q.i.d. and p.r.n. as needed.",
        "Dr. S. agreed to the referral.",
        "I.e. she kept every appointment.",
    ],
)
def test_segmenter_one_letter_cue_inside_an_abbreviation_is_content(
    config: Config, format_id: str, sentence: str
) -> None:
    first = load_format(format_id, config.paths).fields[0]
    draft = segment_text(f"{first.label}. Client is calm today. {sentence}", format_id)
    placed = sorted((s for f in draft.fields for s in f.sentences), key=lambda s: s.span or (0, 0))
    assert [s.text for s in placed] == ["Client is calm today.", sentence]


# --- bounded input --------------------------------------------------------------------------------


def test_segmenter_nested_parentheses_take_linear_time() -> None:
    """spaCy's affix splitting was quadratic in a run without spaces (4,000 parentheses: 18 s)."""

    def seconds(n: int) -> float:
        text = "Subjective. " + "(" * n + "anxious" + ")" * n + "."
        best = float("inf")
        for _ in range(2):
            started = time.perf_counter()
            draft = segment_text(text)
            best = min(best, time.perf_counter() - started)
        assert "anxious" in draft.field("subjective").text.lower()
        return best

    segment_text("Warm up.")
    small, large = seconds(5_000), seconds(50_000)
    assert large < 5.0
    assert large < 30 * max(small, 0.01)  # ten times the text, not a hundred times the work


def test_segmenter_refuses_text_over_the_limit_with_one_line() -> None:
    result = run_cli("segment", "-", stdin="a " * (MAX_TEXT_CHARS // 2 + 1))
    assert_one_line_error(result, 2)
    assert f"{MAX_TEXT_CHARS:,}" in result.stderr


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


# --- a spoken header holds its field until the next one ---------------------------------------


@pytest.mark.parametrize(
    ("text", "sentence", "field"),
    [
        # the issue's own example: a follow-up appointment dictated after "Plan."
        (
            "Subjective. Sleeping better on the new dose. Plan. Continue sertraline 100 mg. "
            "Return to clinic in two weeks.",
            "Return to clinic in two weeks.",
            "plan",
        ),
        # exam findings dictated after "Assessment."
        (
            "Subjective. Mood is better. Assessment. Major depression, improving. "
            "Alert and oriented, speech of normal rate and volume, affect bright.",
            "Alert and oriented, speech of normal rate and volume, affect bright.",
            "assessment",
        ),
        # a report of the week dictated after "Objective." in a headed note
        (
            "Subjective. She went back to work. Objective. Calm and well groomed. "
            "She says she had two panic attacks on the bus on Monday. Assessment. Panic disorder. "
            "Plan. Weekly CBT.",
            "She says she had two panic attacks on the bus on Monday.",
            "objective",
        ),
        # "new paragraph" is layout, not a change of field
        (
            "Assessment. Generalized anxiety, stable. New paragraph. Blood pressure 124 over 80, pulse 70.",
            "Blood pressure 124 over 80, pulse 70.",
            "assessment",
        ),
        # "back to subjective" opens a run of its own
        (
            "Subjective. Feels flat. Assessment. Depression, stable. Plan. Continue sertraline. "
            "Back to subjective, she also mentioned poor appetite. "
            "She will start a new job next month and plans to call her sister.",
            "She will start a new job next month and plans to call her sister.",
            "subjective",
        ),
        # a header retracted by "scratch that": the run before it goes on
        (
            "Assessment. Depression, improving. Plan. Scratch that. Sleep improved with the new routine.",
            "Sleep improved with the new routine.",
            "assessment",
        ),
    ],
)
def test_segmenter_spoken_header_holds_its_field_until_the_next(text: str, sentence: str, field: str) -> None:
    draft = segment_text(text)
    found = [(f.id, s) for f in draft.fields for s in f.sentences if s.text == sentence]
    assert [f for f, _ in found] == [field]
    assert found[0][1].origin == "spoken_header"


def test_segmenter_pinned_run_against_its_content_is_marked_uncertain() -> None:
    """Content may question a spoken header's placement (low confidence), never move the sentences."""
    exam = [
        "Alert and oriented, speech of normal rate and volume, affect bright.",
        "Blood pressure 128 over 82, pulse 76, lungs clear to auscultation bilaterally.",
    ]
    text = f"Subjective. Mood is better. Assessment. Major depression, improving. {' '.join(exam)}"
    sentences = {s.text: (f.id, s) for f in segment_text(text).fields for s in f.sentences}
    for sentence in exam:
        field, pinned = sentences[sentence]
        assert field == "assessment" and pinned.role in {"observation", "measure"}
        assert is_uncertain(pinned.confidence)
    field, diagnosis = sentences["Major depression, improving."]
    assert field == "assessment" and diagnosis.confidence == 1.0


def test_segmenter_one_misread_sentence_in_a_run_is_not_questioned() -> None:
    """A single sentence the classifier reads as another field, amid its run, keeps confidence 1."""
    text = (
        "Plan. Continue sertraline 100 mg daily. Mood has been better since the dose change. "
        "Return to clinic in two weeks. Call sooner if sleep worsens."
    )
    assert [s.confidence for s in segment_text(text).field("plan").sentences] == [1.0] * 4


def test_segmenter_after_end_private_note_content_places_again() -> None:
    text = (
        "Subjective. She says her sister visited and they argued about money. Private note. "
        "I felt drained after the session. End private note. "
        "Continue weekly CBT and review the safety plan next session."
    )
    draft = segment_text(text)
    after = [(f.id, s) for f in draft.fields for s in f.sentences if s.text.startswith("Continue weekly")]
    assert [(f, s.origin) for f, s in after] == [("plan", "inferred")]


def test_segmenter_remap_keeps_a_spoken_headers_run(config: Config) -> None:
    text = (
        "Subjective. Client reports panic attacks at work. Assessment. Panic disorder, improving. "
        "Continue weekly CBT and review in two weeks."
    )
    draft = segment_text(text, "soap")
    assert (
        draft.field("assessment").text
        == "Panic disorder, improving. Continue weekly CBT and review in two weeks."
    )
    dap = remap(draft, load_format("dap", config.paths))
    assert dap.field("assessment").text == draft.field("assessment").text
