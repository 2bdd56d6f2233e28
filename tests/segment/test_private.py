"""Private spans (``segment.private``): cut out of the clinical draft, kept whole in the private one."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dictanote.check import check_draft
from dictanote.core.codec import draft_to_dict
from dictanote.core.config import Config
from dictanote.core.formats import load_format
from dictanote.core.policy import PRIVATE_CUT_MARK
from dictanote.core.types import Draft, UnclosedPrivate
from dictanote.render import draft_to_json
from dictanote.segment import cut_private
from tests.util import run_cli, segment_text

REPRO = (
    "Subjective. Client reports better sleep. Plan. Continue weekly. Private note. "
    "I noticed strong countertransference anger. End private note."
)
# Each dictation's private words are the ones with "zz" in them, and only those.
DICTATIONS = [
    REPRO.replace("countertransference", "zzcounter"),
    "Data. Client arrived on time. Private note. I felt zzprotective. End private note. Plan. Meet weekly.",
    "Plan. Continue weekly, private note, I felt zztired, end private note, and call her mother.",
    "Subjective. Slept well. Private note. zzFirst thought. End private note. Plan. Weekly. "
    "Psychotherapy note. zzSecond thought. End psychotherapy note.",
    "Subjective. Slept well. Private note. zzUnclosed worry. Plan. zzWeekly zzcalls.",
    "Subjective. She keeps private note cards. Private note: zzcards zzagain.",
    "Assessment. Stable. Private note.\nzzLine one.\nzzLine two.\nEnd private note.\nPlan. Weekly.",
    # "End private note" as Whisper often hears it; and the same words opening a note.
    "Subjective. Slept well. Private note, I felt zzwarm. And private note, plan, meet weekly.",
    "Subjective. Slept well. And private note. zzOpened here. End private note. Plan. Weekly.",
]


def test_private_and_private_note_closes_an_open_note_and_the_plan_stays_clinical() -> None:
    draft = segment_text(DICTATIONS[-2])
    assert [s.text for s in draft.field("plan").sentences] == ["Meet weekly."]
    assert draft.private is not None and draft.private.transcript.strip() == "I felt zzwarm."


def _clinical_record(draft: Draft, config: Config) -> str:
    """Everything the clinical draft carries: its stored form, its JSON, its findings."""
    fmt = load_format(draft.format, config.paths)
    clinical = replace(draft, private=None)
    findings = check_draft(draft, fmt)
    as_json = draft_to_json(clinical, findings)
    return json.dumps([draft_to_dict(clinical), as_json], ensure_ascii=False)


@pytest.mark.parametrize("text", DICTATIONS)
def test_private_words_never_reach_the_clinical_draft(config: Config, text: str) -> None:
    draft = segment_text(text)
    assert "zz" not in _clinical_record(draft, config).lower()
    assert PRIVATE_CUT_MARK in draft.transcript
    assert draft.private is not None
    private_words = [w for w in text.replace(".", " ").replace(",", " ").split() if "zz" in w]
    assert all(w in draft.private.transcript for w in private_words)
    assert "Slept" not in draft.private.transcript and "weekly," not in draft.private.transcript


@pytest.mark.parametrize("text", DICTATIONS)
def test_private_spans_point_into_each_drafts_own_transcript(text: str) -> None:
    draft = segment_text(text)
    assert draft.private is not None
    for d in (draft, draft.private):
        for field in d.fields:
            for sentence in field.sentences:
                assert sentence.span is not None
                first = sentence.text.split()[0].strip(".,:").lower()
                assert d.transcript[sentence.span[0] : sentence.span[1]].lower().startswith(first)


@pytest.mark.parametrize("text", [*DICTATIONS, "Plan. Weekly. No private note today.", ""])
def test_private_cut_private_cuts_as_the_segmenter_does_and_once(text: str) -> None:
    cut = cut_private(text)
    assert cut == segment_text(text).transcript
    assert cut_private(cut) == cut
    again = segment_text(cut)
    assert again.private is None and again.transcript == cut


def test_private_cut_transcript_says_where_not_what() -> None:
    draft = segment_text(REPRO)
    assert draft.transcript == (
        "Subjective. Client reports better sleep. Plan. Continue weekly. " + PRIVATE_CUT_MARK
    )
    assert draft.private is not None
    assert draft.private.transcript == "I noticed strong countertransference anger."


@pytest.mark.parametrize(
    ("text", "unclosed"),
    [
        ("Plan. Weekly. Private note. I felt tired. End private note.", None),
        ("Plan. Weekly. Private note. I felt tired.", UnclosedPrivate(1)),
        (
            "Subjective. Fine. Private note. I felt tired. Assessment. Stable. Plan: call her. Plan. Weekly.",
            UnclosedPrivate(6, ("assessment", "plan")),
        ),
        # closed once, then opened again and never closed: only the second span counts
        (
            "Plan. Weekly. Private note. One. End private note. Private note. Two. Three.",
            UnclosedPrivate(2),
        ),
    ],
)
def test_private_unclosed_note_says_what_it_took(text: str, unclosed: UnclosedPrivate | None) -> None:
    assert segment_text(text).unclosed_private == unclosed


def test_private_repro_through_the_cli_leaves_no_private_word_in_the_record(tmp_path: Path) -> None:
    store = ["--data-dir", str(tmp_path / "store")]
    shown = run_cli(*store, "segment", "-", "--json", "--save", stdin=REPRO)
    assert shown.returncode == 0, shown.stderr
    out = json.loads(shown.stdout)
    assert "countertransference" in json.dumps(out.pop("private"))
    assert "countertransference" not in json.dumps(out)
    assert out["transcript"].endswith(PRIVATE_CUT_MARK)
    draft = run_cli(*store, "drafts", "show", "1", "--json")
    assert draft.returncode == 0, draft.stderr
    assert "countertransference" not in draft.stdout
    assert PRIVATE_CUT_MARK in draft.stdout


# --- a property: however the cues are said, no private word reaches the record ----------------

_RECORD_WORDS = ["client", "slept", "better", "anxious", "calmer", "reviewed", "journal", "mother", "work"]
_OPEN = ["private note", "okay private note", "psychotherapy note", "start private note"]
_CLOSE = ["end private note", "end of private note", "end psychotherapy note"]


@st.composite
def _mixed(draw: st.DrawFn) -> str:
    """Record sentences and private ones (every private word starts with "zz"), cues said any way."""
    text = ""
    private = False
    for _ in range(draw(st.integers(1, 9))):
        if draw(st.integers(0, 3)) == 0:
            words = draw(st.sampled_from(_CLOSE if private else _OPEN))
            private = not private
        else:
            chosen = draw(st.lists(st.sampled_from(_RECORD_WORDS), min_size=1, max_size=5))
            words = " ".join(f"zz{w}" if private else w for w in chosen)
        if not text or text.endswith("."):
            words = words[:1].upper() + words[1:]
        text += ("" if not text else " ") + words + draw(st.sampled_from([".", ","]))
    return text


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_mixed())
def test_private_no_private_word_in_the_record_property(config: Config, text: str) -> None:
    draft = segment_text(text)
    assert "zz" not in _clinical_record(draft, config).lower()
    dictated = sorted(w.strip(".,").lower() for w in text.split() if w.lower().startswith("zz"))
    kept = draft.private.fields if draft.private is not None else ()
    placed = sorted(w.strip(".,").lower() for f in kept for s in f.sentences for w in s.text.split())
    assert [w for w in placed if w.startswith("zz")] == dictated
    assert cut_private(text) == draft.transcript
