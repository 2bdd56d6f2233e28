"""Turn a draft into text: Markdown through Jinja2 templates, or the JSON contract.

Templates are looked up in ``<config dir>/templates/`` first, so a user's file
overrides the shipped one of the same name. The only module that imports
Jinja2; it reads drafts and never changes them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .core.config import Paths, shipped_dir
from .core.errors import NoteTemplateError
from .core.policy import ATTENDANCE_LABELS, NOT_HELD, format_local, is_uncertain
from .core.types import (
    Correction,
    Draft,
    DraftField,
    Finding,
    Note,
    NoteFormat,
    Sentence,
    SessionInfo,
    UncertainWord,
)


def template_dirs(paths: Paths) -> tuple[Path, ...]:
    """Where templates are looked up, the user's first."""
    return (paths.config_dir / "templates", shipped_dir("templates"))


@lru_cache(maxsize=8)
def _environment(dirs: tuple[Path, ...]) -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["local_time"] = format_local  # {{ note.finalized_at | local_time }}: stored UTC, read local
    return env


_INITIALS_RE = re.compile(r"^(?:[A-Z]\.?){1,4}$")


def client_initials(value: str | None) -> str | None:
    """The client as initials only: ``"J.D."`` stays, ``"Jane Doe"`` becomes ``"J.D."``.

    Session facts are editable, so a full name may have been typed there; only
    initials are ever shown in a note's header or leave dictanote.
    """
    if not value or not value.strip():
        return None
    compact = re.sub(r"\s", "", value)
    if _INITIALS_RE.match(compact):
        return compact
    words = re.findall(r"[^\W\d_]+", value)
    return "".join(f"{w[0].upper()}." for w in words[:4]) or None


def session_header(info: SessionInfo) -> tuple[tuple[str, str], ...]:
    """The one session header of every note, show and export: ``(label, value)`` for each fact stated.

    Client (initials only), date of service, a session that did not happen (with its reason),
    service type with duration, modality; a fact not stated is left out. Markdown lays it out
    with ``_session.md.j2``, plain text as lines.
    """
    service = ", ".join(
        part
        for part in (info.service_type, f"{info.duration_minutes} minutes" if info.duration_minutes else None)
        if part
    )
    missed = None
    if info.attendance in NOT_HELD:
        missed = ATTENDANCE_LABELS.get(info.attendance, info.attendance)
        missed += f" (reason: {info.attendance_reason})" if info.attendance_reason else ""
    facts = (
        ("Client", client_initials(info.client)),
        ("Date of service", f"{info.date} {info.time}" if info.date and info.time else info.date),
        ("Session did not happen", missed),
        ("Service", service or None),
        ("Format / location", info.modality),
    )
    return tuple((label, value) for label, value in facts if value)


# How a placement the segmenter is unsure of (``policy.is_uncertain``) is marked for review.
UNCERTAIN_MARK = "[?]"


@dataclass(frozen=True)
class WordPiece:
    """A run of a sentence's text and the mark on it (``None``: nothing to check there)."""

    text: str
    mark: UncertainWord | Correction | None = None


def word_pieces(sentence: Sentence) -> tuple[WordPiece, ...]:
    """The sentence's text cut at its word marks, in order; where marks overlap, a correction wins."""
    marks: list[UncertainWord | Correction] = [*sentence.corrections, *sentence.uncertain]
    marks.sort(key=lambda m: (m.start, isinstance(m, UncertainWord)))
    text, pieces, at = sentence.text, [], 0
    for mark in marks:
        if mark.start < at or mark.end <= mark.start or mark.end > len(text):
            continue
        if mark.start > at:
            pieces.append(WordPiece(text[at : mark.start]))
        pieces.append(WordPiece(text[mark.start : mark.end], mark))
        at = mark.end
    if at < len(text) or not pieces:
        pieces.append(WordPiece(text[at:]))
    return tuple(pieces)


