"""A draft as plain text for ``$EDITOR``, and that text read back into the draft's fields.

Headings (``## Label``) name the fields; the text under each becomes its
sentences. Sentences whose text is unchanged keep how they were placed
(origin, confidence, role); new or reworded text counts as the clinician's
own (confidence 1.0), keeping the word marks still on unchanged words.
Session facts are ``key: value`` lines under ``## Session``.
Plain data in and out; knows nothing of files, editors or the store.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..core.codec import session_from_dict
from ..core.errors import DraftDataError
from ..core.types import Draft, DraftField, NoteFormat, Sentence
from .marks import closest, follow_edit

SESSION_HEADING = "Session"
SESSION_KEYS = ("client", "date", "duration_minutes", "modality", "service_type")
_HEADING = re.compile(r"^##\s+(.+?)\s*$")
# A sentence ends at . ! or ? (optionally closing a quote) followed by space and a capital, digit or quote.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"\u201d]))\s+(?=[\"\u201cA-Z0-9])")


def editable_text(draft: Draft, fmt: NoteFormat, title: str) -> str:
    """The draft as text to edit: a comment header, one heading per field, then session facts."""
    lines = [
        f"<!-- {title}",
        "     Edit the text under each heading; move a sentence by cutting and pasting it under",
        "     another heading. Keep every heading. A blank line starts a new paragraph.",
        "     Save and close the editor to store the change; leave it unchanged to cancel. -->",
        "",
    ]
    for field in draft.fields:
        lines += [f"## {field.label}", "", "\n\n".join(field.paragraphs), ""]
    lines += [f"## {SESSION_HEADING}", ""]
    facts = draft.session.to_dict()
    for key in SESSION_KEYS:
        value = facts[key]
        lines.append(f"{key}: {'' if value is None else value}")
    return "\n".join(lines).rstrip() + "\n"


def _split(paragraph: str) -> list[str]:
    return [p.strip() for p in _SENTENCE_END.split(paragraph.strip()) if p.strip()]


def _sections(text: str, fmt: NoteFormat) -> dict[str, list[str]]:
    by_name = {spec.label.lower(): spec.id for spec in fmt.fields}
    by_name.update({spec.id.lower(): spec.id for spec in fmt.fields})
    by_name[SESSION_HEADING.lower()] = SESSION_HEADING
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _HEADING.match(line)
        if heading:
            name = heading.group(1).strip().rstrip(":").lower()
            if name not in by_name:
                allowed = ", ".join(spec.label for spec in fmt.fields)
                raise DraftDataError(
                    f"line {number}: unknown heading '## {heading.group(1)}'; the {fmt.label} headings are "
                    f"{allowed}, {SESSION_HEADING}"
                )
            current = by_name[name]
            if current in sections:
                raise DraftDataError(f"line {number}: heading '## {heading.group(1)}' appears twice")
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
        elif line.strip():
            raise DraftDataError(f"line {number}: text before the first heading; put it under a heading")
    missing = [spec.label for spec in fmt.fields if spec.id not in sections]
    if missing:
        raise DraftDataError(
            f"heading '## {missing[0]}' is missing; keep every heading (leave the text under it empty "
            "to empty the field)"
        )
    return sections


def _paragraphs(lines: list[str]) -> list[str]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    return [" ".join(b) for b in blocks if b]


def _session(lines: list[str], draft: Draft) -> dict[str, object]:
    facts = dict(draft.session.to_dict())
    for line in lines:
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower().replace(" ", "_")
        if not sep or key not in SESSION_KEYS:
            raise DraftDataError(
                f"session line {line.strip()!r:.60}: use 'key: value' with a key among "
                f"{', '.join(SESSION_KEYS)}"
            )
        facts[key] = value.strip() or None
    return facts


def parse_edited(text: str, draft: Draft, fmt: NoteFormat) -> Draft:
    """The edited text read back into ``draft``'s fields (same format).

    A reworded sentence takes the word marks of the dictated sentence it most
    resembles that still point at unchanged words (``marks.follow_edit``).
    """
    sections = _sections(text, fmt)
    pieces = {
        spec.id: [
            (p > 0 and i == 0, piece)
            for p, paragraph in enumerate(_paragraphs(sections[spec.id]))
            for i, piece in enumerate(_split(paragraph))
        ]
        for spec in fmt.fields
    }
    known: dict[str, list[Sentence]] = {}
    for f in draft.fields:
        for s in f.sentences:
            known.setdefault(s.text, []).append(s)
    found = {
        (field_id, n): known[piece].pop(0)
        for field_id, items in pieces.items()
        for n, (_, piece) in enumerate(items)
        if known.get(piece)
    }
    unused = [s for same in known.values() for s in same]
    fields = []
    for spec in fmt.fields:
        sentences: list[Sentence] = []
        for n, (starts_paragraph, piece) in enumerate(pieces[spec.id]):
            base = found.get((spec.id, n)) or _reworded(piece, unused)
            sentences.append(replace(base, paragraph=starts_paragraph))
        fields.append(DraftField(spec.id, spec.label, tuple(sentences)))
    session = session_from_dict(_session(sections.get(SESSION_HEADING, []), draft))
    return replace(draft, fields=tuple(fields), session=session)


def _reworded(piece: str, unused: list[Sentence]) -> Sentence:
    """A new or reworded sentence: the clinician's own, with the marks of the one it rewords."""
    own = Sentence(text=piece, origin="inferred", confidence=1.0)
    was = closest(piece, [s for s in unused if s.uncertain or s.corrections])
    if was is None:
        return own
    unused.remove(was)
    kept = follow_edit(was, piece)
    return replace(own, uncertain=kept.uncertain, corrections=kept.corrections)
