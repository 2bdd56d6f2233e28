"""Markdown rendering through templates, and the JSON contract."""

from __future__ import annotations

import pytest

from dictanote.core.config import Config
from dictanote.core.errors import FormatFileError
from dictanote.core.formats import list_formats, load_format
from dictanote.core.types import Finding
from dictanote.render import draft_to_json, render_markdown
from dictanote.segment import segment_transcript

HEADED_SOAP = (
    "Subjective. Client reports better sleep. Objective. Calm and engaged. "
    "Assessment. Improving. Plan. Continue CBT."
)


def test_render_markdown_shows_every_field_in_order(config: Config) -> None:
    fmt = load_format("soap", config.paths)
    text = render_markdown(segment_transcript(HEADED_SOAP, fmt), fmt, config.paths)
    positions = [text.index(f"## {label}") for label in ("Subjective", "Objective", "Assessment", "Plan")]
    assert positions == sorted(positions)
    assert "Client reports better sleep." in text
    assert "DRAFT" in text


def test_render_markdown_marks_empty_fields(config: Config) -> None:
    fmt = load_format("dap", config.paths)
    text = render_markdown(segment_transcript("Data. Arrived on time.", fmt), fmt, config.paths)
    assert text.count("_Nothing dictated._") == 2


@pytest.mark.parametrize("format_id", ["soap", "dap", "birp", "girp", "pie", "progress", "psychotherapy"])
def test_render_every_shipped_format_renders(config: Config, format_id: str) -> None:
    fmt = load_format(format_id, config.paths)
    text = render_markdown(segment_transcript("A sentence.", fmt), fmt, config.paths)
    assert all(f"## {spec.label}" in text for spec in fmt.fields)


def test_render_progress_shows_session_facts(config: Config) -> None:
    fmt = load_format("progress", config.paths)
    text = render_markdown(segment_transcript("", fmt), fmt, config.paths)
    for label in (
        "Client:",
        "Date of service:",
        "Service type and duration:",
        "Format / location:",
    ):
        assert label in text


def test_render_user_template_overrides_shipped(config: Config) -> None:
    folder = config.paths.config_dir / "templates"
    folder.mkdir(parents=True)
    (folder / "soap.md.j2").write_text("AGENCY {{ format.id }}: {{ fields[0].text }}\n")
    fmt = load_format("soap", config.paths)
    assert render_markdown(segment_transcript(HEADED_SOAP, fmt), fmt, config.paths) == (
        "AGENCY soap: Client reports better sleep.\n"
    )


def test_render_broken_user_template_is_a_clear_error(config: Config) -> None:
    folder = config.paths.config_dir / "templates"
    folder.mkdir(parents=True)
    (folder / "soap.md.j2").write_text("{% for x in %}\n")
    fmt = load_format("soap", config.paths)
    with pytest.raises(FormatFileError, match="line 1"):
        render_markdown(segment_transcript(HEADED_SOAP, fmt), fmt, config.paths)


def test_render_json_follows_the_contract(config: Config) -> None:
    fmt = load_format("soap", config.paths)
    draft = segment_transcript(HEADED_SOAP, fmt)
    finding = Finding("field-empty", "plan", "warning", "Plan is empty", (0, 4))
    data = draft_to_json(draft, [finding])
    assert set(data) == {"format", "transcript", "fields", "metadata", "findings", "private"}
    assert data["format"] == "soap"
    assert list(data["fields"]) == list(fmt.field_ids)
    for field in data["fields"].values():
        assert set(field) == {"label", "text", "sentences"}
        assert all(set(s) == {"text", "origin", "confidence"} for s in field["sentences"])
    assert data["findings"] == [
        {
            "code": "field-empty",
            "field": "plan",
            "severity": "warning",
            "message": "Plan is empty",
            "span": [0, 4],
        }
    ]
    assert data["private"] is None


def test_render_shipped_formats_all_have_templates(config: Config) -> None:
    for fmt in list_formats(config.paths):
        render_markdown(segment_transcript("", fmt), fmt, config.paths)
