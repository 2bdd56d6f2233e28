"""The lossless draft codec the store and the review page share."""

from __future__ import annotations

import json

import pytest

from dictanote.app import Dictation
from dictanote.core.codec import draft_from_dict, draft_to_dict
from dictanote.core.config import Config
from dictanote.core.errors import DraftDataError
from tests.util import load_samples


@pytest.mark.parametrize("sample", load_samples(), ids=lambda s: s.id)
def test_codec_round_trips_every_sample(config: Config, sample: object) -> None:
    draft = Dictation(config).from_text(sample.text, sample.format).draft  # type: ignore[attr-defined]
    assert draft_from_dict(json.loads(json.dumps(draft_to_dict(draft)))) == draft


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "object with a 'format'"),
        ({"format": "soap", "fields": {}}, "must be a list"),
        ({"format": "soap", "fields": [{"label": "x"}]}, "with an 'id'"),
        ({"format": "soap", "fields": [{"id": "plan", "sentences": [{"txt": "x"}]}]}, "'text' string"),
        ({"format": "soap", "fields": [], "session": {"clinet": "JD"}}, "unknown session fact 'clinet'"),
        ({"format": "soap", "fields": [], "session": {"duration_minutes": "fifty"}}, "malformed"),
    ],
)
def test_codec_rejects_malformed_drafts(raw: object, message: str) -> None:
    with pytest.raises(DraftDataError, match=message):
        draft_from_dict(raw)
