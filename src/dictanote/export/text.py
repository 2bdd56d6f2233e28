"""A signed note as plain text, and the signature lines every export carries.

Plain text is for EHR fields that take no Markdown: no ``#``, ``*`` or ``_``, just
labels, paragraphs and the signature. Reads a ``Note`` and never changes it; knows
nothing of templates (the Markdown export goes through the renderer).
"""

from __future__ import annotations

import re

from ..core.policy import parse_utc
from ..core.types import Draft, DraftField, Note, NoteFormat

NOTHING = "Nothing dictated."  # as the Markdown templates say it
INITIALS_RE = re.compile(r"^(?:[A-Z]\.?){1,4}$")


def human_time(value: str) -> str:
    """A store time for people: ``2025-03-04 16:05 UTC``."""
    return parse_utc(value).strftime("%Y-%m-%d %H:%M UTC")


def signature_lines(note: Note) -> list[str]:
    """Who signed the note and when, then every amendment with its time, author and reason."""
    lines = [f"Signed by {note.signed_by} on {human_time(note.finalized_at)}."]
    for amendment in note.amendments:
        reason = " ".join(amendment.reason.split())
        lines.append(
            f"Amended by {amendment.signed_by} on {human_time(amendment.at)}"
            + (f": {reason}" if reason else ".")
        )
    if note.amendments:
        lines.append("This is the amended note; the original as first signed is kept in the record.")
    return lines


def client_initials(value: str | None) -> str | None:
    """The client as initials only: ``"J.D."`` stays, ``"Jane Doe"`` becomes ``"J.D."``.

    Session facts are editable, so a full name may have been typed there; only
    initials ever leave dictanote.
    """
    if not value or not value.strip():
        return None
    compact = re.sub(r"\s", "", value)
    if INITIALS_RE.match(compact):
        return compact
    words = re.findall(r"[^\W\d_]+", value)
    return "".join(f"{w[0].upper()}." for w in words[:4]) or None


def session_lines(draft: Draft) -> list[str]:
    """The session facts that were stated, one ``Label: value`` line each."""
    info = draft.session
    service = info.service_type or ""
    if info.duration_minutes:
        service = (
            f"{service}, {info.duration_minutes} minutes" if service else f"{info.duration_minutes} minutes"
        )
    facts = [
        ("Client", client_initials(info.client)),
        ("Date of service", info.date),
        ("Service", service or None),
        ("Format / location", info.modality),
    ]
    return [f"{label}: {value}" for label, value in facts if value]


def ordered_fields(draft: Draft, fmt: NoteFormat) -> list[DraftField]:
    """The note's fields in the format's order; fields the format no longer has come last."""
    order = {field_id: n for n, field_id in enumerate(fmt.field_ids)}
    return sorted(draft.fields, key=lambda f: order.get(f.id, len(order)))


def render_plain_text(note: Note, fmt: NoteFormat) -> str:
    """The note as plain text: title, session facts, one block per field, signature."""
    draft = note.content
    blocks = [fmt.label]
    facts = session_lines(draft)
    if facts:
        blocks.append("\n".join(facts))
    for field in ordered_fields(draft, fmt):
        body = "\n\n".join(p for p in field.paragraphs if p.strip()) or NOTHING
        blocks.append(f"{field.label.upper()}\n{body}")
    blocks.append("\n".join(signature_lines(note)))
    return "\n\n".join(blocks) + "\n"
