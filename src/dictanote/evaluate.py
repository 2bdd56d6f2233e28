"""Word error rate for measuring transcription against a reference text.

Used by the tests and benchmarks, never by the pipeline. Both texts are
normalized the same way first (case, punctuation, hyphens, number words), so
that "PHQ-9 of fourteen" and "PHQ nine of 14" count as the same words.
"""

from __future__ import annotations

import re

_UNIT_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
)
_TEN_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety"
_UNITS = {w: i for i, w in enumerate(_UNIT_WORDS.split())}
_TENS = {w: 10 * i for i, w in enumerate(_TEN_WORDS.split(), start=2)}
_SPELLINGS = {"mg": "milligrams", "%": " percent", "&": " and ", "ok": "okay"}


def _numbers_to_digits(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w in _TENS:
            value = _TENS[w]
            if i + 1 < len(words) and words[i + 1] in _UNITS and 0 < _UNITS[words[i + 1]] < 10:
                value += _UNITS[words[i + 1]]
                i += 1
            out.append(str(value))
        elif w in _UNITS:
            out.append(str(_UNITS[w]))
        elif w == "hundred" and out and out[-1].isdigit():
            out[-1] = str(int(out[-1]) * 100)
        else:
            out.append(w)
        i += 1
    return out


def normalize_for_wer(text: str) -> str:
    """Lower-case words with punctuation dropped and number words as digits."""
    text = text.lower().replace("\u2019", "'")
    for raw, spelled in _SPELLINGS.items():
        text = re.sub(rf"(?<![a-z]){re.escape(raw)}(?![a-z])", spelled, text)
    text = re.sub(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])", " ", text)
    text = re.sub(r"[-/]", " ", text)
    text = re.sub(r"'", "", text)
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return " ".join(_numbers_to_digits(text.split()))


def word_error_rate(reference: str, hypothesis: str) -> float:
    """WER of ``hypothesis`` against ``reference`` after normalizing both (needs jiwer)."""
    import jiwer

    ref = normalize_for_wer(reference)
    hyp = normalize_for_wer(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return float(jiwer.wer(ref, hyp))
