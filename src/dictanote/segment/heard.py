"""Rating-scale names and risk terms heard wrong, written as said, only with evidence (issue 13).

A scale ("PHD9", "G.V.D. 7") is rewritten when its letters sound like a scale's of
``clinical.toml`` (letter names compared with jellyfish and rapidfuzz), its number is
the scale's and a score is given beside it. A risk statement's words are rewritten
only where the sound is close and the statement's shape is there ("Denize H.I.");
a denial is never made from a word that does not sound like one, nor an affirmation
turned into a denial. Returns edits on the text; ``correct`` applies and records them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .rules import Measure, clinical_rules
from .units import NUMBER_WORDS, ONES

# How similar heard letters must sound to a scale's (0-1, spelling and metaphone ratios of the letter
# names averaged) with its number after them and a score beside it. Chosen on the odd half of
# benchmarks/terms; plain words ("room 9", "grade 7") score under 0.5.
SCALE_NEEDS = 0.68
# A span with words before it wins over the shorter one it ends with if that sounds at most this much closer.
LONGER_MARGIN = 0.08
# A word made "denies" must sound at least this close to it ("Denize" 0.92, "Dennice" 0.88; "the nice" 0.64
# and "endorses" 0.51 stay), and a misheard "suicidal"/"homicidal" this close to the word.
DENIAL_NEEDS = 0.8
# An English word must sound closer still: "Denise" (0.92) may be "denies", "denotes" and "dies" (0.81) not.
COMMON_DENIAL_NEEDS = 0.9
RISK_WORD_NEEDS = 0.8
# How many words after a scale a score may come ("PHQ-9 today was 14").
SCORE_WORDS = 4


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _sequence(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+(?:[.,:]\d+)*")
_STOP = re.compile(r"[.!?;]")
# What may stand inside a scale's spoken name ("G.V.D. 7", "PHQ-9", "pH Q 9").
_INSIDE = re.compile(r"[\s.\-]*")
_LETTER_NAMES = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyz",
        _sequence(
            "ay bee see dee ee ef jee aitch eye jay kay el em "
            "en oh pee cue ar es tee you vee doubleyou ex why zee"
        ),
        strict=True,
    )
)
# A scale's number as said ("9": "nine").
_SAID = dict(enumerate(ONES[:11]))

# Words between a scale and its score ("PHQ-9 of 12", "GAD-7 improved from 16 to 10").
_SCORE_LEAD = _words(
    "of was is at from score scored scores today now improved dropped decreased increased rose fell went "
    "came down up total remains remained"
)
_DENIALS = _words("denies denied denying deny")
_RISK_HEADS = _words("si hi suicidal homicidal self")
_RISK_WORDS = ("suicidal", "homicidal")
_RISK_AFTER = _words("ideation ideations thoughts thought intent")
# Words after "SI"/"HI" that end the risk term ("denies HI or SI", "no SI, plan or intent").
_TERM_ENDS = _words("or and nor")


@dataclass(frozen=True)
class Edit:
    """Heard text ``text[start:end]`` to be written ``written``, and why."""

    start: int
    end: int
    written: str
    reason: str


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    text: str

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def number(self) -> bool:
        return self.text[0].isdigit() or self.lower in NUMBER_WORDS


def heard_edits(text: str, common: frozenset[str]) -> list[Edit]:
    """Scale names and risk words of ``text`` heard wrong, as edits (not overlapping, in order).

    ``common``: lower-case English words (a misheard "suicidal" must be one of the
    few English look-alikes listed here, or not English at all).
    """
    tokens = [_Token(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    edits = [
        *_scale_edits(text, tokens, clinical_rules().measures, common),
        *_risk_edits(text, tokens, common),
    ]
    taken: list[Edit] = []
    for e in sorted(edits, key=lambda e: e.start):
        if not taken or e.start >= taken[-1].end:
            taken.append(e)
    return taken


# --- scales --------------------------------------------------------------------------


def _scale_edits(
    text: str, tokens: list[_Token], measures: tuple[Measure, ...], common: frozenset[str]
) -> list[Edit]:
    """A scale's letters heard as other letters or words, its number after them and a score beside it."""
    edits: list[Edit] = [e for j in range(1, len(tokens)) if (e := _glued_score(text, tokens, j, measures))]
    for j, number in enumerate(tokens):
        if j == 0:
            continue
        after = _score_beside(text, tokens, j)
        fitting = [m for m in measures if m.number and _is_number(number, m.number)]
        if not fitting:
            continue
        best: tuple[float, int, Measure] | None = None
        for k in range(j - 1, max(j - 4, -1), -1):
            if not _joined(text, tokens, k, j) or tokens[k].number:
                break
            heard = tokens[k:j]
            # a word of one or two letters before a dot is spelled too ("Ph.D.")
            spelled = [
                _spelled(t.text, common) or (len(t.text) <= 2 and text[t.end : t.end + 1] == ".")
                for t in heard
            ]
            if not any(spelled) and not any(t.lower == m.letters.lower() for t in heard for m in fitting):
                continue
            if not (after or _scored_before(text, tokens, k)):
                continue
            for m in fitting:
                if not m.number.isdigit() and _upper(heard) != m.letters:
                    continue  # a letter after a scale is weak evidence ("Hide-A"): its letters must be right
                score = _sounds(heard, spelled, m.letters)
                if score >= SCALE_NEEDS and (best is None or score >= best[0] - LONGER_MARGIN):
                    best = (score, k, m)
        if best is None:
            continue
        score, k, m = best
        if _upper(tokens[k:j]) == m.letters.upper() and number.lower in (
            m.number.lower(),
            _SAID.get(int(m.number)) if m.number.isdigit() else None,
        ):
            continue  # said right: the normalizer writes it
        reason = f"sounds like {m.written} ({score:.2f}); a score beside it"
        edits.append(Edit(tokens[k].start, number.end, m.written, reason))
    return edits


