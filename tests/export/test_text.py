"""Plain-text export: no Markdown left, the client as initials only."""

from __future__ import annotations

import pytest

from dictanote.core.config import Config
from dictanote.export import export_note
from dictanote.export.text import client_initials
from tests.export.notes import (
    FORMATS,
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
