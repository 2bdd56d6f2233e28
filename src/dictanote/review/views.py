"""What the review page's templates show: drafts, notes, sentences and findings as plain dicts.

Pure functions of stored values (and the clock, passed in); no store, no HTTP,
no rendering. The documentation window and the low-confidence threshold come
from ``core.policy``, never restated here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from ..app.due import due_draft
from ..core.policy import LATE_HOURS, hours_since, is_uncertain, timeliness
from ..core.types import Correction, DamagedDraft, Draft, Finding, Note, NoteFormat, Sentence, StoredDraft
from ..render import WordPiece, amendment_view, word_pieces
from .edits import sentence_key

RECORD_LABELS = {"clinical": "Clinical record", "private": "Psychotherapy notes (private)"}

# The page's names for where a draft stands in the documentation window (``policy.timeliness``).
AGE_STATES = {"ok": "ok", "due": "near", "late": "late"}


def age(iso: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """A draft's age against the documentation window, and how urgent it is."""
    try:
        exact = max(0.0, hours_since(iso, now))
    except ValueError:
        return {"hours": None, "text": "age unknown", "state": "unknown"}
    hours = int(exact)
    return {
        "hours": hours,
        "text": f"{hours} h of {LATE_HOURS:.0f}",
        "state": AGE_STATES[timeliness(exact)],
    }


def client_url(client_id: str | None) -> str:
    """The client's page (by client id, never initials), or nothing when the draft names no client."""
    return f"/clients/{quote(client_id, safe='')}" if client_id else ""


def date_input_type(date: str | None) -> str:
    """A date picker for ISO dates; plain text otherwise, so that saving never blanks a date."""
    if not date:
        return "date"
    try:
        dt.date.fromisoformat(date)
    except ValueError:
        return "text"
    return "date"


def format_labels(formats: Iterable[NoteFormat]) -> dict[str, str]:
    """Each format's label by id, in the order given."""
    return {f.id: f.label for f in formats}


def word_view(piece: WordPiece) -> dict[str, Any]:
    """A run of a sentence's words as the page marks it: plain, uncertain (how sure) or corrected."""
    mark = piece.mark
    if mark is None:
        return {"text": piece.text, "kind": ""}
    if isinstance(mark, Correction):
        return {
            "text": piece.text,
            "kind": "corrected",
            "original": mark.original,
            "title": f"heard: {mark.original} \u2014 {mark.reason}. Press u (sentence focused) to undo.",
        }
    return {
        "text": piece.text,
        "kind": "uncertain",
        "probability": f"{mark.probability:.2f}",
        "title": f"the transcriber was unsure of these words ({mark.probability:.0%} sure): check them",
    }


def sentence_words(s: Sentence) -> list[dict[str, Any]]:
    """The sentence's words cut at its marks, for the page to show inline (also sent after a save)."""
    return [word_view(p) for p in word_pieces(s)]


def saved_words(draft: Draft) -> dict[str, list[dict[str, Any]]]:
    """Each field's sentences as saved: keys and marked words (the page refreshes its own after a save)."""
    return {
        f.id: [{"key": sentence_key(f.id, i), "words": sentence_words(s)} for i, s in enumerate(f.sentences)]
        for f in draft.fields
    }


def sentence_view(s: Sentence, key: str = "") -> dict[str, Any]:
    """One sentence as the page shows it: its marked words, how it was placed, and whether that was uncertain.

    ``key`` (``<field id>:<index>``) names the stored sentence when the page saves it back.
    """
    return {
        "key": key,
        "text": s.text,
        "words": sentence_words(s),
        "corrections": len(s.corrections),
        "origin": s.origin,
        "confidence": s.confidence,
        "low": is_uncertain(s.confidence),
        "span": f"{s.span[0]},{s.span[1]}" if s.span else "",
        "role": s.role or "",
        "paragraph": s.paragraph,
        "goals": list(s.goals),
    }


def findings_by_field(
    draft: Draft, findings: tuple[Finding, ...]
) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """Findings under the field they name (every field present), and those about the whole draft."""
    ids = {f.id for f in draft.fields}
    per: dict[str, list[dict[str, Any]]] = {f.id: [] for f in draft.fields}
    general = []
    for f in findings:
        if f.field in ids:
            per[f.field].append(f.to_dict())
        else:
            general.append(f.to_dict())
    return per, general


