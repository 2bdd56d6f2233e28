"""The codes of the FHIR export, as data: ``templates/rules/fhir.toml``, validated on load.

Owns reading that file into a ``FhirCodes`` value; unknown keys are refused by name
and each LOINC code's check digit is verified, so a typo fails loudly, not in an EHR.
Knows nothing of notes or FHIR resources.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..core.config import shipped_dir
from ..core.datafile import Table, load_table
from ..core.errors import FormatFileError

LOINC = "http://loinc.org"
CODING_SCHEMA = Table({"system": str, "code": str, "display": str}, required=("code", "display"))
CODES_SCHEMA = Table(
    {"document": CODING_SCHEMA, "sections": Table(any_key=CODING_SCHEMA)}, required=("document",)
)
LOINC_RE = re.compile(r"^(\d{1,7})-(\d)$")
FIELD_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Coding:
    """One code from a code system, with its display text."""

    system: str
    code: str
    display: str

    def to_fhir(self) -> dict[str, Any]:
        """The FHIR ``CodeableConcept`` holding this one coding."""
        return {"coding": [{"system": self.system, "code": self.code, "display": self.display}]}


@dataclass(frozen=True)
class FhirCodes:
    """The document type and the LOINC code of each note field that has one."""

    document: Coding
    sections: Mapping[str, Coding]
    source: str

    def section(self, field_id: str) -> Coding | None:
        """The code of a field, or None where no LOINC concept fits it."""
        return self.sections.get(field_id)


def codes_file() -> Path:
    """The shipped codes file."""
    return shipped_dir("templates") / "rules" / "fhir.toml"


@lru_cache(maxsize=4)
def load_codes(path: Path | None = None) -> FhirCodes:
    """Read and validate the codes file; FormatFileError names the file, the key and the fix."""
    file = path or codes_file()
    raw = load_table(file, CODES_SCHEMA, what="codes file")
    sections = raw.get("sections", {})
    parsed: dict[str, Coding] = {}
    for field_id, item in sections.items():
        if not FIELD_ID_RE.match(field_id):
            raise FormatFileError(
                f"codes file {file}: section {field_id!r} is not a field id "
                "(lower-case letters, digits and underscores)"
            )
        parsed[field_id] = _coding(item, f"codes file {file}: [sections.{field_id}]")
    return FhirCodes(
        document=_coding(raw["document"], f"codes file {file}: [document]"),
        sections=parsed,
        source=str(file),
    )


def _coding(item: Any, where: str) -> Coding:
    for key in ("code", "display"):
        if not item[key].strip():
            raise FormatFileError(f"{where}: {key!r} must be a non-empty string")
    system = item.get("system", LOINC)
    if not system.strip():
        raise FormatFileError(f"{where}: 'system' must be a non-empty string (a URI)")
    if system == LOINC and not loinc_code_valid(item["code"]):
        raise FormatFileError(
            f"{where}: {item['code']!r} is not a LOINC code (digits, a hyphen and the right check digit)"
        )
    return Coding(system=system, code=item["code"], display=item["display"].strip())


def loinc_code_valid(code: str) -> bool:
    """Whether ``code`` is shaped like a LOINC code and its check digit (mod 10) is right."""
    match = LOINC_RE.match(code)
    if not match:
        return False
    digits = match.group(1)[::-1]
    odd = digits[0::2][::-1]  # 1st, 3rd, ... digit from the right
    even = digits[1::2][::-1]
    total = sum(int(c) for c in even + str(int(odd) * 2))
    return (10 - total % 10) % 10 == int(match.group(2))