def check_note(piece: WordPiece) -> str:
    """What to check about a marked word, in words: what was heard and why it was changed, or how sure."""
    if isinstance(piece.mark, Correction):
        return f'{piece.text} (heard "{piece.mark.original}": {piece.mark.reason})'
    if isinstance(piece.mark, UncertainWord):
        return f"{piece.text} (unsure: {piece.mark.probability:.0%})"
    return piece.text


@dataclass(frozen=True)
class WordMarkup:
    """How marked words are wrapped inline: the text put before and after uncertain and corrected words.

    Markdown leaves the words as they are (``PLAIN``) and lists them after their
    field; a terminal wraps them in its highlighting.
    """

    uncertain: tuple[str, str] = ("", "")
    corrected: tuple[str, str] = ("", "")

    def wrap(self, piece: WordPiece) -> str:
        """The piece's text, wrapped as its mark asks."""
        if piece.mark is None:
            return piece.text
        before, after = self.corrected if isinstance(piece.mark, Correction) else self.uncertain
        return f"{before}{piece.text}{after}"


PLAIN = WordMarkup()


def _paragraphs(field: DraftField, marks: bool = True, markup: WordMarkup = PLAIN) -> list[str]:
    """The field's paragraphs, each uncertain placement and marked word shown for review (drafts only)."""

    def marked(s: Sentence) -> str:
        text = "".join(markup.wrap(p) for p in word_pieces(s)) if marks else s.text
        return f"{text} {UNCERTAIN_MARK}" if marks and is_uncertain(s.confidence) else text

    return [" ".join(marked(s) for s in group) for group in field.paragraph_groups()]


def _checks(field: DraftField) -> list[str]:
    """The field's marked words, each with what to check about it (a draft's review aid, never a note's)."""
    return [check_note(p) for s in field.sentences for p in word_pieces(s) if p.mark is not None]


def render_markdown(
    draft: Draft,
    fmt: NoteFormat,
    paths: Paths,
    private_format: NoteFormat | None = None,
    findings: Sequence[Finding] = (),
    markup: WordMarkup = PLAIN,
) -> str:
    """The draft laid out by its format's template, the checks' findings, then its private note.

    Words to check (uncertain, corrected) are listed after their field, and wrapped inline as
    ``markup`` says (a terminal's highlighting; Markdown leaves them as they are).
    """
    text = _render_one(draft, fmt, paths, markup=markup)
    if findings:
        text += "\n" + render_findings(findings, heading=True)
    if draft.private is not None:
        text += "\n\n" + _render_one(draft.private, private_format or fmt, paths, markup=markup)
    return text


def render_note(note: Note, fmt: NoteFormat, paths: Paths) -> str:
    """A finalized note as it stands (latest amendment), with its signature and amendments."""
    signature = {
        "signed_by": note.signed_by,
        "finalized_at": note.finalized_at,
        "amendments": [amendment_view(note, n) for n in range(len(note.amendments))],
    }
    return _render_one(note.content, fmt, paths, signature)


def amendment_view(note: Note, index: int) -> dict[str, Any]:
    """Amendment ``index`` as the note's Amendment section shows it: when (UTC as stored), who, why,
    what it changed (field labels, and "Session facts"), and the changed fields' text as amended."""
    amendment = note.amendments[index]
    before = note.amendments[index - 1].content if index else note.original
    fields = note.amended_fields(index)
    changed = [f.label for f in fields]
    if before.session != amendment.content.session:
        changed.append("Session facts")
    return {
        "at": amendment.at,
        "signed_by": amendment.signed_by,
        "reason": " ".join(amendment.reason.split()),
        "changed": changed,
        "fields": [{"id": f.id, "label": f.label, "paragraphs": f.paragraphs} for f in fields],
    }


