"""What the review page sends back, checked and turned into a ``Draft``.

The page posts the fields' sentences (in their new places, with their words
as edited) and the session facts; everything else the draft holds (transcript,
segmenter, measures, the private companion) is kept from the stored draft. Word
marks come from the stored sentence a posted one names by its ``key`` (never from
the page) and follow the edited words (``marks.follow_edit``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..core.codec import draft_from_dict, draft_to_dict
from ..core.errors import DraftDataError
from ..core.types import Draft, Sentence
from .marks import follow_edit

# Session facts the page lets the clinician edit; the rest come from the dictation.
EDITABLE_FACTS = ("client", "date", "duration_minutes", "modality", "service_type")
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


def _marks(item: dict[str, Any], text: str, stored: dict[str, Sentence]) -> dict[str, Any]:
    """The word marks of the stored sentence ``item`` names, moved onto its edited ``text`` (else none)."""
    key = item.get("key")
    if item.get("confirmed") is True:  # the clinician checked the marked words: nothing left to look at
        return {"uncertain": [], "corrections": []}
    before = stored.get(key) if isinstance(key, str) else None
    kept = follow_edit(before, text) if before is not None else None
    return {
        "uncertain": [w.to_dict() for w in kept.uncertain] if kept else [],
        "corrections": [c.to_dict() for c in kept.corrections] if kept else [],
    }


def _sentences(field_id: str, raw: Any, stored: dict[str, Sentence]) -> list[dict[str, Any]]:
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
        given = {k: v for k, v in item.items() if k not in ("key", "confirmed")}
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
        for f in fields_raw:
            if not isinstance(f, dict) or not isinstance(f.get("id"), str):
                raise DraftDataError("each field must be an object with an 'id'")
            if f["id"] not in known:
                raise DraftDataError(
                    f"no field {f['id']!r} in this {stored.format} draft; fields: {', '.join(known)}"
                )
            given[f["id"]] = _sentences(f["id"], f.get("sentences", []), stored_sentences)
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
        base["session"].update(session_raw)
    return draft_from_dict(base)
