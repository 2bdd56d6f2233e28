"""``export_note``: the signed Markdown layout, never the private companion, psychotherapy only when asked."""

from __future__ import annotations

import base64
import json
from dataclasses import replace

import pytest

from dictanote.core.config import Config
from dictanote.core.errors import RecordNotFoundError
from dictanote.core.types import Sentence
from dictanote.export import export_note
from tests.export.notes import (
    FORMATS,
    assert_valid_document,
    draft_in,
    export_json,
    format_of,
    note_of,
)


@pytest.mark.parametrize("format_id", FORMATS)
def test_document_markdown_is_the_signed_layout(config: Config, format_id: str) -> None:
    fmt = format_of(config, format_id)
    record = "private" if format_id == "psychotherapy" else "clinical"
    draft = draft_in(fmt)
    unsure = replace(draft.fields[0], sentences=(Sentence("Placed by content.", "inferred", 0.2),))
    draft = replace(draft, fields=(unsure, *draft.fields[1:]))
    out = export_note(note_of(draft, record=record), "markdown", config, private=record == "private").text
    assert out.startswith(f"# {fmt.label}\n")
    assert "DRAFT" not in out and "[?]" not in out
    assert "Dr. Ada Lind" in out and "2025-03-04" in out
    assert [line[3:] for line in out.splitlines() if line.startswith("## ")] == [f.label for f in fmt.fields]


def test_document_never_includes_the_private_companion(config: Config) -> None:
    fmt = format_of(config, "soap")
    secret = draft_in(format_of(config, "psychotherapy"), reflections="Countertransference canary zebra.")
    note = note_of(replace(draft_in(fmt), private=secret))
    for kind in ("text", "markdown", "fhir", "fhir-docref"):
        text = export_note(note, kind, config).text  # type: ignore[arg-type]
        decoded = (
            text
            if kind != "fhir-docref"
            else base64.b64decode(json.loads(text)["content"][0]["attachment"]["data"]).decode()
        )
        assert "zebra" not in decoded, kind


@pytest.mark.parametrize("record", ["private", "clinical"])
def test_document_psychotherapy_needs_private(config: Config, record: str) -> None:
    note = note_of(draft_in(format_of(config, "psychotherapy")), record=record)
    with pytest.raises(RecordNotFoundError, match="--private"):
        export_note(note, "text", config)
    assert export_note(note, "text", config, private=True).text


def test_document_survives_a_format_file_that_is_gone(config: Config) -> None:
    fmt = format_of(config, "soap")
    note = note_of(replace(draft_in(fmt), format="agency_intake"))
    assert_valid_document(export_json(note, "fhir", config))
    assert "## Subjective" in export_note(note, "markdown", config).text
