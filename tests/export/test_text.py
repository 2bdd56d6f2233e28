"""Plain-text export: no Markdown left, the client as initials only, the one session header."""

from __future__ import annotations

import pytest

from dictanote.core.config import Config
from dictanote.export import export_note
from dictanote.export.kinds import ExportKind
from dictanote.export.text import client_initials, human_time, session_lines
from tests.export.notes import (
    AMENDED_AT,
    FORMATS,
    amended_note,
    draft_in,
    format_of,
    note_of,
    sentence_for,
)


@pytest.mark.parametrize("format_id", FORMATS)
def test_text_plain_text_has_no_markdown(config: Config, format_id: str) -> None:
    fmt = format_of(config, format_id)
    record = "private" if format_id == "psychotherapy" else "clinical"
    draft = draft_in(fmt, empty=(fmt.fields[-1].id,))
    out = export_note(note_of(draft, record=record), "text", config, private=record == "private").text
    assert out.splitlines()[0] == fmt.label
    for spec in fmt.fields[:-1]:
        assert f"{spec.label.upper()}\n{sentence_for(spec.id)}" in out
    assert f"{fmt.fields[-1].label.upper()}\nNothing dictated." in out
    assert "Client: R.T.\nDate of service: 2025-03-04" in out
    assert out.rstrip().endswith("Signed by Dr. Ada Lind on 2025-03-04 16:05 UTC.")
    for syntax in ("#", "**", "_", "[?]", "---", "DRAFT"):
        assert syntax not in out, syntax


@pytest.mark.parametrize(
    ("given", "initials"),
    [
        ("R.T.", "R.T."),
        ("RT", "RT"),
        ("Rosa Tell", "R.T."),
        ("rosa maria tell", "R.M.T."),
        (None, None),
        ("", None),
    ],
)
def test_text_client_leaves_as_initials_only(given: str | None, initials: str | None) -> None:
    assert client_initials(given) == initials


@pytest.mark.parametrize(
    ("kind", "heading", "field"),
    [("text", "AMENDMENT", "PLAN, AS AMENDED"), ("markdown", "## Amendment", "### Plan, as amended")],
)
def test_text_amendment_section_follows_the_note(
    config: Config, kind: ExportKind, heading: str, field: str
) -> None:
    out = export_note(amended_note(config), kind, config).text
    body, section = out.split(f"\n{heading}\n", 1)
    assert "Meet again next week & call on Friday." in body and "Signed by Dr. Ada Lind" in body
    assert "Plan <changed>" not in body  # the reason belongs to the amendment, after the note
    assert f"Amended by Dr. Ada Lind {'on' if kind == 'text' else 'at'} {human_time(AMENDED_AT)}." in section
    assert "Reason: Plan <changed> after a call" in section and "Changed: Plan." in section
    assert f"{field}\n" in section
    assert section.rstrip().endswith("Meet again next week & call on Friday.")


HEADER = (
    "Client: R.T.",
    "Date of service: 2025-03-04",
    "Service: 50 minutes",
    "Format / location: telehealth",
)


@pytest.mark.parametrize("format_id", FORMATS)
@pytest.mark.parametrize(("kind", "bullet"), [("text", ""), ("markdown", "- ")])
def test_text_every_export_carries_the_one_session_header(
    config: Config, format_id: str, kind: ExportKind, bullet: str
) -> None:
    fmt = format_of(config, format_id)
    private = format_id == "psychotherapy"
    note = note_of(draft_in(fmt), record="private" if private else "clinical")
    out = export_note(note, kind, config, private=private).text
    assert "\n".join(f"{bullet}{line}" for line in HEADER) in out
    assert session_lines(note.content) == list(HEADER)
