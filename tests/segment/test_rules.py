"""The segmenter's rule files (``segment.rules``): shipped ones load; a bad one names file, key and choices."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dictanote.core.errors import FormatFileError
from dictanote.core.types import ROLES
from dictanote.segment import rules


@pytest.fixture
def rules_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Rules read from ``tmp_path`` instead of the shipped folder (caches cleared around the test)."""
    loaders = (rules.segmenter_rules, rules.role_boosts, rules.abbreviations)
    for loader in loaders:
        loader.cache_clear()
    monkeypatch.setattr(rules, "rules_dir", lambda: tmp_path)
    yield tmp_path
    monkeypatch.undo()
    for loader in loaders:
        loader.cache_clear()


def test_rules_shipped_files_load() -> None:
    headers, commands = rules.segmenter_rules()
    assert "okay" in headers.fillers
    assert all(commands.phrases[name] for name in ("scratch", "private_start", "quote_open"))
    assert all(boost.role in ROLES for boost in rules.role_boosts())
    listed = rules.abbreviations()
    assert {"p.r.n.", "a.m.", "etc."} <= listed.may_end
    assert {"dr.", "e.g.", "approx."} <= listed.never_final
    assert "she" in listed.starters


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[[boost]]\nrole = "gossip"\npattern = "x"\n', "unknown role 'gossip'; roles: client_report"),
        ('[[boost]]\nrole = "plan"\npattern = "("\n', "bad pattern"),
    ],
)
def test_rules_role_boost_errors_name_the_file(rules_in: Path, content: str, message: str) -> None:
    (rules_in / "roles.toml").write_text(content)
    with pytest.raises(FormatFileError, match=r"roles\.toml") as err:
        rules.role_boosts()
    assert message in str(err.value)


def test_rules_unknown_key_in_segmenter_rules_is_named(rules_in: Path) -> None:
    (rules_in / "segmenter.toml").write_text(
        '[headers]\nfillers = ["okay"]\nlead_ins = ["back to"]\n[commands]\nscrach = ["scratch that"]\n'
    )
    with pytest.raises(FormatFileError, match="scrach") as err:
        rules.segmenter_rules()
    assert "segmenter.toml" in str(err.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '[abbreviations]\nnever_final = ["dr"]\nmay_end = []\nsentence_starters = []\n',
            "never_final #1: 'dr' is not an abbreviation",
        ),
        (
            '[abbreviations]\nnever_final = []\nmay_end = ["et al."]\nsentence_starters = []\n',
            "may_end #1: 'et al.' is not an abbreviation",
        ),
        (
            "[abbreviations]\nnever_final = []\nmay_end = []\nsentence_starters = []\nmaybe = []\n",
            "unknown key 'maybe'",
        ),
    ],
)
def test_rules_bad_abbreviation_is_named(rules_in: Path, content: str, message: str) -> None:
    (rules_in / "abbreviations.toml").write_text(content)
    with pytest.raises(FormatFileError, match=r"abbreviations\.toml") as err:
        rules.abbreviations()
    assert message in str(err.value)
