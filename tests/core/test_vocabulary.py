"""The user's vocabulary: shipped replacements, the user's terms and fixes, and bad files refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from dictanote.core.config import Config
from dictanote.core.errors import ConfigError, FormatFileError
from dictanote.core.vocabulary import load_lexicon, load_vocabulary, read_medications, shipped_lexicon


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


def test_vocabulary_shipped_lexicon_covers_psychotropics_and_common_medical_drugs() -> None:
    lexicon = shipped_lexicon()
    generics = [m for m in lexicon.medications if m not in lexicon.brands]
    assert len(generics) >= 300 and len(set(generics)) == len(generics)
    for name in (
        "sertraline", "olanzapine", "lamotrigine", "clonazepam", "lisdexamfetamine", "buprenorphine",
        "metformin", "semaglutide", "lisinopril", "atorvastatin", "levothyroxine", "albuterol",
        "omeprazole", "norethindrone", "ibuprofen",
    ):  # fmt: skip
        assert name in generics
    assert {"Zoloft", "Suboxone", "Ozempic"} <= lexicon.brands
    assert {"si", "hi", "phq", "gad", "suicidal", "ideation", "milligrams"} <= lexicon.keep
    assert "certainly" in lexicon.common and "sertraline" not in lexicon.common


def test_vocabulary_lexicon_adds_the_users_terms(config: Config) -> None:
    assert load_lexicon(load_vocabulary(config.paths)).terms == ()
    path = config.paths.config_dir / "vocabulary.toml"
    path.parent.mkdir(parents=True)
    path.write_text('terms = ["Bridgeway", "Kessler Clinic"]\n')
    lexicon = load_lexicon(load_vocabulary(config.paths))
    assert lexicon.terms == ("Bridgeway", "Kessler Clinic")
    assert lexicon.medications == shipped_lexicon().medications


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[medications]\na = ["zolpidem"]\nb = ["Zolpidem"]\n', "repeated name 'Zolpidem'"),
        ('[medications]\na = [" "]\n', "an empty name"),
        (
            '[medications]\na = ["zolpidem"]\n[brands]\nAmbien = "zaleplon"\n',
            "'Ambien' stands for 'zaleplon'",
        ),
        ('[medications]\na = ["zolpidem"]\n[brands]\nzolpidem = "zolpidem"\n', "repeated name 'zolpidem'"),
        ('kept = ["plan"]\n[medications]\n', "unknown key 'kept'"),
        ("keep = []\n", "missing the [medications] table"),
    ],
)
def test_vocabulary_bad_medications_file_names_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "medications.toml"
    path.write_text(text)
    with pytest.raises(FormatFileError) as info:
        read_medications(path)
    assert expected in str(info.value) and str(path) in str(info.value)
