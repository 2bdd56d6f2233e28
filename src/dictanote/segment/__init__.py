"""The segment stage: transcript text + note format in, ``Draft`` out.

spaCy is imported here only (sentence splitting and the role classifier).
``cut_private`` cuts the private spans out of a stored transcript as the segmenter does.
"""

from .headers import HeaderMatch, match_header
from .nlp import MAX_TEXT_CHARS, warm_up
from .private import cut_private
from .segmenter import SEGMENTER_ID, SegmentOptions, remap, segment_transcript
from .units import ends_sentence, split_sentences

__all__ = [
    "MAX_TEXT_CHARS",
    "SEGMENTER_ID",
    "HeaderMatch",
    "SegmentOptions",
    "cut_private",
    "ends_sentence",
    "match_header",
    "remap",
    "segment_transcript",
    "split_sentences",
    "warm_up",
]