def _upper(heard: list[_Token]) -> str:
    """The letters of heard words, in capitals ("G.V.D." -> "GVD")."""
    return re.sub(r"[^A-Z]", "", "".join(t.text for t in heard).upper())


def _glued_score(text: str, tokens: list[_Token], j: int, measures: tuple[Measure, ...]) -> Edit | None:
    """A scale said right with its score run into its number: "PHQ-94" (PHQ-9 4), "PHQ-907" (PHQ-9 of 7).

    A "0" between is "of" heard as a digit. The letters must be the scale's, and the score end the clause.
    """
    number, k = tokens[j], j - 1
    if not (number.text.isdigit() and _joined(text, tokens, k, j) and _term_ends(text, tokens, j)):
        return None
    letters = re.sub(r"[^A-Z]", "", tokens[k].text.upper())
    for m in measures:
        rest = number.text[len(m.number) :]
        if letters == m.letters and m.number.isdigit() and number.text.startswith(m.number) and rest:
            score = f"of {rest[1:]}" if rest[0] == "0" and 2 <= len(rest) <= 3 else rest
            if len(score.removeprefix("of ")) <= 2:
                written = f"{m.written} {score}"
                return Edit(tokens[k].start, number.end, written, f"{m.written} with its score run into it")
    return None


def _is_number(token: _Token, number: str) -> bool:
    """Whether ``token`` is a scale's number: "9" or "nine"; a letter ("C") or a short word said like it."""
    if number.isdigit():
        return token.text == number or token.lower == _SAID.get(int(number))
    if len(number) != 1 or token.text[0].isdigit():
        return False
    return token.lower == number.lower() or (
        len(token.text) <= 4 and _similar(token.lower[:2], _LETTER_NAMES[number.lower()][:2]) >= 0.99
    )


def _joined(text: str, tokens: list[_Token], k: int, j: int) -> bool:
    """Whether tokens ``k``..``j`` stand together as one spoken name (spaces, dots, hyphens between)."""
    for i in range(k, j):
        gap = text[tokens[i].end : tokens[i + 1].start]
        if not _INSIDE.fullmatch(gap) or ("." in gap and not _dotted(tokens[i].text)):
            return False
    return True


def _dotted(word: str) -> bool:
    """Whether a word may have a dot after it inside a spelled name ("G. V. D.", "Ph.D.")."""
    return len(word) <= 2 or (word.isupper() and len(word) <= 4)


