"""Turn a draft into text: Markdown through Jinja2 templates, or the JSON contract.

Templates are looked up in ``<config dir>/templates/`` first, so a user's file
overrides the shipped one of the same name. The only module that imports
Jinja2; it reads drafts and never changes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from .core.config import Paths, shipped_dir
from .core.errors import NoteTemplateError
from .core.policy import is_uncertain
from .core.types import Draft, DraftField, Finding, Note, NoteFormat, Sentence


def template_dirs(paths: Paths) -> tuple[Path, ...]:
    """Where templates are looked up, the user's first."""
    return (paths.config_dir / "templates", shipped_dir("templates"))


@lru_cache(maxsize=8)
def _environment(dirs: tuple[Path, ...]) -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


# How a placement the segmenter is unsure of (``policy.is_uncertain``) is marked for review.
UNCERTAIN_MARK = "[?]"


def _paragraphs(field: DraftField, marks: bool = True) -> list[str]:
    """The field's paragraphs, each uncertain placement marked for review (drafts only)."""

    def marked(s: Sentence) -> str:
        return f"{s.text} {UNCERTAIN_MARK}" if marks and is_uncertain(s.confidence) else s.text

    return [" ".join(marked(s) for s in group) for group in field.paragraph_groups()]


def render_markdown(
    draft: Draft,
    fmt: NoteFormat,
    paths: Paths,
    private_format: NoteFormat | None = None,
    findings: Sequence[Finding] = (),
) -> str:
    """The draft laid out by its format's template, the checks' findings, then its private note."""
    text = _render_one(draft, fmt, paths)
    if findings:
        text += "\n" + render_findings(findings, heading=True)
    if draft.private is not None:
        text += "\n\n" + _render_one(draft.private, private_format or fmt, paths)
    return text


def render_note(note: Note, fmt: NoteFormat, paths: Paths) -> str:
    """A finalized note as it stands (latest amendment), with its signature and amendments."""
    signature = {
        "signed_by": note.signed_by,
        "finalized_at": note.finalized_at,
        "amendments": [{"at": a.at, "signed_by": a.signed_by, "reason": a.reason} for a in note.amendments],
    }
    return _render_one(note.content, fmt, paths, signature)


def _render_one(draft: Draft, fmt: NoteFormat, paths: Paths, note: dict[str, Any] | None = None) -> str:
    template = _template(fmt.template, paths, f"format {fmt.id!r} ({fmt.source}): template")
    fields = [
        {"id": f.id, "label": f.label, "text": f.text, "paragraphs": _paragraphs(f, marks=note is None)}
        for f in draft.fields
    ]
    try:
        text: str = template.render(
            format={"id": fmt.id, "label": fmt.label},
            fields=fields,
            session=draft.session.to_dict(),
            provenance=f"format {fmt.id}, segmenter {draft.segmenter}",
            uncertain=note is None
            and any(is_uncertain(s.confidence) for f in draft.fields for s in f.sentences),
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
