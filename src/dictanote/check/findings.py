"""Every finding the checks can report, declared once: its code, severity and meaning.

A check refers to a ``FindingKind`` declared here and never spells a code or a
severity itself; ``finding_codes()`` (documentation, tests) derives from the same
list. No check logic lives here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.policy import DUE_HOURS, LATE_HOURS, NO_SHOW_FORMAT
from ..core.types import Finding, Severity


@dataclass(frozen=True)
class FindingKind:
    """One kind of finding: a stable code, its severity and a one-line description.

    ``by_format`` overrides the severity in the named formats (a progress note
    must state the session facts; elsewhere they are a reminder); ``not_in`` names the
    formats where it is never reported (a no-show note has no interventions to respond to).
    """

    code: str
    severity: Severity
    description: str
    by_format: tuple[tuple[str, Severity], ...] = ()
    not_in: tuple[str, ...] = ()

    def severity_in(self, format_id: str) -> Severity:
        """The severity of this finding in a note of ``format_id``."""
        return dict(self.by_format).get(format_id, self.severity)

    def applies_in(self, format_id: str) -> bool:
        """Whether this finding is reported at all in a note of ``format_id``."""
        return format_id not in self.not_in

    def finding(
        self, message: str, format_id: str, field: str | None = None, span: tuple[int, int] | None = None
    ) -> Finding:
        """A finding of this kind on a note of ``format_id``."""
        return Finding(self.code, field, self.severity_in(format_id), message, span)


FIELD_EMPTY = FindingKind("field-empty", "warning", "a required field of the format is empty")
SESSION_FACTS_MISSING = FindingKind(
    "session-facts-missing",
    "info",
    "date, duration, modality or service type not stated",
    by_format=(("progress", "warning"),),
    not_in=(NO_SHOW_FORMAT,),
)
VAGUE_INTERVENTION = FindingKind(
    "vague-intervention", "warning", "an intervention that names no technique", not_in=(NO_SHOW_FORMAT,)
)
NO_CLIENT_RESPONSE = FindingKind(
    "no-client-response", "warning", "interventions without the client's response", not_in=(NO_SHOW_FORMAT,)
)
RISK_UNADDRESSED = FindingKind(
    "risk-unaddressed", "warning", "risk language without a risk assessment or safety action"
)
# An error, not a warning: a risk fact heard wrong ("denies SI" for "endorses SI") is worse than one
# left out, and confirming a sentence costs the clinician one look.
RISK_UNCONFIRMED = FindingKind(
    "risk-unconfirmed",
    "error",
    "a risk statement with words the transcriber was unsure of, or corrected: confirm what was said",
)
NO_RISK_STATEMENT = FindingKind(
    "no-risk-statement", "info", "no risk statement at all", not_in=(NO_SHOW_FORMAT,)
)
MEASURE_OUT_OF_RANGE = FindingKind("measure-out-of-range", "error", "a scale score outside its range")
PHQ9_ITEM9_UNADDRESSED = FindingKind(
    "phq9-item9-unaddressed", "warning", "PHQ-9 item 9 above zero without a risk assessment"
)
DURATION_INCONSISTENT = FindingKind(
    "duration-inconsistent",
    "warning",
    "session length does not fit the documented service",
    not_in=(NO_SHOW_FORMAT,),
)
ABSOLUTE_LANGUAGE = FindingKind("absolute-language", "info", "absolute words in the clinician's own words")
HEDGE_LANGUAGE = FindingKind("hedge-language", "info", "hedges in the clinician's own words")
UNQUOTED_CLIENT_WORDS = FindingKind(
    "unquoted-client-words", "info", "the client's own words without quotation marks"
)
PROCESS_IN_RECORD = FindingKind("process-in-record", "warning", "process content in the clinical record")
RECORD_IN_PRIVATE = FindingKind("record-in-private", "warning", "record content in the psychotherapy note")
# A warning, not an error: nothing is lost (the words are in the private note, and a private note
# dictated last needs no "end private note"), but what belongs in the record may be missing from it.
PRIVATE_UNCLOSED = FindingKind(
    "private-unclosed",
    "warning",
    '"private note" never closed by "end private note": everything after it went to the private note',
)
# Info, not a warning: a spoken header is the clinician's decision and the sentence stays where it
# was said; its content only suggests another field (the review also shows it as uncertain).
PLACEMENT_QUESTIONED = FindingKind(
    "placement-questioned",
    "info",
    "a sentence dictated under a spoken header whose content reads like another field",
)
COPIED_FORWARD = FindingKind("copied-forward", "warning", "a field nearly identical to the previous note's")
# A session that did not happen is written in the no-show format whatever format was asked (info: the
# draft says so); a no-show note must say what happened (a warning: it is the note's one fact).
FORMAT_SWITCHED_NO_SHOW = FindingKind(
    "format-switched-no-show",
    "info",
    "the dictation says the session did not happen: drafted as a no-show note, not in the format asked",
)
SESSION_NOT_HELD = FindingKind(
    "session-not-held",
    "error",
    "the session did not happen (no-show, late cancellation, cancelled) but the note is in a session format",
)
ATTENDANCE_MISSING = FindingKind(
    "attendance-missing",
    "warning",
    "a no-show note that does not say whether it was a no-show, a late cancellation or cancelled",
)
# Warnings, not errors: a note can be signed without a plan goal (the session may have been about
# something else), but payers and auditors look for progress toward the plan's goals.
PLAN_GOAL_MISSING = FindingKind(
    "plan-goal-missing",
    "warning",
    "a progress or GIRP note of a client with a treatment plan that links no sentence to a plan goal",
)
PLAN_REVIEW_DUE = FindingKind(
    "plan-review-due", "warning", "the client's treatment plan is past its review date on the date of service"
)
DOCUMENTATION_DUE = FindingKind(
    "documentation-due",
    "info",
    f"a draft waiting {DUE_HOURS:.0f} hours or more: the {LATE_HOURS:.0f}-hour window is closing",
)
DOCUMENTATION_LATE = FindingKind(
    "documentation-late", "warning", f"a draft not finalized within {LATE_HOURS:.0f} hours of dictation"
)

# In the order the documentation lists them.
FINDING_KINDS: tuple[FindingKind, ...] = (
    FIELD_EMPTY,
    SESSION_FACTS_MISSING,
    VAGUE_INTERVENTION,
    NO_CLIENT_RESPONSE,
    RISK_UNADDRESSED,
    RISK_UNCONFIRMED,
    NO_RISK_STATEMENT,
    MEASURE_OUT_OF_RANGE,
    PHQ9_ITEM9_UNADDRESSED,
    DURATION_INCONSISTENT,
    ABSOLUTE_LANGUAGE,
    HEDGE_LANGUAGE,
    UNQUOTED_CLIENT_WORDS,
    PROCESS_IN_RECORD,
    RECORD_IN_PRIVATE,
    PRIVATE_UNCLOSED,
    PLACEMENT_QUESTIONED,
    COPIED_FORWARD,
    FORMAT_SWITCHED_NO_SHOW,
    SESSION_NOT_HELD,
    ATTENDANCE_MISSING,
    PLAN_GOAL_MISSING,
    PLAN_REVIEW_DUE,
    DOCUMENTATION_DUE,
    DOCUMENTATION_LATE,
)


def finding_codes() -> dict[str, str]:
    """The stable codes the checks can report, each with its description (for documentation and tests)."""
    return {kind.code: kind.description for kind in FINDING_KINDS}
