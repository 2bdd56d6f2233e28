"""Clinical terms written as clinicians write them (``segment.normalize``), and the user's replacements."""

from __future__ import annotations

import pytest

from dictanote.core.config import Config
from dictanote.core.vocabulary import load_vocabulary
from dictanote.segment.normalize import build_normalizer
from dictanote.segment.rules import clinical_rules
from tests.util import segment_text


@pytest.mark.parametrize(
    ("raw", "written"),
    [
        ("Denies S I and H I.", "Denies SI and HI."),
        # a dotted acronym's last dot ends its sentence before a capital, not inside one
        ("Denies SI and H.I. PHQ-9 today was 14.", "Denies SI and HI. PHQ-9 today was 14."),
        ("The P.D.M.P. was checked.", "The PDMP was checked."),
        # written initials stay as spoken; dotted letters become an acronym only when it is a clinical one
        ("Referred by J.T. Ortiz today.", "Referred by J.T. Ortiz today."),
        ("Client J.T. seen today.", "Client J.T. seen today."),
        ("Client J. T. seen today.", "Client J. T. seen today."),
        ("Seen with K.L.M. at home. She is calm.", "Seen with K.L.M. at home. She is calm."),
        ("Client J.T. She slept.", "Client J.T. She slept."),
        ("The U.D.S. was clean.", "The UDS was clean."),
        ("Tylenol P.R.N. Pain is mild now.", "Tylenol PRN. Pain is mild now."),
        ("She saw Dr. Y. I agreed with it.", "She saw Dr. Y. I agreed with it."),  # "I", the pronoun
        ("P D M P checked.", "PDMP checked."),
        ("pH Q 9 score today is 9.", "PHQ-9 score today is 9."),
        ("GAD seven of eleven.", "GAD-7 of eleven."),
        ("PCL five was 38.", "PCL-5 was 38."),
        ("Her audit C was 4.", "Her AUDIT-C was 4."),
        ("Started CBT I for insomnia.", "Started CBT-I for insomnia."),
        ("Continue search line 100 milligrams.", "Continue sertraline 100 milligrams."),
        ("Denyse SI, 50-minute session in person.", "Denies SI, 50-minute session in person."),
        ("Denyse, her sister, visited.", "Denyse, her sister, visited."),
        ("We did C B T and suds ratings.", "We did CBT and SUDS ratings."),
        ("Act on it and say hi.", "Act on it and say hi."),
        ("I A m fine.", "I A m fine."),
    ],
)
def test_normalize_clinical_terms(config: Config, raw: str, written: str) -> None:
    normalize = build_normalizer(clinical_rules(), load_vocabulary(config.paths).replacements)
    assert normalize(raw) == written


def test_normalize_user_vocabulary_replacements_reach_the_draft(config: Config) -> None:
    path = config.paths.config_dir / "vocabulary.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('terms = ["Bright Futures"]\n[replace]\n"bright future\'s" = "Bright Futures"\n')
    draft = segment_text("Plan. Refer to bright future's program.")
    assert draft.field("plan").text == "Refer to Bright Futures program."


@pytest.mark.parametrize(
    ("said", "field", "sentences"),
    [
        ("Subjective. Client J.T. seen today.", "subjective", ["Client J.T. seen today."]),
        (
            "Objective. Referred by J.T. Ortiz. Denies S I and H.I. today.",
            "objective",
            ["Referred by J.T. Ortiz.", "Denies SI and HI today."],
        ),
    ],
)
def test_normalize_initials_reach_the_draft_as_spoken(said: str, field: str, sentences: list[str]) -> None:
    assert [s.text for s in segment_text(said).field(field).sentences] == sentences
