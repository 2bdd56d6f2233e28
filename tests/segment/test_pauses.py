"""Pauses as sentence boundaries (``segment.pauses``): headers and private-note cues in run-on transcripts."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dictanote.core.config import Config
from dictanote.core.formats import load_format
from dictanote.core.types import Draft, Word
from dictanote.evaluate import normalize_for_wer
from dictanote.segment.pauses import PAUSE_S, mark_pauses
from dictanote.segment.rules import segmenter_rules
from tests.util import PLAIN_WORDS, segment_text

# Between words said in one breath, as tiny.en times them (it leaves almost no gap inside a sentence).
BREATH_S = 0.02
WORD_S = 0.3


def spoken(
    said: str, unsure: dict[str, float] | None = None, pause: float = 0.7
) -> tuple[str, tuple[Word, ...]]:
    """The transcript text of ``said`` and its words as Whisper times them: "|" is a pause of ``pause`` s.

    Words keep Whisper's leading space and attached punctuation; ``unsure`` gives some words a low
    probability (the rest are sure).
    """
    out: list[Word] = []
    at, gap = 0.0, 0.0
    for token in said.split():
        if token == "|":
            gap = pause
            continue
        at += gap
        bare = token.strip(".,;:?!")
        out.append(Word(" " + token, at, at + WORD_S, (unsure or {}).get(bare, 0.95)))
        at, gap = at + WORD_S, BREATH_S
    return " ".join(t for t in said.split() if t != "|"), tuple(out)


def fields(draft: Draft) -> dict[str, str]:
    """Each field's text, the private note's fields as ``private:<id>``; empty fields left out."""
    found = {f.id: f.text for f in draft.fields if f.text}
    if draft.private is not None:
        found |= {f"private:{f.id}": f.text for f in draft.private.fields if f.text}
    return found


def private_words(draft: Draft) -> str:
    """Everything the private note holds, as one string."""
    return " ".join(f.text for f in draft.private.fields) if draft.private is not None else ""


def record_words(draft: Draft) -> str:
    """Everything the clinical record holds: its fields and its transcript."""
    return " ".join([draft.transcript, *(f.text for f in draft.fields)])


RUN_ON_HEADER = (
    "Subjective. He says the new neighbor's dog doesn't bother him anymore denies SI denies HI | "
    "Objective 30 minute visit in the office calm and cooperative"
)


@pytest.mark.parametrize(
    ("said", "format_id", "field", "sentence"),
    [
        pytest.param(RUN_ON_HEADER, "soap", "objective", "30 minute visit in the office", id="objective"),
        pytest.param(
            "Subjective. Sleeping better since the move and back at the gym | and the plan. "
            "Meet again in two weeks.",
            "soap",
            "plan",
            "Meet again in two weeks.",
            id="after-filler-and-lead-in",
        ),
        pytest.param(
            "Session focus. Sixth session of cognitive processing therapy after the accident last spring "
            "and today we worked on her stuck points about blame | interventions Reviewed her practice log "
            "and did a cognitive restructuring exercise on the stuck point that she should have known",
            "progress",
            "interventions",
            "Reviewed her practice log",
            id="multi-word-field-of-progress",
        ),
        pytest.param(
            "Subjective. Reports low mood for three weeks. | Assessment skits of freni with acute "
            "exacerbation",
            "soap",
            "assessment",
            "Skits of freni with acute exacerbation.",
            id="after-a-period-header-then-lower-case",
        ),
    ],
)
def test_pauses_header_after_a_pause_is_a_header(
    config: Config, said: str, format_id: str, field: str, sentence: str
) -> None:
    text, words = spoken(said)
    assert sentence not in fields(segment_text(text, format_id)).get(field, "")  # fails without timings
    assert sentence in fields(segment_text(text, format_id, words))[field]


@pytest.mark.parametrize(
    ("said", "format_id", "field", "kept"),
    [
        pytest.param(
            "Session focus. She has been making | progress at work since the new manager started.",
            "progress",
            "session_focus",
            "making progress at work",
            id="hesitation-before-a-cue-word",
        ),
        pytest.param(
            "Subjective. She says | plan is to call her sister tonight.",
            "soap",
            "subjective",
            "plan is to call",
            id="cue-as-subject",
        ),
        pytest.param(
            "Subjective. She keeps changing the | plan and then feels guilty about it.",
            "soap",
            "subjective",
            "plan and then",
            id="noun-after-the",
        ),
        pytest.param(
            "Subjective. Her | Objective for the month is to walk daily.",
            "soap",
            "subjective",
            "Objective for the month",
            id="capitalized-noun-after-her",
        ),
    ],
)
def test_pauses_a_cue_word_inside_a_sentence_stays_content(
    config: Config, said: str, format_id: str, field: str, kept: str
) -> None:
    text, words = spoken(said)
    assert kept in fields(segment_text(text, format_id, words))[field]


PRIVATE_RUN_ON = (
    "Assessment. She is working hard on the exposures and we'll meet again next week | private note. "
    "I catch myself wanting to rescue her when she cries | end private note. Plan. Continue weekly."
)


@pytest.mark.parametrize(
    ("said", "private", "record"),
    [
        pytest.param(PRIVATE_RUN_ON, "rescue her", "meet again next week", id="opens-and-closes"),
        pytest.param(
            "Subjective. He spent the weekend in the pomegranate orchard | private note. I felt oddly "
            "tender toward him today | end private note He agreed to come weekly.",
            "tender toward him",
            "He agreed to come weekly",
            id="closes-before-a-capital",
        ),
        pytest.param(
            "Subjective. Quiet week at home | and private note | I keep wanting to reassure him | and "
            "private note. Plan. Meet in two weeks.",
            "wanting to",
            "Meet in two weeks",
            id="switch-cue-both-ways",
        ),
    ],
)
def test_pauses_private_note_switches_after_a_pause(
    config: Config, said: str, private: str, record: str
) -> None:
    """Missing the switch leaks private words into the record; missing the end hides the record's."""
    text, words = spoken(said)
    without = segment_text(text, "soap")
    assert private in record_words(without) or record not in record_words(without)  # fails without timings
    draft = segment_text(text, "soap", words)
    assert private in private_words(draft) and private not in record_words(draft)
    assert record in " ".join(f.text for f in draft.fields) and record not in private_words(draft)