def _spelled(word: str, common: frozenset[str]) -> bool:
    """Whether a heard word reads as letters: capitals ("HQ"), one letter, or a short non-word ("pH")."""
    letters = re.sub(r"[^A-Za-z]", "", word)
    return bool(letters) and (
        (letters.isupper() and len(letters) <= 4)
        or len(letters) == 1
        or (len(letters) <= 2 and letters.lower() not in common)
        or any(c.isupper() for c in letters[1:])
    )


def _sounds(heard: list[_Token], spelled: list[bool], letters: str) -> float:
    """How alike heard words (``spelled``: read letter by letter) and a scale's letters sound: letter
    names, or the word said ("audit")."""
    said = letters.lower() if _is_word(letters) else "".join(_LETTER_NAMES[c] for c in letters.lower())
    out = ""
    for t, spell in zip(heard, spelled, strict=True):
        letters_of = re.sub(r"[^a-z]", "", t.lower)
        if spell and not (_is_word(letters) and letters_of == letters.lower()):
            out += "".join(_LETTER_NAMES[c] for c in letters_of)
        else:
            out += letters_of
    return _similar(out, said)


def _is_word(letters: str) -> bool:
    """Whether a scale's letters are said as a word ("AUDIT", "DAST"), not one by one ("PHQ")."""
    return len(letters) >= 4 and any(c in "AEIOU" for c in letters)


def _score_beside(text: str, tokens: list[_Token], j: int) -> bool:
    """Whether a score follows a scale ending at token ``j``: a number next, or "of/was/from ..." then one."""
    after = _same_sentence(text, tokens, j, SCORE_WORDS + 1)
    if not after:
        return False
    return after[0].number or (after[0].lower in _SCORE_LEAD and any(t.number for t in after[1:]))


def _scored_before(text: str, tokens: list[_Token], k: int) -> bool:
    """Whether a scale opening at token ``k`` follows "scored"/"score" in its sentence ("scored 7 on the")."""
    for at in range(k - 1, max(k - 1 - SCORE_WORDS, -1), -1):
        if _STOP.search(text[tokens[at].end : tokens[at + 1].start]):
            return False
        if tokens[at].lower in ("score", "scored", "scores"):
            return True
    return False


def _same_sentence(text: str, tokens: list[_Token], index: int, n: int) -> list[_Token]:
    """Up to ``n`` tokens after ``index`` in its sentence."""
    out: list[_Token] = []
    for at in range(index + 1, min(index + 1 + n, len(tokens))):
        if _STOP.search(text[tokens[at - 1].end : tokens[at].start]):
            break
        out.append(tokens[at])
    return out


# --- risk terms ----------------------------------------------------------------------


def _risk_edits(text: str, tokens: list[_Token], common: frozenset[str]) -> list[Edit]:
    """Risk words heard wrong: the denial verb, "suicidal"/"homicidal", "or" between SI and HI."""
    edits: list[Edit] = []
    for i, token in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) and _joined_loosely(text, tokens, i) else None
        if (
            nxt is not None
            and _heads_term(text, tokens, i + 1)
            and token.lower not in _DENIALS
            and not token.number
        ):
            score = _similar(token.lower, "denies")
            if score >= (COMMON_DENIAL_NEEDS if token.lower in common else DENIAL_NEEDS):
                edits.append(
                    Edit(
                        token.start,
                        token.end,
                        _cased("denies", text, token.start),
                        _said("denies", score, "a risk term"),
                    )
                )
                continue
        edit = _risk_word(text, tokens, i, common) or _risk_letters(text, tokens, i)
        if edit is not None:
            edits.append(edit)
    return edits


