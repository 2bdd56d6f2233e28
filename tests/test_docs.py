"""The README documents every command, every setting and every finding code (datasette's test_docs).

A command counts as documented when the README names it in code, ``dictanote drafts
list`` or grouped as ``dictanote drafts list|show|edit``; a setting when it has a row in
the settings table; a finding code when it has a row in the findings table.
"""

from __future__ import annotations

import re
from dataclasses import fields

import click
import pytest

from dictanote.check import finding_codes
from dictanote.cli.root import cli
from dictanote.core.config import Settings
from tests.util import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
TABLE_ROWS = [line for line in README.splitlines() if line.startswith("|")]


def _commands(group: click.Command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path] if path else []
    if isinstance(group, click.Group):
        for name, command in sorted(group.commands.items()):
            found += _commands(command, (*path, name))
    return found


def _documented(path: tuple[str, ...]) -> bool:
    """``dictanote`` and each word of ``path`` in code, a word possibly among ``a|b|c`` alternatives."""
    words = [rf"(?:[\w-]+\|)*{re.escape(word)}(?:\|[\w-]+)*(?![\w-])" for word in path]
    return re.search(r"`dictanote " + " ".join(words), README) is not None


@pytest.mark.parametrize("path", _commands(cli), ids=" ".join)
def test_docs_readme_names_every_command(path: tuple[str, ...]) -> None:
    assert _documented(path), f"README.md does not document `dictanote {' '.join(path)}`"


@pytest.mark.parametrize("name", [f.name for f in fields(Settings)])
def test_docs_readme_has_a_row_for_every_setting(name: str) -> None:
    assert any(row.startswith(f"| `{name}` |") for row in TABLE_ROWS), (
        f"README.md's settings table has no row for `{name}`"
    )


@pytest.mark.parametrize("code", sorted(finding_codes()))
def test_docs_readme_has_a_row_for_every_finding_code(code: str) -> None:
    assert any(f"`{code}`" in row for row in TABLE_ROWS), (
        f"README.md's findings table has no row for `{code}`"
    )


def test_docs_command_pattern_is_not_fooled() -> None:
    assert _documented(("drafts", "show")) and _documented(("notes", "export"))
    assert not _documented(("drafts", "sh")) and not _documented(("nosuchcommand",))
