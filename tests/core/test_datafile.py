"""The one TOML loader: every data file is checked against a schema with one-line errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dictanote.core.datafile import MAX_NESTING, ListOf, Table, load_table
from dictanote.core.errors import ConfigError, FormatFileError

SCHEMA = Table(
    {
        "id": str,
        "weight": (int, float),
        "on": bool,
        "words": ListOf(str),
        "items": ListOf(Table({"name": str, "count": int}, required=("name",))),
        "map": Table(any_key=str),
        "inner": Table({"deep": Table({"x": int})}),
    },
    required=("id",),
)


def _load(tmp_path: Path, text: str) -> dict[str, object]:
    path = tmp_path / "data.toml"
    path.write_text(text, encoding="utf-8")
    return load_table(path, SCHEMA, what="rules file")


def test_datafile_good_file_is_returned_as_parsed(tmp_path: Path) -> None:
    raw = _load(
        tmp_path,
        'id = "a"\nweight = 2\non = true\nwords = ["x"]\n[[items]]\nname = "n"\ncount = 3\n'
        '[map]\n"any key" = "v"\n[inner.deep]\nx = 1\n',
    )
    assert raw == {
        "id": "a",
        "weight": 2,
        "on": True,
        "words": ["x"],
        "items": [{"name": "n", "count": 3}],
        "map": {"any key": "v"},
        "inner": {"deep": {"x": 1}},
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'id = "a"\ncolour = 1\n',
            ": unknown key 'colour'; allowed keys: id, weight, on, words, items, map, inner",
        ),
        ("weight = 1\n", ": missing required key 'id'"),
        ("id = 3\n", ": 'id' must be a string, got int"),
        ('id = "a"\nweight = "heavy"\n', ": 'weight' must be an integer or a number, got str"),
        ('id = "a"\nweight = true\n', ": 'weight' must be an integer or a number, got bool"),
        ('id = "a"\non = 1\n', ": 'on' must be true or false, got int"),
        ('id = "a"\nwords = "x"\n', ": 'words' must be a list of strings, got str"),
        ('id = "a"\nwords = ["x", 2]\n', ": 'words #2' must be a string, got int"),
        ('id = "a"\n[[items]]\ncount = 1\n', " [items #1]: missing required key 'name'"),
        (
            'id = "a"\n[[items]]\nname = "n"\nsize = 1\n',
            " [items #1]: unknown key 'size'; allowed keys: name, count",
        ),
        ('id = "a"\nitems = ["n"]\n', ": 'items #1' must be a table, got str"),
        ('id = "a"\n[map]\nk = 1\n', " [map]: 'k' must be a string, got int"),
        ('id = "a"\nmap = 1\n', ": 'map' must be a table, got int"),
        ('id = "a"\n[inner.deep]\ny = 1\n', " [inner.deep]: unknown key 'y'; allowed keys: x"),
        ('id = "a\n', ": not valid TOML"),
        (
            "id = " + "[" * 1000 + "]" * 1000 + "\n",
            f": arrays or tables nested deeper than {MAX_NESTING} (line 1)",
        ),
        (
            'id = "a"\n\nmap = ' + "{a = " * 1000 + "1" + "}" * 1000,
            f"nested deeper than {MAX_NESTING} (line 3)",
        ),
        # a quote just before the closing three belongs to the text: what follows it is counted
        ('id = "a"\nwords = ["""x"""", ' + "[" * 40 + "]" * 40 + "]", f"deeper than {MAX_NESTING} (line 2)"),
        ("id = 'a'\nwords = ['''x'''', " + "[" * 40 + "]" * 40 + "]", f"deeper than {MAX_NESTING} (line 2)"),
        (
            'id = "a"\nweight = ' + "9" * 5000 + "\n",
            f": a number has more than {sys.get_int_max_str_digits()} digits",
        ),
    ],
)
def test_datafile_refuses_with_one_line_naming_file_place_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(FormatFileError) as err:
        _load(tmp_path, text)
    assert str(err.value).startswith(f"rules file {tmp_path / 'data.toml'}")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_datafile_brackets_in_strings_and_comments_are_not_nesting(tmp_path: Path) -> None:
    deep = "[{" * MAX_NESTING
    basic, literal = '"""', "'''"
    raw = _load(
        tmp_path,
        f'id = "{deep}\\"]"  # {deep}\n# {deep}\n'
        f"words = ['{deep}', {basic}\n{deep}{basic}\"\", {literal}{deep}]{literal}]\n",
    )
    assert raw["id"] == deep + '"]'
    assert raw["words"] == [deep, f'{deep}""', deep + "]"]


def test_datafile_missing_table_is_named_as_a_table(tmp_path: Path) -> None:
    path = tmp_path / "codes.toml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(FormatFileError, match=r"missing the \[document\] table"):
        load_table(path, Table({"document": Table({"code": str})}, required=("document",)), what="codes file")


def test_datafile_error_class_is_the_callers(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("x = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config file .*unknown key 'x'"):
        load_table(path, Table({"y": int}), what="config file", error=ConfigError)


def test_datafile_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(FormatFileError, match="cannot read it"):
        load_table(tmp_path / "missing.toml", SCHEMA, what="rules file")
    (tmp_path / "bytes.toml").write_bytes(b"\xff\xfe")
    with pytest.raises(FormatFileError, match="cannot read it"):
        load_table(tmp_path / "bytes.toml", SCHEMA, what="rules file")


def test_datafile_every_data_file_uses_the_one_loader() -> None:
    """No module but the loader parses TOML: the six readers all go through ``load_table``."""
    import dictanote

    package = Path(dictanote.__file__).parent
    readers = sorted(
        str(p.relative_to(package))
        for p in package.rglob("*.py")
        if "tomllib" in p.read_text(encoding="utf-8") and p.name != "datafile.py"
    )
    assert readers == []
