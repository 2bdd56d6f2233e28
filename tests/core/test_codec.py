"""The lossless draft codec the store and the review page share."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from dictanote.app import Dictation
from dictanote.core.codec import draft_from_dict, draft_to_dict
from dictanote.core.config import Config
from dictanote.core.errors import DraftDataError
from dictanote.core.types import Correction, Sentence, SessionInfo, UncertainWord
from tests.util import load_samples, make_draft


@pytest.mark.parametrize("sample", load_samples(), ids=lambda s: s.id)
def test_codec_round_trips_every_sample(config: Config, sample: object) -> None:
    draft = Dictation(config).from_text(sample.text, sample.format).draft  # type: ignore[attr-defined]
    assert draft_from_dict(json.loads(json.dumps(draft_to_dict(draft)))) == draft


def _with_mark(key: str, mark: object) -> dict[str, object]:
    """A one-sentence draft whose sentence carries ``mark`` under ``key``."""
    sentence = {"text": "Takes clozapine.", key: [mark]}
    return {"format": "soap", "fields": [{"id": "plan", "sentences": [sentence]}]}


def test_codec_round_trips_word_marks(config: Config) -> None:
    text = "Plan. Continue clozapine at night."
    draft = Dictation(config).from_text(text, "soap").draft
    plan = draft.field("plan")
    sentence = replace(
        plan.sentences[0],
        uncertain=(UncertainWord(22, 27, "night", 0.31),),
        corrections=(Correction(9, 18, "clause pine", "clozapine", "sounds like clozapine; dose follows"),),
    )
    marked = replace(
        draft, fields=tuple(replace(f, sentences=(sentence,)) if f.id == "plan" else f for f in draft.fields)
    )
    assert draft_from_dict(json.loads(json.dumps(draft_to_dict(marked)))) == marked


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "object with a 'format'"),
        ({"format": "soap", "fields": {}}, "must be a list"),
        ({"format": "soap", "fields": [{"label": "x"}]}, "with an 'id'"),
        ({"format": "soap", "fields": [{"id": "plan", "sentences": [{"txt": "x"}]}]}, "'text' string"),
        ({"format": "soap", "fields": [], "session": {"clinet": "JD"}}, "unknown session fact 'clinet'"),
        ({"format": "soap", "fields": [], "session": {"duration_minutes": "fifty"}}, "malformed"),
        (
            _with_mark("uncertain", {"start": 0, "end": 99, "text": "x", "probability": 0.2}),
            "inside its sentence",
        ),
        (_with_mark("uncertain", {"start": 0, "end": 1, "text": "x", "probability": 2}), "from 0 to 1"),
        (_with_mark("corrections", {"start": 0, "end": 1, "original": "x"}), "'replacement'"),
        (_with_mark("corrections", "x"), "must be an object"),
        ({"format": "soap", "fields": [], "session": {"attendance": "maybe"}}, "attendance 'maybe' is not"),
        (
            {"format": "soap", "fields": [{"id": "plan", "sentences": [{"text": "x", "goals": "G1"}]}]},
            "goal ids",
        ),
        (
            {"format": "soap", "fields": [{"id": "plan", "sentences": [{"text": "x", "goals": [" "]}]}]},
            "goal ids",
        ),
    ],
)
def test_codec_rejects_malformed_drafts(raw: object, message: str) -> None:
    with pytest.raises(DraftDataError, match=message):
        draft_from_dict(raw)


def test_codec_round_trips_the_caseload_facts() -> None:
    draft = make_draft(
        "progress",
        {"progress": [Sentence("PHQ-9 down to 9.", "spoken_header", 0.9, goals=("G1", "G2"))]},
        session=SessionInfo(
            client="M.R.",
            client_id="mr-2",
            date="2026-11-30",
            time="09:05",
            attendance="late-cancel",
            attendance_reason="sick child",
        ),
    )
    back = draft_from_dict(json.loads(json.dumps(draft_to_dict(draft))))
    assert back == draft
    assert back.field("progress").sentences[0].to_dict()["goals"] == ["G1", "G2"]
    assert "goals" not in make_draft("soap", {"plan": ["Rest."]}).field("plan").sentences[0].to_dict()
