"""Note formats as data: shipped files, user overrides, validation errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from dictanote.core.config import Config
from dictanote.core.errors import FormatFileError, UnknownFormatError
from dictanote.core.formats import list_formats, load_format, scan_formats
from tests.util import assert_one_line_error, run_cli

# Canonical field ids: the JSON contract in DESIGN.md depends on them.
CANONICAL = {
    "soap": ("subjective", "objective", "assessment", "plan"),
    "dap": ("data", "assessment", "plan"),
    "birp": ("behavior", "intervention", "response", "plan"),
    "girp": ("goal", "intervention", "response", "plan"),
    "pie": ("problem", "intervention", "evaluation"),
    "progress": ("session_focus", "interventions", "client_response", "progress", "risk", "plan"),
    "psychotherapy": ("reflections", "process_observations", "questions"),
}


@pytest.mark.parametrize(("format_id", "field_ids"), sorted(CANONICAL.items()))
def test_formats_shipped_have_canonical_fields(
    config: Config, format_id: str, field_ids: tuple[str, ...]
) -> None:
    fmt = load_format(format_id, config.paths)
    assert fmt.field_ids == field_ids
    assert all(spec.label and spec.cues for spec in fmt.fields)


def test_formats_list_has_every_builtin(config: Config) -> None:
    assert {f.id for f in list_formats(config.paths)} >= set(CANONICAL)


def test_formats_unknown_names_available(config: Config) -> None:
    with pytest.raises(UnknownFormatError, match="no note format 'sopa'; available: birp, dap"):
        load_format("sopa", config.paths)


def _user_format(config: Config, name: str, text: str) -> Path:
    folder = config.paths.config_dir / "formats"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_USER_FORMAT = """
id = "intake"
label = "Intake note"
template = "soap.md.j2"

[[fields]]
id = "history"
label = "History"
cues = ["history"]

[[fields]]
id = "impression"
label = "Impression"
cues = ["impression", "impressions"]
"""


def test_formats_user_file_adds_a_format(config: Config) -> None:
    _user_format(config, "intake", GOOD_USER_FORMAT)
    fmt = load_format("intake", config.paths)
    assert fmt.field_ids == ("history", "impression")
    assert "intake" in {f.id for f in list_formats(config.paths)}


def test_formats_user_file_overrides_shipped(config: Config) -> None:
    _user_format(config, "dap", GOOD_USER_FORMAT.replace('id = "intake"', 'id = "dap"'))
    assert load_format("dap", config.paths).field_ids == ("history", "impression")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id = 'bad'\nlabel = [", "not valid TOML"),
        (
            "id = 'bad'\nlabel = 'B'\ncolour = 'red'\nfields = []",
            "unknown key 'colour'; allowed keys: id, label",
        ),
        ("id = 'bad'\nlabel = 'B'", "missing required key 'fields'"),
        (
            "id = 'other'\nlabel = 'B'\n[[fields]]\nid='x'\nlabel='X'\ncues=['x']",
            "must match the file name 'bad'",
        ),
        ("id = 'bad'\nlabel = 'B'\nfields = []", "'fields' is empty"),
        (
            "id = 'bad'\nlabel = 'B'\n[[fields]]\nid='x'\nlabel='X'\ncues=[]",
            "'cues' must be a list of non-empty strings",
        ),
        (
            "id = 'bad'\nlabel = 'B'\n[[fields]]\nid='X Y'\nlabel='X'\ncues=['x']",
            "must be lower-case",
        ),
        (
            "id = 'bad'\nlabel = 'B'\n[[fields]]\nid='x'\nlabel='X'\ncues=['x']\nrequired='yes'",
            "'required' must be true or false",
        ),
        (
            "id = 'bad'\nlabel = 'B'\n[[fields]]\nid='x'\nlabel='X'\ncues=['x']\n[[fields]]\nid='x'\nlabel='Y'\ncues=['y']",
            "field id 'x' appears twice",
        ),
    ],
)
def test_formats_malformed_file_names_file_and_problem(config: Config, text: str, expected: str) -> None:
    path = _user_format(config, "bad", text)
    with pytest.raises(FormatFileError) as info:
        load_format("bad", config.paths)
    assert str(path) in str(info.value)
    assert expected in str(info.value)
    assert "\n" not in str(info.value).strip()


# --- a format is an id, never a path -------------------------------------------------------

EVIL = GOOD_USER_FORMAT.replace('id = "intake"', 'id = "evil"')


def _evil_files(config: Config) -> dict[str, str]:
    """A valid format file outside every formats directory, and ids that would reach it as paths."""
    outside = config.paths.config_dir / "elsewhere"
    outside.mkdir(parents=True)
    (outside / "evil.toml").write_text(EVIL, encoding="utf-8")
    (config.paths.config_dir / "formats").mkdir(exist_ok=True)
    return {
        "relative": "../elsewhere/evil",
        "absolute": str(outside / "evil"),
        "dotted": "soap/../soap",
        "upper": "SOAP",
        "suffix": "soap.toml",
        "long": "a" * 65,
    }


@pytest.mark.parametrize("kind", ["relative", "absolute", "dotted", "upper", "suffix", "long"])
def test_formats_id_that_is_a_path_is_unknown(config: Config, kind: str) -> None:
    format_id = _evil_files(config)[kind]
    with pytest.raises(UnknownFormatError) as info:
        load_format(format_id, config.paths)
    assert "available: birp, dap, girp, noshow, pie, progress, psychotherapy, soap" in str(info.value)
    assert "never a path" in str(info.value)


@pytest.mark.parametrize("kind", ["relative", "absolute", "dotted"])
def test_formats_cli_segment_refuses_a_path_for_format(config: Config, kind: str) -> None:
    format_id = _evil_files(config)[kind]
    result = run_cli("segment", "-", "--json", "--format", format_id, stdin="Subjective. Slept well.")
    assert_one_line_error(result, 2)  # before: exit 0 and a draft in the evil format
    assert "never a path; available: birp, dap" in result.stderr


# --- one broken user format file ----------------------------------------------------------


def test_formats_broken_user_file_is_reported_and_the_others_load(config: Config) -> None:
    broken = _user_format(config, "broken", "id = 'broken'\nlabel = [")
    _user_format(config, "intake", GOOD_USER_FORMAT)
    scan = scan_formats(config.paths)
    assert {"intake", "soap", "dap"} <= {f.id for f in scan.formats}
    assert "broken" not in {f.id for f in scan.formats}
    assert len(scan.problems) == 1
    assert str(broken) in scan.problems[0] and "not valid TOML" in scan.problems[0]
    assert {f.id for f in list_formats(config.paths)} == {f.id for f in scan.formats}
    with pytest.raises(FormatFileError, match="not valid TOML"):
        load_format("broken", config.paths)


def test_formats_list_logs_each_broken_file_once(config: Config, caplog: pytest.LogCaptureFixture) -> None:
    broken = _user_format(config, "broken", "id = 'broken'\nlabel = [")
    for _ in range(3):  # a review page lists the formats on every request
        assert "soap" in {f.id for f in list_formats(config.paths)}
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and str(broken) in warnings[0] and "skipped" in warnings[0]


def test_formats_user_file_named_not_as_an_id_is_a_problem_not_a_format(config: Config) -> None:
    odd = _user_format(config, "My Notes", GOOD_USER_FORMAT.replace('id = "intake"', 'id = "My Notes"'))
    scan = scan_formats(config.paths)
    assert "My Notes" not in {f.id for f in scan.formats}
    assert len(scan.problems) == 1 and str(odd) in scan.problems[0]
    assert "not a format id" in scan.problems[0]