def move_target(record: str, companion: int | None) -> dict[str, str] | None:
    """Where the page offers to move a sentence: the private note, or a private note's clinical draft."""
    if record == "clinical":
        return {"record": "private", "label": "Private note (leaves the clinical record)"}
    return {"record": "clinical", "label": "Clinical draft"} if companion is not None else None


def open_findings(findings: tuple[Finding, ...]) -> list[dict[str, Any]]:
    """What the finalize dialog lists: warnings and errors (as ``drafts finalize`` prints), errors first."""
    order = {"error": 0, "warning": 1}
    found = [f for f in findings if f.severity in order]
    return [f.to_dict() for f in sorted(found, key=lambda f: order[f.severity])]


def draft_fields(draft: Draft, per: Mapping[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The draft page's fields: each with its sentences and its findings."""
    return [
        {
            "id": f.id,
            "label": f.label,
            "sentences": [sentence_view(s, sentence_key(f.id, i)) for i, s in enumerate(f.sentences)],
            "findings": per[f.id],
        }
        for f in draft.fields
    ]


def draft_row(
    stored: StoredDraft, labels: Mapping[str, str], now: dt.datetime, findings: Iterable[Finding] = ()
) -> dict[str, Any]:
    """A draft's line in the inbox: who, which session, when dictated, how it starts, how old, what is open.

    ``findings`` are the checks' on the draft (its warnings and errors are counted). A private
    draft's line never shows its words.
    """
    draft = stored.draft
    due = due_draft(stored, findings, now)
    return {
        "service_date": due.service_date,
        "dictated": due.dictated_local,
        "first_words": due.first_words if stored.record == "clinical" else "",
        "open": due.open_findings,
        "id": stored.id,
        "record": stored.record,
        "url": f"/{stored.record}/drafts/{stored.id}",
        "format": labels.get(draft.format, draft.format),
        "client": draft.session.client or "",
        "client_id": draft.session.client_id or "",
        "client_url": client_url(draft.session.client_id),
        "date": draft.session.date or "",
        "source": stored.source,
        "created_at": stored.created_at,
        "age": age(stored.created_at, now),
        "sentences": sum(len(f.sentences) for f in draft.fields),
        "low": sum(1 for f in draft.fields for s in f.sentences if is_uncertain(s.confidence)),
    }


def damaged_notice(damaged: Mapping[str, Iterable[DamagedDraft]]) -> list[str]:
    """The inbox banner's lines: each damaged draft (by record) that the lists leave out, and why."""
    return [
        f"{record} draft {d.id} is damaged and not listed: {d.problem}."
        for record, found in damaged.items()
        for d in found
    ]


def stored_facts(stored: StoredDraft) -> dict[str, Any]:
    """The draft page's record of the stored draft: id, version, source and times."""
    return {
        "id": stored.id,
        "version": stored.version,
        "source": stored.source,
        "created_at": stored.created_at,
        "updated_at": stored.updated_at,
    }


def note_row(note: Note, labels: Mapping[str, str]) -> dict[str, Any]:
    """A finalized note's line in a list: who, when, signed and amended by whom."""
    content = note.content
    return {
        "id": note.id,
        "url": f"/{note.record}/notes/{note.id}",
        "format": labels.get(content.format, content.format),
        "client": content.session.client or "",
        "client_id": content.session.client_id or "",
        "client_url": client_url(content.session.client_id),
        "date": content.session.date or "",
        "finalized_at": note.finalized_at,
        "signed_by": note.signed_by,
        "amended_at": note.amended_at or "",
    }


def note_fields(content: Draft) -> list[dict[str, Any]]:
    """A note's fields as labelled paragraphs (read-only)."""
    return [{"label": f.label, "paragraphs": f.paragraphs} for f in content.fields]


def amendments(note: Note) -> list[dict[str, Any]]:
    """When, why and by whom a note was amended, what each amendment changed and that text as amended."""
    return [amendment_view(note, n) for n in range(len(note.amendments))]
