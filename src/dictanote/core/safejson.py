"""JSON from outside the process, parsed within limits: how deep it nests, how long its numbers are.

The one place the daemon's socket and the review page's request bodies bound JSON
before Python's parser (which recurses) sees it. Nothing here knows either protocol:
callers turn ``JSONLimitError`` into their own refusal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Literal

# What counts in JSON's nesting: brackets, and strings skipped whole (their brackets are text; an
# unclosed one runs to the end). A string's match never fails once begun, so the scan is linear.
_NESTING_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)


class JSONLimitError(ValueError):
    """JSON beyond the caller's limits: ``limit`` says which one (``depth`` or ``digits``)."""

    def __init__(self, limit: Literal["depth", "digits"], message: str) -> None:
        super().__init__(message)
        self.limit = limit


def nesting_exceeds(text: str, max_depth: int) -> bool:
    """Whether arrays and objects nest more than ``max_depth`` deep in ``text`` (scanned, not parsed)."""
    depth = 0
    for token in _NESTING_TOKENS.finditer(text):
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth > max_depth:
                return True
        elif bracket in ("]", "}"):
            depth = max(depth - 1, 0)
    return False


def load_bounded(
    text: str,
    *,
    max_depth: int,
    max_digits: int | None = None,
    parse_constant: Callable[[str], Any] | None = None,
) -> Any:
    """``json.loads`` refused with ``JSONLimitError`` past ``max_depth`` nesting or ``max_digits`` digits.

    The nesting is checked before parsing; other bad JSON raises json's ``ValueError``.
    """
    if nesting_exceeds(text, max_depth):
        raise JSONLimitError("depth", f"arrays or objects nest deeper than {max_depth}")

    def integer(digits: str) -> int:
        if max_digits is not None and len(digits.lstrip("-")) > max_digits:
            raise JSONLimitError("digits", f"a number has more than {max_digits} digits")
        return int(digits)

    return json.loads(text, parse_int=integer, parse_constant=parse_constant)