@pytest.mark.parametrize(
    "said",
    [
        pytest.param("Subjective. She asked whether she could read my | private note about her.", id="my"),
        pytest.param("Subjective. She says | private note taking at school feels unfair.", id="not-apart"),
        pytest.param("Subjective. She keeps a private note. of her urges in her phone.", id="no-pause"),
        pytest.param("Subjective. She wrote it in a | private note. To her sister.", id="noun-context"),
    ],
)
def test_pauses_private_words_in_content_never_open_the_private_note(config: Config, said: str) -> None:
    """Entering the private note by mistake would hide the rest of the dictation from the record."""
    text, words = spoken(said)
    draft = segment_text(text, "soap", words)
    assert draft.private is None
    assert "private note" in fields(draft)["subjective"].lower()


def test_pauses_marks_and_spans_still_point_at_their_words(config: Config) -> None:
    text, words = spoken(
        PRIVATE_RUN_ON.replace("Continue weekly.", "Continue weekly CBT."),
        {"exposures": 0.2, "rescue": 0.3, "CBT": 0.1},
    )
    draft = segment_text(text, "soap", words)
    assert draft.private is not None
    for note in (draft, draft.private):
        for f in note.fields:
            for s in f.sentences:
                assert s.span is not None
                first = normalize_for_wer(s.text).split()[0]
                assert first in normalize_for_wer(note.transcript[s.span[0] : s.span[1]]).split()
                assert all(s.text[m.start : m.end] == m.text for m in s.uncertain)
    marked = {m.text: f.id for f in draft.fields for s in f.sentences for m in s.uncertain}
    assert marked == {"exposures": "assessment", "CBT": "plan"}
    hidden = [m.text for f in draft.private.fields for s in f.sentences for m in s.uncertain]
    assert hidden == ["rescue"]


@pytest.mark.parametrize("said", [RUN_ON_HEADER, PRIVATE_RUN_ON])
def test_pauses_without_timings_or_pauses_nothing_changes(config: Config, said: str) -> None:
    text, words = spoken(said, pause=BREATH_S)
    rules = segmenter_rules()
    fmt = load_format("soap", config.paths)
    assert mark_pauses(text, (), fmt, *rules) == text
    assert mark_pauses(text, words, fmt, *rules) == text
    assert mark_pauses(*spoken(said, pause=PAUSE_S - 0.05), fmt, *rules) == text


