"""Which client of the caseload a draft is about (the spoken initials matched against the list), and
"did the session happen?" as the clinician answers it, checked.

Pure functions of values: no store, no page, no printing (``sessions.set_session`` saves the client,
date and time). Matching only orders the list to choose from; it never chooses: two clients called
"M.R." are told apart by id and name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..core.errors import BadInputError
from ..core.policy import ATTENDANCE
from ..core.types import Client

REASON_MAX = 300


def letters(text: str) -> str:
    """The letters of ``text``, lower case: "M.R." = "mr" = "M R"."""
    return "".join(c for c in text.lower() if c.isalpha())


def _initials(name: str) -> str:
    """The first letter of each word of a name: "Maria Rossi" -> "mr", "Mary-Jane Roe" -> "mjr"."""
    return "".join(word[0] for word in re.split(r"[^\w]+|_|\d", name.lower()) if word and word[0].isalpha())


def client_matches(initials: str | None, clients: Iterable[Client]) -> list[Client]:
    """The clients whose name (as initials, or the initials of its words) matches the spoken initials.

    Letters only, any case: "M.R.", "mr" and "M R" are the same; "Maria Rossi" matches "M.R." too.
    Kept in the order given; none when nothing was spoken.
    """
    spoken = letters(initials or "")
    if not spoken:
        return []
    return [c for c in clients if spoken in (letters(c.name), _initials(c.name))]


def client_choices(initials: str | None, clients: Iterable[Client]) -> tuple[list[Client], list[Client]]:
    """The picker's two groups: the clients matching the spoken initials first, then the others."""
    listed = list(clients)
    matched = client_matches(initials, listed)
    return matched, [c for c in listed if c not in matched]


def _text(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInputError(f"the {what} must be text")
    return " ".join(value.split()) or None


def check_attendance(value: Any) -> str | None:
    """One of ``policy.ATTENDANCE`` (None or '' for not stated); else a BadInputError naming them."""
    text = _text(value, "attendance")
    if text is not None and text not in ATTENDANCE:
        raise BadInputError(f"did the session happen? {text[:20]!r} is not one of: {', '.join(ATTENDANCE)}")
    return text


def check_reason(value: Any) -> str | None:
    """Why a session did not happen: one line of at most ``REASON_MAX`` characters (None for none)."""
    text = _text(value, "reason")
    if text is not None and len(text) > REASON_MAX:
        raise BadInputError(f"the reason is at most {REASON_MAX} characters (this one has {len(text)})")
    return text
