"""Markdown rendering through templates, and the JSON contract, on hand-built drafts (no model)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import pytest

from dictanote.core.config import Config
from dictanote.core.errors import FormatFileError, NoteTemplateError
from dictanote.core.formats import list_formats, load_format
from dictanote.core.policy import PRIVATE_FORMAT
from dictanote.core.types import Draft, Finding, Note, Sentence, SessionInfo, UncertainWord
from dictanote.render import (
    UNCERTAIN_MARK,
    WordMarkup,
    draft_to_json,
    render_markdown,
    render_note,
    session_header,
    word_pieces,
)
from tests.util import MARKED_TEXT, assert_one_line_error, make_draft, marked_sentence, run_cli

# "Subjective. Client reports better sleep. Objective. Calm and engaged.
#  Assessment. Improving. Plan. Continue CBT."
HEADED_SOAP = {
    "subjective": ["Client reports better sleep."],
    "objective": ["Calm and engaged."],
    "assessment": ["Improving."],
    "plan": ["Continue CBT."],
}


def headed_soap(private: Mapping[str, Sequence[str | Sentence]] | None = None) -> Draft:
    """The headed SOAP draft, optionally with a private companion."""
    return make_draft("soap", HEADED_SOAP, private=private)


def test_render_markdown_shows_every_field_in_order(config: Config) -> None:
    fmt = load_format("soap", config.paths)
    text = render_markdown(headed_soap(), fmt, config.paths)
    positions = [text.index(f"## {label}") for label in ("Subjective", "Objective", "Assessment", "Plan")]
    assert positions == sorted(positions)
    assert "Client reports better sleep." in text
    assert "DRAFT" in text


def test_render_markdown_marks_empty_fields(config: Config) -> None:
    fmt = load_format("dap", config.paths)
    text = render_markdown(make_draft("dap", {"data": ["Arrived on time."]}), fmt, config.paths)
    assert text.count("_Nothing dictated._") == 2


@pytest.mark.parametrize("format_id", ["soap", "dap", "birp", "girp", "pie", "progress", "psychotherapy"])
def test_render_every_shipped_format_renders(config: Config, format_id: str) -> None:
    fmt = load_format(format_id, config.paths)
    draft = make_draft(format_id, {fmt.fields[0].id: ["A sentence."]}, origin="inferred", confidence=0.9)
    text = render_markdown(draft, fmt, config.paths)
    assert all(f"## {spec.label}" in text for spec in fmt.fields)


SESSION = SessionInfo(
    client="Rosa Tell",
    date="2026-11-02",
    duration_minutes=50,
    modality="telehealth",
    service_type="individual",
)
HEADER = (
    "- Client: R.T.\n- Date of service: 2026-11-02\n- Service: individual, 50 minutes\n"
    "- Format / location: telehealth\n"
)


@pytest.mark.parametrize("format_id", ["soap", "dap", "birp", "girp", "pie", "progress", "psychotherapy"])
def test_render_every_format_shows_the_one_session_header(config: Config, format_id: str) -> None:
    fmt = load_format(format_id, config.paths)
    draft = make_draft(format_id, {fmt.fields[0].id: ["A sentence."]}, session=SESSION)
    note = Note(1, "clinical", 1, draft, "2026-11-29T19:09:17Z", "2026-11-29T19:09:17Z", "A. Lee")
    for text in (render_markdown(draft, fmt, config.paths), render_note(note, fmt, config.paths)):
        assert f"\n\n{HEADER}\n## {fmt.fields[0].label}\n" in text
    assert "".join(f"- {label}: {value}\n" for label, value in session_header(SESSION)) == HEADER


@pytest.mark.parametrize(
    ("session", "shown"),
    [
        (SessionInfo(), ()),
        (SessionInfo(duration_minutes=45), ("- Service: 45 minutes",)),
        (
            SessionInfo(client="J.T.", modality="in person"),
            ("- Client: J.T.", "- Format / location: in person"),
        ),
        (SessionInfo(date="2026-11-30", time="09:05"), ("- Date of service: 2026-11-30 09:05",)),
        (
            SessionInfo(date="2026-11-30", attendance="late-cancel", attendance_reason="sick child"),
            (
                "- Date of service: 2026-11-30",
                "- Session did not happen: late cancellation (reason: sick child)",
            ),
        ),
        (SessionInfo(attendance="attended", client_id="mr-1"), ()),  # the client's id stays out of exports
    ],
)
def test_render_session_header_shows_only_stated_facts(
    config: Config, session: SessionInfo, shown: tuple[str, ...]
) -> None:
    fmt = load_format("progress", config.paths)
    text = render_markdown(make_draft("progress", session=session), fmt, config.paths)
    assert tuple(line for line in text.splitlines() if line.startswith("- ")) == shown
    assert "not stated" not in text


@pytest.mark.parametrize(("confidence", "marked"), [(0.3, True), (0.59, True), (0.6, False), (1.0, False)])
def test_render_marks_uncertain_placements_for_review(
    config: Config, confidence: float, marked: bool
) -> None:
    fmt = load_format("soap", config.paths)
    draft = make_draft("soap", {"plan": ["Continue CBT."]}, origin="inferred", confidence=confidence)
    assert (f"Continue CBT. {UNCERTAIN_MARK}" in render_markdown(draft, fmt, config.paths)) is marked


def test_render_findings_most_severe_first(config: Config) -> None:
    fmt = load_format("soap", config.paths)
    findings = [
        Finding("no-risk-statement", None, "info", "No risk statement."),
        Finding("measure-out-of-range", None, "error", "PHQ-9 of 31 is impossible."),
        Finding("field-empty", "plan", "warning", "Plan is empty."),
    ]
    text = render_markdown(headed_soap(), fmt, config.paths, findings=findings)
    checks = text[text.index("## Checks before signing") :]
    assert checks.index("`measure-out-of-range`") < checks.index("`field-empty` (plan)")
    assert checks.index("`field-empty` (plan)") < checks.index("`no-risk-statement`")


def test_render_private_note_follows_the_record(config: Config) -> None:
    fmt = load_format("soap", config.paths)
    private_fmt = load_format(PRIVATE_FORMAT, config.paths)
    draft = headed_soap(private={"reflections": ["I felt protective of her."]})
    text = render_markdown(draft, fmt, config.paths, private_fmt)
    assert text.index("## Plan") < text.index("I felt protective of her.")


def test_render_user_template_overrides_shipped(config: Config) -> None:
    folder = config.paths.config_dir / "templates"
    folder.mkdir(parents=True)
    (folder / "soap.md.j2").write_text("AGENCY {{ format.id }}: {{ fields[0].text }}\n")
    fmt = load_format("soap", config.paths)
    assert render_markdown(headed_soap(), fmt, config.paths) == "AGENCY soap: Client reports better sleep.\n"


def test_render_broken_user_template_is_a_clear_error(config: Config) -> None:
    folder = config.paths.config_dir / "templates"
    folder.mkdir(parents=True)
    (folder / "soap.md.j2").write_text("{% for x in %}\n")
    fmt = load_format("soap", config.paths)
    with pytest.raises(FormatFileError, match="line 1"):
        render_markdown(headed_soap(), fmt, config.paths)


def test_render_json_follows_the_contract(config: Config) -> None:
    fmt = load_format("soap", config.paths)
    finding = Finding("field-empty", "plan", "warning", "Plan is empty", (0, 4))
    data = draft_to_json(headed_soap(), [finding])
    assert set(data) == {"format", "transcript", "fields", "metadata", "findings", "private"}
    assert data["format"] == "soap"
    assert list(data["fields"]) == list(fmt.field_ids)
    for field in data["fields"].values():
        assert set(field) == {"label", "text", "sentences"}
        assert all(
            set(s) == {"text", "origin", "confidence", "uncertain", "corrections"} for s in field["sentences"]
        )
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


def test_render_json_private_note_has_the_same_shape(config: Config) -> None:
    sentence = Sentence("Is the anger covering grief?", "spoken_header", 0.876)
    data = draft_to_json(headed_soap(private={"questions": [sentence]}))
    private = data["private"]
    assert private["format"] == PRIVATE_FORMAT
    assert list(private["fields"]) == list(load_format(PRIVATE_FORMAT, config.paths).field_ids)
    assert private["fields"]["questions"]["sentences"] == [
        {
            "text": "Is the anger covering grief?",
            "origin": "spoken_header",
            "confidence": 0.88,
            "uncertain": [],
            "corrections": [],
        }
    ]


def test_render_shipped_formats_all_have_templates(config: Config) -> None:
    for fmt in list_formats(config.paths):
        render_markdown(make_draft(fmt.id), fmt, config.paths)


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{{ 1/0 }}\n", "line 1: division by zero (ZeroDivisionError)"),
        ("ok\n{{ fields[99].text }}\n", "line 2: list object has no element 99 (UndefinedError)"),
        ("{{ nothing.here }}\n", "line 1: 'nothing' is undefined (UndefinedError)"),
        ("a\nb\n{{ '%d' % 'x' }}\n", "line 3: %d format: a real number is required, not str (TypeError)"),
    ],
)
def test_render_user_template_failing_at_render_is_a_one_line_error(
    config: Config, template: str, problem: str
) -> None:
    folder = config.paths.config_dir / "templates"
    folder.mkdir(parents=True)
    (folder / "soap.md.j2").write_text(template)
    fmt = load_format("soap", config.paths)
    with pytest.raises(NoteTemplateError) as info:
        render_markdown(headed_soap(), fmt, config.paths)
    message = str(info.value)
    assert message.startswith(f"template {folder / 'soap.md.j2'}: ") and problem in message
    assert "\n" not in message and info.value.exit_code == 2


def test_render_cli_user_template_failing_at_render_exits_2(config: Config) -> None:
    folder = config.paths.config_dir / "templates"
    folder.mkdir(parents=True)
    (folder / "soap.md.j2").write_text("{{ 1/0 }}\n")
    result = run_cli("segment", "-", "--format", "soap", stdin="Subjective. Slept well.")
    assert_one_line_error(result, 2)
    assert f"template {folder / 'soap.md.j2'}: line 1: division by zero" in result.stderr


def _marked_soap() -> Draft:
    return make_draft("soap", {**HEADED_SOAP, "plan": [marked_sentence()]})


def test_render_markdown_lists_the_words_to_check_after_their_field(config: Config) -> None:
    text = render_markdown(_marked_soap(), load_format("soap", config.paths), config.paths)
    plan = text[text.index("## Plan") : text.index("---")]
    assert MARKED_TEXT in plan  # the words themselves stay as dictated, ready to copy
    assert '_Check: sertraline (heard "circling": drug name: a dose follows); PHQ (unsure: 31%)._' in plan
    assert '"Check:" lists words' in text  # the legend, once
    clean = render_markdown(headed_soap(), load_format("soap", config.paths), config.paths)
    assert "Check" not in clean


def test_render_markup_wraps_marked_words_inline(config: Config) -> None:
    markup = WordMarkup(uncertain=("<u>", "</u>"), corrected=("<c>", "</c>"))
    text = render_markdown(_marked_soap(), load_format("soap", config.paths), config.paths, markup=markup)
    assert "Continue <c>sertraline</c> 50 mg daily, <u>PHQ</u> nine today." in text


@pytest.mark.parametrize("fmt_id", ["soap", "progress"])
def test_render_note_is_the_clean_text_without_marks(config: Config, fmt_id: str) -> None:
    from dictanote.core.types import Note
    from dictanote.render import render_note

    draft = make_draft(fmt_id, {make_draft(fmt_id).fields[0].id: [marked_sentence()]})
    note = Note(1, "clinical", 1, draft, "2025-03-04T16:05:00Z", "2025-03-04T16:05:00Z", "A. Lee")
    text = render_note(note, load_format(fmt_id, config.paths), config.paths)
    assert MARKED_TEXT in text
    assert "Check" not in text and "heard" not in text


@pytest.mark.parametrize(
    ("sentence", "pieces"),
    [
        (Sentence("No marks here.", "inferred", 1.0), [("No marks here.", None)]),
        (
            marked_sentence(),
            [
                ("Continue ", None),
                ("sertraline", "Correction"),
                (" 50 mg daily, ", None),
                ("PHQ", "UncertainWord"),
                (" nine today.", None),
            ],
        ),
    ],
)
def test_render_word_pieces_cut_a_sentence_at_its_marks(
    sentence: Sentence, pieces: list[tuple[str, str | None]]
) -> None:
    got = word_pieces(sentence)
    assert [(p.text, type(p.mark).__name__ if p.mark else None) for p in got] == pieces
    assert "".join(p.text for p in got) == sentence.text


def test_render_word_pieces_overlapping_marks_keep_the_correction() -> None:
    s = marked_sentence()
    c = s.corrections[0]
    overlapping = UncertainWord(c.start + 2, c.end + 3, MARKED_TEXT[c.start + 2 : c.end + 3], 0.2)
    got = word_pieces(replace(s, uncertain=(overlapping, *s.uncertain)))
    assert [type(p.mark).__name__ for p in got if p.mark] == ["Correction", "UncertainWord"]
