"""The user's vocabulary: shipped replacements, the user's terms and fixes, and bad files refused."""

from __future__ import annotations

import pytest

from dictanote.core.config import Config
from dictanote.core.errors import ConfigError
from dictanote.core.vocabulary import load_vocabulary


def test_vocabulary_shipped_replacements_and_the_users_win(config: Config) -> None:
    shipped = dict(load_vocabulary(config.paths).replacements)
    assert shipped["search line"] == "sertraline" and load_vocabulary(config.paths).terms == ()
    path = config.paths.config_dir / "vocabulary.toml"
    path.parent.mkdir(parents=True)
    path.write_text('terms = [" J.T. "]\n[replace]\n"Search Line" = "Sertraline (user)"\n')
    vocabulary = load_vocabulary(config.paths)
    assert vocabulary.terms == ("J.T.",) and vocabulary.hotwords == "J.T."
    assert dict(vocabulary.replacements)["search line"] == "Sertraline (user)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("terms = 'sertraline'\n", "'terms' must be a list of strings"),
        ("colour = 1\n", "unknown key 'colour'; allowed keys: terms, replace"),
        ("[replace]\n'x' = 3\n", "[replace]: 'x' must be a string"),
    ],
)
def test_vocabulary_bad_file_names_the_problem(config: Config, text: str, expected: str) -> None:
    path = config.paths.config_dir / "vocabulary.toml"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_vocabulary(config.paths)
    assert expected in str(info.value) and str(path) in str(info.value)
