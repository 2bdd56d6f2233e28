"""The finding kinds (``check.findings``): each declared once, and ``finding_codes`` derived from them."""

from __future__ import annotations

import pytest

from dictanote.check import FINDING_KINDS, finding_codes
from dictanote.check.findings import SESSION_FACTS_MISSING, FindingKind
from dictanote.core.policy import DUE_HOURS, LATE_HOURS


def test_findings_codes_are_declared_once() -> None:
    codes = [kind.code for kind in FINDING_KINDS]
    assert len(codes) == len(set(codes))


def test_findings_codes_derive_from_the_declarations() -> None:
    assert finding_codes() == {kind.code: kind.description for kind in FINDING_KINDS}
    assert all(kind.description and kind.severity in {"info", "warning", "error"} for kind in FINDING_KINDS)


def test_findings_window_descriptions_follow_the_policy() -> None:
    codes = finding_codes()
    assert f"{DUE_HOURS:.0f} hours" in codes["documentation-due"]
    assert f"{LATE_HOURS:.0f}-hour" in codes["documentation-due"]
    assert f"{LATE_HOURS:.0f} hours" in codes["documentation-late"]


@pytest.mark.parametrize(
    ("kind", "format_id", "severity"),
    [
        (SESSION_FACTS_MISSING, "progress", "warning"),
        (SESSION_FACTS_MISSING, "soap", "info"),
        (FindingKind("x", "error", "x"), "progress", "error"),
    ],
)
def test_findings_severity_by_format(kind: FindingKind, format_id: str, severity: str) -> None:
    assert kind.severity_in(format_id) == severity
    assert kind.finding("message", format_id, "plan", (1, 2)).severity == severity


def test_findings_kind_makes_a_finding() -> None:
    kind = FindingKind("x-code", "warning", "what it means")
    finding = kind.finding("Say more.", "soap", "plan", (3, 9))
    assert (finding.code, finding.field, finding.severity, finding.message, finding.span) == (
        "x-code",
        "plan",
        "warning",
        "Say more.",
        (3, 9),
    )
