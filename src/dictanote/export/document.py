"""Export a signed note: the one place the export meets the renderer and the note formats.

``export_note`` turns a ``Note`` into text (plain, Markdown) or FHIR JSON. A clinical
note's private companion is never part of its export. Entry points (the CLI, the review
server) call this; it writes nothing and keeps no state.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from ..core.config import Config
from ..core.errors import RecordNotFoundError, UnknownFormatError
from ..core.formats import load_format
from ..core.policy import PRIVATE_FORMAT
from ..core.types import FieldSpec, Note, NoteFormat
from .codes import load_codes
from .fhir import FhirOptions, document_bundle, document_reference
from .kinds import EXPORT_KINDS, ExportKind
from .text import render_plain_text


@dataclass(frozen=True)
class Exported:
    """An exported note: its text, what kind it is, and how to name a file holding it."""

    kind: ExportKind
    text: str
    media_type: str
    suffix: str


def note_format(note: Note, config: Config) -> NoteFormat:
    """The note's format; if its file is gone, one rebuilt from the labels the note itself holds."""
    draft = note.content
    try:
        return load_format(draft.format, config.paths)
    except UnknownFormatError:
        return NoteFormat(
            id=draft.format,
            label=draft.format,
            description="",
            fields=tuple(FieldSpec(id=f.id, label=f.label, cues=(f.id,)) for f in draft.fields),
            template="_note.md.j2",
            source="(the note itself)",
        )


def clinical_only(note: Note) -> Note:
    """The note with no private companion in any version of its content."""
    return dataclasses.replace(
        note,
        original=dataclasses.replace(note.original, private=None),
        amendments=tuple(
            dataclasses.replace(a, content=dataclasses.replace(a.content, private=None))
            for a in note.amendments
        ),
    )


def guard_record(note: Note, *, private: bool) -> None:
    """Refuse a psychotherapy note unless the private record was asked for explicitly."""
    if not private and (note.record == "private" or note.content.format == PRIVATE_FORMAT):
        raise RecordNotFoundError(
            f"no clinical note {note.id}; psychotherapy notes are exported only with --private"
        )


def render_markdown_note(note: Note, fmt: NoteFormat, config: Config) -> str:
    """The note in its format's Markdown layout, signed, without draft banners or review marks."""
    from ..render import render_note

    return render_note(note, fmt, config.paths)


def export_note(
    note: Note,
    kind: ExportKind,
    config: Config,
    *,
    private: bool = False,
    options: FhirOptions | None = None,
) -> Exported:
    """The note exported as ``kind``; a psychotherapy note only when ``private`` is true."""
    guard_record(note, private=private)
    note = clinical_only(note)
    fmt = note_format(note, config)
    if kind == "text":
        return Exported(kind, render_plain_text(note, fmt), "text/plain; charset=utf-8", ".txt")
    if kind == "markdown":
        return Exported(kind, render_markdown_note(note, fmt, config), "text/markdown; charset=utf-8", ".md")
    codes = load_codes()
    if kind == "fhir":
        data = document_bundle(note, fmt, codes, options)
    elif kind == "fhir-docref":
        data = document_reference(note, fmt, codes, render_markdown_note(note, fmt, config), options)
    else:
        raise ValueError(f"unknown export kind {kind!r}; kinds: {', '.join(EXPORT_KINDS)}")
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return Exported(kind, text, "application/fhir+json", ".json")
