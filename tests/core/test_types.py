"""core/types.py: the transcript's JSON contract (``transcribe --json``) with its words."""

from __future__ import annotations

import pytest

from dictanote.core.types import DecodingOptions, TimedSegment, Timings, Transcript, Word


@pytest.mark.parametrize(
    ("segment", "words"),
    [
        (
            TimedSegment(
                0.5, 1.8, "Denies SI.", (Word(" Denies", 0.5, 0.91, 0.98), Word(" SI.", 0.91, 1.8, 0.3141))
            ),
            [
                {"text": " Denies", "start": 0.5, "end": 0.91, "probability": 0.98},
                {"text": " SI.", "start": 0.91, "end": 1.8, "probability": 0.314},
            ],
        ),
        (TimedSegment(0.5, 1.8, "Denies SI."), []),  # word timestamps off: an empty list, never absent
    ],
    ids=["words", "no-words"],
)
def test_types_transcript_json_has_words_per_segment(segment: TimedSegment, words: list[object]) -> None:
    transcript = Transcript(segment.text, (segment,), 2.0, "tiny.en", DecodingOptions(), Timings(0.1, 0.2))
    assert transcript.to_dict()["segments"] == [
        {"start": 0.5, "end": 1.8, "text": "Denies SI.", "words": words}
    ]
