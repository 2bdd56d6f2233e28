"""The check stage: what a good note needs and this draft lacks, or has in the wrong place.

Reads a ``Draft`` (and its private companion) and returns ``Finding``s of the kinds
declared in ``findings``, with a message a clinician understands and, where it
helps, the span of the words concerned. It never changes the draft: the clinician
decides. Imports only ``core``; its vocabulary is data (``templates/rules/checks.toml``).
"""

from .findings import FINDING_KINDS, FindingKind, finding_codes
from .goals import GoalSuggestion, suggest_goals
from .rules import CheckOptions, check_draft

__all__ = [
    "FINDING_KINDS",
    "CheckOptions",
    "FindingKind",
    "GoalSuggestion",
    "check_draft",
    "finding_codes",
    "suggest_goals",
]
