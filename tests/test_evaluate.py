"""Scoring a placement against gold labels (``evaluate``), as the benchmarks and sample tests use it."""

from __future__ import annotations

import pytest

from dictanote.evaluate import score_placement
from tests.util import segment_text

_RETRACTED = (
    ("Plan.", "header"),
    ("She agreed to stop drinking coffee entirely.", "deleted"),
    ("Scratch that.", "command"),
    ("She agreed to switch to decaf after noon.", "plan"),
)


@pytest.mark.parametrize(
    ("spoken", "leaked"),
    [
        # retracted and gone: "She agreed to" shared with the next sentence is not a leak
        (" ".join(t for t, _ in _RETRACTED), 0),
        # the retraction was missed (not said): the sentence's words are counted
        ("Plan. She agreed to stop drinking coffee entirely. She agreed to switch to decaf after noon.", 7),
    ],
)
def test_evaluate_score_counts_only_real_leaks_of_retracted_words(spoken: str, leaked: int) -> None:
    score = score_placement(_RETRACTED, segment_text(spoken))
    assert score.leaked == leaked
    assert [(label, got) for _, label, got in score.results] == [("plan", "plan")]
