"""What the review page sends back, checked and turned into a ``Draft``.

The page posts the fields' sentences (in their new places, with their words
as edited) and the session facts; everything else the draft holds (transcript,
segmenter, measures, the private companion) is kept from the stored draft. Word
marks come from the stored sentence a posted one names by its ``key`` (never from
the page) and follow the edited words (``marks.follow_edit``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..core.codec import draft_from_dict, draft_to_dict
from ..core.errors import DraftDataError
from ..core.policy import PRIVATE_CUT_MARK
from ..core.types import Correction, Draft, DraftField, NoteFormat, Sentence, UncertainWord
from .marks import follow_edit

# Session facts the page lets the clinician edit; the rest come from the dictation.
EDITABLE_FACTS = ("client", "date", "duration_minutes", "modality", "service_type", "measures")
# A score as the page writes and reads it: "PHQ-9 12", or "PHQ-9 17 to 12" with the earlier value.
_SCORE = re.compile(r"([A-Za-z][A-Za-z0-9-]{0,15})\s+(?:(\d{1,3})\s*(?:to|->|→)\s*)?(\d{1,3})")
MAX_SENTENCE_CHARS = 5_000


def expected_version(body: dict[str, Any]) -> int:
    """The version of the draft the page was showing; refused when missing."""
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise DraftDataError("the request must name the draft's version (an integer); reload the page")
    return version


def sentence_key(field_id: str, index: int) -> str:
    """The key the page gives a stored sentence: ``<field id>:<index in the field>`` (one version's)."""
    return f"{field_id}:{index}"


def sentence_keys(draft: Draft) -> dict[str, Sentence]:
    """Each sentence of ``draft`` by its key (``sentence_key``)."""
    return {sentence_key(f.id, i): s for f in draft.fields for i, s in enumerate(f.sentences)}


def joined(sentences: list[Sentence]) -> Sentence:
    """Sentences merged into one, a space between them, each one's word marks on its own words."""
    first, offset = sentences[0], 0
    uncertain: list[UncertainWord] = []
    corrections: list[Correction] = []
    for s in sentences:
        uncertain += [replace(w, start=w.start + offset, end=w.end + offset) for w in s.uncertain]
        corrections += [replace(c, start=c.start + offset, end=c.end + offset) for c in s.corrections]
        offset += len(s.text) + 1
    text = " ".join(s.text for s in sentences)
    return replace(first, text=text, uncertain=tuple(uncertain), corrections=tuple(corrections))


def _before(item: dict[str, Any], stored: dict[str, Sentence]) -> Sentence | None:
    """The stored sentence a posted one came from: its ``key``, or its ``keys`` joined (a merge)."""
    keys = item.get("keys")
    if keys is None:
        key = item.get("key")
        return stored.get(key) if isinstance(key, str) else None
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
        raise DraftDataError("a merged sentence's 'keys' must be a list of sentence keys; reload the page")
    found = [stored[k] for k in keys if k in stored]
    return joined(found) if found else None


def _marks(item: dict[str, Any], text: str, stored: dict[str, Sentence]) -> dict[str, Any]:
    """The word marks of the stored sentence(s) ``item`` names, moved onto its edited ``text`` (else none).

    Split halves name the same key, each keeping the marks on its own words; a merged
    sentence names every key it joined (``keys``), keeping the marks of each.
    """
    before = _before(item, stored)
    if item.get("confirmed") is True:  # the clinician checked the marked words: nothing left to look at
        return {"uncertain": [], "corrections": []}
    kept = follow_edit(before, text) if before is not None else None
    return {
        "uncertain": [w.to_dict() for w in kept.uncertain] if kept else [],
        "corrections": [c.to_dict() for c in kept.corrections] if kept else [],
    }


def _goals(item: dict[str, Any], stored: dict[str, Sentence], claimed: set[str]) -> list[str]:
    """The goal links of a posted sentence that does not send its own ``goals``: those of the stored
    sentence it names (a merge: every joined one's, once each); of a split, the first part keeps them."""
    named = item.get("keys")
    keys: list[Any] = named if isinstance(named, list) else [item.get("key")]
    found: list[str] = []
    for key in keys:
        if isinstance(key, str) and key in stored and key not in claimed:
            claimed.add(key)
            found += [g for g in stored[key].goals if g not in found]
    return found


def _sentences(
    field_id: str, raw: Any, stored: dict[str, Sentence], claimed: set[str] | None = None
) -> list[dict[str, Any]]:
    claimed = set() if claimed is None else claimed
    if not isinstance(raw, list):
        raise DraftDataError(f"field {field_id!r}: 'sentences' must be a list")
    out = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise DraftDataError(f"field {field_id!r}: each sentence must be an object with a 'text' string")
        text = " ".join(item["text"].split())
        if not text:
            continue  # a sentence whose words were all deleted is gone
        if len(text) > MAX_SENTENCE_CHARS:
            raise DraftDataError(
                f"field {field_id!r}: a sentence is longer than {MAX_SENTENCE_CHARS} characters"
            )
        given = {k: v for k, v in item.items() if k not in ("key", "keys", "confirmed")}
        if "goals" not in item:
            given["goals"] = _goals(item, stored, claimed)
        out.append({**given, "text": text, **_marks(item, text, stored)})
    return out


def _check_date(value: Any) -> None:
    try:
        dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise DraftDataError(f"session date must be YYYY-MM-DD, got {str(value)[:20]!r}") from exc


def apply_edit(stored: Draft, body: dict[str, Any]) -> Draft:
    """The stored draft with the page's fields and session facts; DraftDataError names what is wrong."""
    base = draft_to_dict(stored)
    fields_raw = body.get("fields")
    if fields_raw is not None:
        if not isinstance(fields_raw, list):
            raise DraftDataError("'fields' must be a list of {id, sentences}")
        known = [f["id"] for f in base["fields"]]
        given: dict[str, list[dict[str, Any]]] = {}
        stored_sentences = sentence_keys(stored)
        claimed: set[str] = set()  # stored sentences whose goal links a posted one took
        for f in fields_raw:
            if not isinstance(f, dict) or not isinstance(f.get("id"), str):
                raise DraftDataError("each field must be an object with an 'id'")
            if f["id"] not in known:
                raise DraftDataError(
                    f"no field {f['id']!r} in this {stored.format} draft; fields: {', '.join(known)}"
                )
            given[f["id"]] = _sentences(f["id"], f.get("sentences", []), stored_sentences, claimed)
        missing = [k for k in known if k not in given]
        if missing:
            raise DraftDataError(f"the page sent no field {missing[0]!r}; reload the page")
        for f in base["fields"]:
            f["sentences"] = given[f["id"]]
    session_raw = body.get("session")
    if session_raw is not None:
        if not isinstance(session_raw, dict):
            raise DraftDataError("'session' must be an object")
        unknown = sorted(set(session_raw) - set(EDITABLE_FACTS))
        if unknown:
            raise DraftDataError(
                f"session fact {unknown[0]!r} cannot be edited here; editable: {', '.join(EDITABLE_FACTS)}"
            )
        date = session_raw.get("date")
        if date and date != stored.session.date:  # a date kept as it was stored is not re-judged
            _check_date(date)
        if "measures" in session_raw:
            session_raw = {**session_raw, "measures": measures_from_text(session_raw["measures"])}
        base["session"].update(session_raw)
    return draft_from_dict(base)


def measures_from_text(text: object) -> list[dict[str, object]]:
    """Rating-scale scores as the clinician typed them ("PHQ-9 17 to 12; GAD-7 8"), as stored session facts.

    Empty text is no scores; anything else that is not a score is refused in one line.
    """
    if text is None:
        return []
    if not isinstance(text, str):
        raise DraftDataError("scores must be text such as 'PHQ-9 12; GAD-7 17 to 9'")
    found = []
    for part in (p.strip() for p in re.split(r"[;,]", text)):
        if not part:
            continue
        m = _SCORE.fullmatch(part)
        if m is None:
            raise DraftDataError(
                f"a score is written 'PHQ-9 12' or 'PHQ-9 17 to 12', separated by ';' (got {part!r:.40})"
            )
        earlier = int(m.group(2)) if m.group(2) else None
        found.append({"name": m.group(1), "from": earlier, "to": int(m.group(3))})
    return found


# --- moving a sentence to or from the private note --------------------------------------------


def take_sentence(draft: Draft, key: str) -> tuple[Draft, str, Sentence]:
    """``draft`` without the sentence ``key`` names, the field it was in, and the sentence itself."""
    for f in draft.fields:
        for i, s in enumerate(f.sentences):
            if sentence_key(f.id, i) != key:
                continue
            rest = list(f.sentences[:i] + f.sentences[i + 1 :])
            if s.paragraph and 0 < i < len(rest):  # the paragraph it started still starts
                rest[i] = replace(rest[i], paragraph=True)
            fields = tuple(replace(g, sentences=tuple(rest)) if g.id == f.id else g for g in draft.fields)
            return replace(draft, fields=fields), f.id, s
    raise DraftDataError(f"no sentence {key!r} in this draft; reload the page")


def land_sentence(
    draft: Draft, field_id: str | None, sentence: Sentence, words: str | None
) -> tuple[Draft, str]:
    """``draft`` with ``sentence`` at the end of ``field_id`` (default its first), placed by the clinician.

    ``words``: what was dictated for it, added to the transcript (its span points there); None: not added.
    """
    ids = [f.id for f in draft.fields]
    target = field_id if field_id is not None else ids[0]
    if target not in ids:
        raise DraftDataError(f"no field {target!r} in this {draft.format} draft; fields: {', '.join(ids)}")
    transcript, span = draft.transcript, None
    if words:
        start = len(transcript) + 1 if transcript else 0
        transcript = f"{transcript} {words}" if transcript else words
        span = (start, start + len(words))
    placed = replace(sentence, confidence=1.0, span=span, paragraph=False)
    fields = tuple(
        replace(f, sentences=(*f.sentences, placed)) if f.id == target else f for f in draft.fields
    )
    return replace(draft, transcript=transcript, fields=fields), target


def dictated_words(draft: Draft, sentence: Sentence) -> str:
    """What the transcript holds for ``sentence`` (its span), else its own text."""
    if sentence.span and 0 <= sentence.span[0] < sentence.span[1] <= len(draft.transcript):
        return draft.transcript[sentence.span[0] : sentence.span[1]]
    return sentence.text


def _cut_ranges(transcript: str, gone: Sentence) -> list[tuple[int, int]]:
    """Where the transcript holds ``gone``'s words: its span and each verbatim copy of its text."""
    found = [gone.span] if gone.span and 0 <= gone.span[0] < gone.span[1] <= len(transcript) else []
    at = transcript.find(gone.text)
    while gone.text and at >= 0:
        found.append((at, at + len(gone.text)))
        at = transcript.find(gone.text, at + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _shifted(span: tuple[int, int] | None, ranges: list[tuple[int, int]]) -> tuple[int, int] | None:
    if span is None or any(span[0] < end and start < span[1] for start, end in ranges):
        return None
    delta = sum(len(PRIVATE_CUT_MARK) - (end - start) for start, end in ranges if end <= span[0])
    return (span[0] + delta, span[1] + delta)


def _without(s: Sentence, gone: Sentence) -> Sentence | None:
    """An earlier revision's sentence with ``gone``'s words taken out (None: nothing else was in it)."""
    if s.text == gone.text or (gone.span is not None and s.span == gone.span):
        return None
    if gone.text and gone.text in s.text:
        text = " ".join(s.text.replace(gone.text, " ").split())
        return follow_edit(s, text) if text else None
    return s


def forget_sentence(gone: Sentence, *, earlier: bool) -> Callable[[Draft], Draft]:
    """How a clinical draft loses ``gone``'s words: cut from its transcript (``PRIVATE_CUT_MARK`` where
    they were, as the segmenter cuts a private span) and, in an ``earlier`` revision, from its sentences
    (the one at the same span, or with the same words); the other sentences' spans follow the cut.
    """

    def forget(draft: Draft) -> Draft:
        ranges = _cut_ranges(draft.transcript, gone)
        parts, pos = [], 0
        for start, end in ranges:
            parts += [draft.transcript[pos:start], PRIVATE_CUT_MARK]
            pos = end
        transcript = "".join([*parts, draft.transcript[pos:]])
        fields = []
        for f in draft.fields:
            kept = (_without(s, gone) if earlier else s for s in f.sentences)
            sentences = tuple(replace(s, span=_shifted(s.span, ranges)) for s in kept if s is not None)
            fields.append(replace(f, sentences=sentences))
        return replace(draft, transcript=transcript, fields=tuple(fields))

    return forget


def empty_draft(fmt: NoteFormat) -> Draft:
    """A draft of ``fmt`` with every field empty (a private note begun by moving a sentence into it)."""
    return Draft(format=fmt.id, transcript="", fields=tuple(DraftField(s.id, s.label) for s in fmt.fields))