def _render_one(
    draft: Draft,
    fmt: NoteFormat,
    paths: Paths,
    note: dict[str, Any] | None = None,
    markup: WordMarkup = PLAIN,
) -> str:
    template = _template(fmt.template, paths, f"format {fmt.id!r} ({fmt.source}): template")
    review = note is None  # a draft shows what to check; a signed note is the clean text
    fields = [
        {
            "id": f.id,
            "label": f.label,
            "text": f.text,
            "paragraphs": _paragraphs(f, marks=review, markup=markup),
            "checks": _checks(f) if review else [],
        }
        for f in draft.fields
    ]
    try:
        text: str = template.render(
            format={"id": fmt.id, "label": fmt.label},
            fields=fields,
            session=draft.session.to_dict(),
            session_header=session_header(draft.session),
            provenance=f"format {fmt.id}, segmenter {draft.segmenter}",
            uncertain=review and any(is_uncertain(s.confidence) for f in draft.fields for s in f.sentences),
            word_checks=any(f["checks"] for f in fields),
            note=note,
            uncertain_mark=UNCERTAIN_MARK,
        )
    except Exception as exc:  # a user's template may raise anything ({{ 1/0 }}): one line, exit 2
        raise _failed(exc, template) from exc
    return text.strip() + "\n"


def _template(name: str, paths: Paths, what: str) -> Any:
    """The Jinja2 template ``name`` (user's first); ``NoteTemplateError`` if missing or malformed."""
    import jinja2

    try:
        return _environment(template_dirs(paths)).get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        raise NoteTemplateError(
            f"template {exc.filename or name}: line {exc.lineno}: {_one_line(exc.message or str(exc))}"
        ) from exc
    except jinja2.TemplateNotFound as exc:
        raise NoteTemplateError(
            f"{what} {name!r} not found in {', '.join(str(d) for d in template_dirs(paths))}"
        ) from exc


def _failed(exc: Exception, template: Any) -> NoteTemplateError:
    """What went wrong while ``template`` rendered: its file, the line in it, the problem, on one line."""
    filename = template.filename or template.name
    line = None
    frame = exc.__traceback__
    while frame is not None:  # Jinja2 rewrites the stack so that template lines show as frames
        if frame.tb_frame.f_code.co_filename == filename:
            line = frame.tb_lineno
        frame = frame.tb_next
    at = f"line {line}: " if line else ""
    return NoteTemplateError(
        f"template {filename}: {at}{_one_line(str(exc)) or 'failed'} ({type(exc).__name__})"
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render_findings(findings: Sequence[Finding], heading: bool = False) -> str:
    """Findings as a Markdown list, most severe first."""
    order = {"error": 0, "warning": 1, "info": 2}
    lines = ["## Checks before signing", ""] if heading else []
    for f in sorted(findings, key=lambda f: order.get(f.severity, 3)):
        where = f" ({f.field})" if f.field else ""
        lines.append(f"- **{f.severity}** `{f.code}`{where}: {f.message}")
    return "\n".join(lines) + "\n"


def _fields_json(draft: Draft) -> dict[str, Any]:
    return {
        f.id: {
            "label": f.label,
            "text": f.text,
            "sentences": [s.to_dict() for s in f.sentences],
        }
        for f in draft.fields
    }


def draft_to_json(draft: Draft, findings: Sequence[Finding] = ()) -> dict[str, Any]:
    """The ``segment``/``draft --json`` contract of DESIGN.md."""
    private = None
    if draft.private is not None:
        private = {"format": draft.private.format, "fields": _fields_json(draft.private)}
    return {
        "format": draft.format,
        "transcript": draft.transcript,
        "fields": _fields_json(draft),
        "metadata": {**draft.session.to_dict(), "segmenter": draft.segmenter},
        "findings": [f.to_dict() for f in findings],
        "private": private,
    }


def render_page(template: str, context: dict[str, Any], paths: Paths) -> str:
    """An HTML page of the review server (``templates/review/*.html``), every value escaped."""
    page = _template(template, paths, "page template")
    try:
        text: str = page.render(**context)
    except Exception as exc:  # a user's override of a page may raise anything: one line, never a traceback
        raise _failed(exc, page) from exc
    return text
