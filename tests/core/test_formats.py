"""Note formats as data: shipped files, user overrides, validation errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from dictanote.core.config import Config
from dictanote.core.errors import FormatFileError, UnknownFormatError
from dictanote.core.formats import list_formats, load_format

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