# --- nothing lost: run-ons with pauses anywhere, cues among the words --------------------------

_CUES = ["Objective", "plan", "private note", "end private note"]


@st.composite
def _run_on(draw: st.DrawFn) -> str:
    tokens: list[str] = ["Subjective."]
    for _ in range(draw(st.integers(3, 30))):
        if draw(st.integers(0, 5)) == 0:
            tokens.append("|")
        tokens.append(
            draw(st.sampled_from(_CUES))
            if draw(st.integers(0, 6)) == 0
            else draw(st.sampled_from(PLAIN_WORDS))
        )
    return " ".join(tokens)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(said=_run_on())
def test_pauses_nothing_lost_property(said: str) -> None:
    """Every word but the cues is in exactly one field of the record or the private note, once."""
    text, words = spoken(said)
    draft = segment_text(text, "soap", words)
    placed = " ".join(
        s.text for note in (draft, draft.private) if note for f in note.fields for s in f.sentences
    )
    cue_words = {w for cue in _CUES for w in normalize_for_wer(cue).split()} | {"subjective"}
    expected = [w for w in normalize_for_wer(text).split() if w not in cue_words]
    assert sorted(w for w in normalize_for_wer(placed).split() if w not in cue_words) == sorted(expected)


@pytest.mark.parametrize(
    ("said", "split"),
    [
        pytest.param("when she cries end | private note. Plan.", False, id="pause-inside-end-cue"),
        pytest.param(
            "Session focus. Worked on blame client | response She was calm.", False, id="inside-cue"
        ),
        pytest.param("Worked on blame | client response She was calm.", True, id="before-cue"),
    ],
)
def test_pauses_a_pause_inside_a_cue_is_no_boundary(config: Config, said: str, split: bool) -> None:
    """Splitting "end | private note" would open the private note instead of closing it."""
    text, words = spoken(said)
    marked = mark_pauses(text, words, load_format("progress", config.paths), *segmenter_rules())
    assert (marked != text) is split


def test_pauses_a_word_found_inside_another_is_left_alone(config: Config) -> None:
    """Whisper's words no longer in the text (rewritten since) are found, if at all, inside other words."""
    text = "Discussed the explanation Plan continue weekly."
    timed = [("Discussed", 0.0), ("the", 0.4), ("an", 0.8), ("Plan", 1.9), ("continue", 2.3)]
    words = tuple(Word(f" {w}", t, t + WORD_S, 0.9) for w, t in timed)
    assert mark_pauses(text, words, load_format("soap", config.paths), *segmenter_rules()) == text


CLOSING = "Subjective. Slept badly and takes his medication without prompting assessment. | It's a flare of psychosis."


@pytest.mark.parametrize(
    ("said", "unsure", "field", "sentence"),
    [
        pytest.param(
            CLOSING, {"assessment": 0.3}, "assessment", "It's a flare of psychosis.", id="run-on-header"
        ),
        pytest.param(CLOSING, {}, "subjective", "without prompting assessment.", id="sure-content-word"),
        pytest.param(
            "Subjective. She named it as a trauma response. | I think she is right.",
            {"response": 0.3},
            "subjective",
            "as a trauma response.",
            id="noun-before",
        ),
    ],
)
def test_pauses_a_header_timed_before_the_pause_opens_a_sentence_when_unsure(
    config: Config, said: str, unsure: dict[str, float], field: str, sentence: str
) -> None:
    """Whisper may time the silence before a header after it: "...prompting assessment. | It's..."."""
    text, words = spoken(said, unsure)
    assert sentence in fields(segment_text(text, "soap", words))[field]


def test_pauses_a_private_cue_timed_before_the_pause_switches(config: Config) -> None:
    said = (
        "Assessment. Working hard on the exposures and we'll meet again next week private note. | I catch "
        "myself wanting to rescue her when she cries end private note. | Plan. Continue weekly."
    )
    text, words = spoken(said)
    assert "rescue her" in record_words(segment_text(text, "soap"))  # fails without timings
    draft = segment_text(text, "soap", words)
    assert "rescue her" in private_words(draft) and "rescue her" not in record_words(draft)
    assert "Continue weekly." in fields(draft)["plan"]