def _risk_word(text: str, tokens: list[_Token], i: int, common: frozenset[str]) -> Edit | None:
    """A misheard "suicidal"/"homicidal" (alone, or with a denial) before "ideation"/"thoughts"."""
    after = _same_sentence(text, tokens, i, 2)
    token = tokens[i]
    if after and after[0].lower in _RISK_AFTER and token.lower not in _RISK_WORDS and not token.number:
        if token.lower in common and token.lower not in ("suicide", "homicide"):
            return None
        for word in _RISK_WORDS:
            score = _similar(token.lower, word)
            if score >= RISK_WORD_NEEDS:
                return Edit(token.start, token.end, word, _said(word, score, after[0].text))
        # "Denysu iscital thoughts": the denial and the word run together
        if i > 0 and _joined_loosely(text, tokens, i - 1) and tokens[i - 1].lower not in _DENIALS:
            first = tokens[i - 1]
            for word in _RISK_WORDS:
                score = _similar(first.lower + token.lower, "denies" + word)
                if score >= RISK_WORD_NEEDS and _similar(first.lower, "denies") >= DENIAL_NEEDS:
                    written = _cased(f"denies {word}", text, first.start)
                    return Edit(first.start, token.end, written, _said(written, score, after[0].text))
    if (
        token.lower == "were"
        and 0 < i < len(tokens) - 1
        and _is_head(tokens[i - 1])
        and _is_head(tokens[i + 1])
    ):
        return Edit(token.start, token.end, "or", "between two risk terms")
    return None


def _risk_letters(text: str, tokens: list[_Token], i: int) -> Edit | None:
    """ "SI"/"HI" heard as words right after a denial and ending the term: "denies high.", "No less I."."""
    before = tokens[i - 1].lower if i > 0 and _joined_loosely(text, tokens, i - 1) else ""
    token = tokens[i]
    if before in _DENIALS and token.lower == "high" and _term_ends(text, tokens, i):
        return Edit(token.start, token.end, "HI", f"sounds like HI; after {tokens[i - 1].text}")
    if (
        before in (*_DENIALS, "no")
        and _joined_loosely(text, tokens, i)
        and tokens[i + 1].text == "I"
        and 2 <= len(token.text) <= 4  # "S I" is said right: the normalizer writes it
        and token.lower.endswith("s")
        and _similar(token.lower, "es") >= 0.5
        and _term_ends(text, tokens, i + 1)
    ):
        return Edit(token.start, tokens[i + 1].end, "SI", f"sounds like SI; after {tokens[i - 1].text}")
    return None


def _term_ends(text: str, tokens: list[_Token], i: int) -> bool:
    """Whether a risk term ends at token ``i``: the sentence or clause ends, or "or"/"and" follows."""
    if i + 1 >= len(tokens):
        return True
    gap = text[tokens[i].end : tokens[i + 1].start]
    return bool(re.search(r"[.!?;,]", gap)) or (gap.isspace() and tokens[i + 1].lower in _TERM_ENDS)


def _heads_term(text: str, tokens: list[_Token], i: int) -> bool:
    """Whether a whole risk term opens at token ``i``: "SI"/"H.I." ending the clause, "suicidal ideation",
    "self-harm" (not "SI is her nickname")."""
    token = tokens[i]
    if token.text in ("S", "H") and i + 1 < len(tokens) and tokens[i + 1].text == "I":
        return _term_ends(text, tokens, i + 1)
    if token.lower in ("si", "hi"):
        return _term_ends(text, tokens, i)
    nxt = tokens[i + 1].lower if i + 1 < len(tokens) else ""
    return (token.lower in _RISK_WORDS and nxt in (*_RISK_AFTER, "or")) or (token.lower, nxt) == (
        "self",
        "harm",
    )


def _is_head(token: _Token) -> bool:
    """Whether a word opens a risk term ("SI", "H.I." as "H", "suicidal", "self")."""
    return token.lower in _RISK_HEADS or token.text in ("S", "H")


def _joined_loosely(text: str, tokens: list[_Token], i: int) -> bool:
    """Whether token ``i`` and the next stand in one phrase (only spaces between)."""
    return i + 1 < len(tokens) and text[tokens[i].end : tokens[i + 1].start].isspace()


def _said(written: str, score: float, beside: str) -> str:
    return f"sounds like {written} ({score:.2f}); {beside} follows"


def _cased(word: str, text: str, start: int) -> str:
    """``word`` capitalized at the start of a sentence."""
    if re.search(r"(?:^|[.!?]\s*|\n\s*)$", text[:start]):
        return word[:1].upper() + word[1:]
    return word


def _similar(a: str, b: str) -> float:
    """Spelling and metaphone ratios of two letter strings, averaged (0-1)."""
    import jellyfish
    from rapidfuzz import fuzz

    if not a or not b:
        return 0.0
    return (fuzz.ratio(a, b) + fuzz.ratio(jellyfish.metaphone(a), jellyfish.metaphone(b))) / 200.0
