"""Whether words the transcriber was unsure of may be a misheard risk phrase ("a sital ideation").

Compares runs of a sentence's marked words (and their neighbours) with risk phrases
by spelling (rapidfuzz) and by sound (jellyfish's metaphone). Pure matching: which
phrases to look for is the vocabulary's, what a match means is the rules'.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# Similarity (0-100) from which a run of words is taken for a risk phrase: by spelling (spaces
# ignored), or by sound (metaphone codes of SOUND_MIN_CODE letters or more) when the spelling is
# at least SOUND_SPELLING alike: metaphone alone hears "down to 30" as "denied SI". Chosen on the
# odd-numbered dictations of benchmarks/terms/dictations.jsonl (issue 13).
SPELLING_SIMILAR = 80.0
SOUND_SIMILAR = 85.0
SOUND_SPELLING = 60.0
SOUND_MIN_CODE = 3
# Phrases and runs shorter than this (letters and digits) are not compared: "SI" is too like
# "see", and "ill" too like "kill".
MIN_PHRASE = 4

_WORD = re.compile(r"[A-Za-z0-9']+")


@dataclass(frozen=True)
class Phrase:
    """A risk phrase as it is compared: its letters without spaces, how it sounds, how many words."""

    text: str
    letters: str
    sound: str
    words: int


def _letters(words: Sequence[str]) -> str:
    return "".join(words).lower().replace("'", "")


def _sound(letters: str) -> str:
    import jellyfish

    return str(jellyfish.metaphone(letters)) if letters else ""


@lru_cache(maxsize=8)
def phrases(texts: tuple[str, ...]) -> tuple[Phrase, ...]:
    """The phrases worth looking for among ``texts``, ready to compare (computed once per list)."""
    out = []
    for text in texts:
        words = _WORD.findall(text)
        letters = _letters(words)
        if len(letters) >= MIN_PHRASE:
            out.append(Phrase(text, letters, _sound(letters), len(words)))
    return tuple(out)


def _similarity(spelling: float, sound: str, phrase: Phrase) -> float:
    """How alike a run of words and a phrase are (0: not enough), from the spelling's likeness and
    the run's sound; alike in spelling ranks first."""
    from rapidfuzz import fuzz

    if spelling >= SPELLING_SIMILAR:
        return 100.0 + spelling
    if spelling < SOUND_SPELLING or min(len(sound), len(phrase.sound)) < SOUND_MIN_CODE:
        return 0.0
    sounds = float(fuzz.ratio(sound, phrase.sound))
    return sounds if sounds >= SOUND_SIMILAR else 0.0


def _sizes(phrase: Phrase) -> range:
    """How many words a run compared with ``phrase`` has: as many, one more, one fewer from three on."""
    fewest = phrase.words - 1 if phrase.words > 2 else phrase.words  # "denies" alone is no "denies SI"
    return range(fewest, phrase.words + 2)


def misheard_phrase(text: str, marks: Sequence[tuple[int, int]], candidates: Sequence[Phrase]) -> str | None:
    """The one of ``candidates`` a run of words of ``text`` touching a mark is most like, or None.

    ``marks`` are character spans of ``text`` (uncertain or corrected words). A run
    holds at least one marked word and ``MIN_PHRASE`` letters or more (see ``_sizes``).
    """
    from rapidfuzz import fuzz, process

    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    marked = [any(s < end and start < e for s, e in marks) for start, end, _ in words]
    best, best_score = None, 0.0
    for size in sorted({n for phrase in candidates for n in _sizes(phrase)}):
        runs = [
            _letters([w for _, _, w in words[i : i + size]])
            for i in range(len(words) - size + 1)
            if any(marked[i : i + size])
        ]
        runs = [run for run in runs if len(run) >= MIN_PHRASE]
        group = [phrase for phrase in candidates if size in _sizes(phrase)]
        if not runs or not group:
            continue
        # Spelling first, all pairs at once; the sound only of the pairs spelled alike enough.
        spelled = process.cdist(
            runs, [p.letters for p in group], scorer=fuzz.ratio, score_cutoff=SOUND_SPELLING, workers=1
        )
        for i, j in zip(*spelled.nonzero(), strict=True):
            score = _similarity(float(spelled[i, j]), _sound(runs[i]), group[j])
            if score > best_score:
                best, best_score = group[j].text, score
    return best
