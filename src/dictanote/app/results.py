"""What the application core hands back to an entry point: plain, frozen values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.types import Draft, Finding, NoteFormat, Transcript


@dataclass(frozen=True)
class DraftResult:
    """A draft with the format it was made in, the checks' findings and the transcript it came from.

    ``transcript`` is None when the draft was made from text (``segment``, ``check``).
    """

    draft: Draft
    format: NoteFormat
    findings: tuple[Finding, ...]
    transcript: Transcript | None = None
    private_format: NoteFormat | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``segment``/``draft --json`` contract of DESIGN.md."""
        from ..render import draft_to_json

        return draft_to_json(self.draft, self.findings)

    @property
    def has_private(self) -> bool:
        """Whether a private (psychotherapy) note was dictated with the draft."""
        return self.draft.private is not None
