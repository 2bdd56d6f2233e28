"""What the review page's route modules (``today``, ``caseload``, ``auditlog``) are given and return.

``routes.ReviewApp`` implements ``ReviewApp`` and imports those modules to build its route table,
so they name it through this Protocol and never import ``routes`` (no import cycle).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from .web import Request, Response

if TYPE_CHECKING:
    from ..app import Dictation
    from ..core.types import StoredDraft
    from ..store import Store

Handler = Callable[[Request], Response]


class ReviewApp(Protocol):
    """One review server launch: its ``Dictation``, its open store, and how it answers a page."""

    dictation: Dictation
    store: Store

    def page(self, code: int, template: str, csrf: str, /, **context: Any) -> Response:
        """A review page rendered with its CSRF token."""
        ...

    def draft_state(self, stored: StoredDraft) -> dict[str, Any]:
        """Version, findings and the rendered note, as the draft page refreshes them."""
        ...
