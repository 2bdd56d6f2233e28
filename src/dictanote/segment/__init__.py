"""The segment stage: transcript text + note format in, ``Draft`` out.

spaCy is imported here only (sentence splitting and the role classifier).
"""

from .headers import HeaderMatch, match_header
from .nlp import warm_up
from .segmenter import SEGMENTER_ID, SegmentOptions, remap, segment_transcript
from .units import split_sentences

__all__ = [
    "SEGMENTER_ID",
    "HeaderMatch",
    "SegmentOptions",
    "match_header",
    "remap",
    "segment_transcript",
    "split_sentences",
    "warm_up",
]
