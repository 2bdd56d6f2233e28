"""The FHIR codes file: shipped LOINC codes valid, a bad file refused with one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dictanote.core.errors import FormatFileError
from dictanote.export.codes import load_codes, loinc_code_valid
from tests.export.notes import (
    SOAP_CODES,
)


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("11506-3", True),
        ("61150-9", True),
        ("61149-1", True),
        ("51848-0", True),
        ("18776-5", True),
        ("62387-6", True),
        ("61150-8", False),  # wrong check digit
        ("6115-09", False),
        ("61150", False),
        ("abc-1", False),
    ],
)
def test_codes_loinc_check_digit(code: str, valid: bool) -> None:
    assert loinc_code_valid(code) is valid


def test_codes_ship_valid_loinc_for_soap() -> None:
    codes = load_codes()
    assert codes.document.code == "11506-3"
    assert {k: codes.sections[k].code for k in SOAP_CODES} == SOAP_CODES
    assert all(loinc_code_valid(c.code) for c in codes.sections.values())


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[document]\ncode = "11506-3"\ndisplay = "Progress note"\nsystm = "x"\n', "unknown key 'systm'"),
        ('[document]\ncode = "11506-4"\ndisplay = "Progress note"\n', "check digit"),
        ('[sections.plan]\ncode = "18776-5"\ndisplay = "Plan"\n', "missing the [document] table"),
        (
            '[document]\ncode = "11506-3"\ndisplay = "P"\n[sections.Plan]\ncode = "18776-5"\ndisplay = "P"\n',
            "not a field id",
        ),
        ('[document]\ncode = "11506-3"\ndisplay = ""\n', "'display' must be a non-empty string"),
        ('[document]\ncode = "11506-3"\ndisplay = "P"\n[extra]\n', "unknown key 'extra'"),
        ("[document\n", "not valid TOML"),
    ],
)
def test_codes_file_is_validated_on_load(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "fhir.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(FormatFileError, match=re.escape(message)) as err:
        load_codes(path)
    assert str(path) in str(err.value)
