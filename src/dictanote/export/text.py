"""A signed note as plain text, and the signature lines every export carries.

Plain text is for EHR fields that take no Markdown: no ``#``, ``*`` or ``_``, just
labels, paragraphs and the signature. Reads a ``Note`` and never changes it; knows
nothing of templates (the Markdown export goes through the renderer).
"""

from __future__ import annotations

from ..core.policy import format_local
from ..core.types import Draft, DraftField, Note, NoteFormat
from ..render import amendment_view, client_initials, session_header

__all__ = [
    "NOTHING",
    "amendment_blocks",
    "client_initials",
    "human_time",
    "ordered_fields",
    "render_plain_text",
    "session_lines",
    "signature_lines",
]

NOTHING = "Nothing dictated."  # as the Markdown templates say it


def human_time(value: str) -> str:
    """A store time for people, in local time: ``2025-03-04 11:05 EST`` (``policy.format_local``)."""
    return format_local(value)


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


def session_lines(draft: Draft) -> list[str]:
    """The session header (``render.session_header``), one ``Label: value`` line per stated fact."""
    return [f"{label}: {value}" for label, value in session_header(draft.session)]


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
    signed = [line for line in signature_lines(note) if not line.startswith("Amended by ")]
    blocks.append("\n".join(signed))
    blocks.extend(amendment_blocks(note))
    return "\n\n".join(blocks) + "\n"


def amendment_blocks(note: Note) -> list[str]:
    """The Amendment sections after the note: who, when, why, what changed, and that text as amended."""
    blocks: list[str] = []
    for n in range(len(note.amendments)):
        view = amendment_view(note, n)
        title = f"AMENDMENT {n + 1}" if len(note.amendments) > 1 else "AMENDMENT"
        changed = ", ".join(view["changed"]) or "nothing in the text"
        blocks.append(
            f"{title}\nAmended by {view['signed_by']} on {human_time(view['at'])}.\n"
            f"Reason: {view['reason']}\nChanged: {changed}."
        )
        for f in view["fields"]:
            body = "\n\n".join(p for p in f["paragraphs"] if p.strip()) or NOTHING
            blocks.append(f"{f['label'].upper()}, AS AMENDED\n{body}")
    return blocks
