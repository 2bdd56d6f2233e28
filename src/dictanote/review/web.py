"""The review server's HTTP values: an admitted ``Request``, a ``Response``, and the page's static files.

Plain frozen values shared by the routes and the server; no sockets, no store,
no rendering. Static files come only from the package's ``static/`` folder.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

# The page's own assets, by suffix (nothing else is served from static/).
STATIC_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
STATIC_NAME = r"[a-z]+\.(?:js|css|svg)"


@dataclass(frozen=True)
class Response:
    """What the server sends back: a status, a body and its type."""

    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Response:
        """A JSON answer."""
        return cls(status, json.dumps(data, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    @classmethod
    def redirect(cls, location: str) -> Response:
        """See other (after a change, or to drop the token from the address bar)."""
        return cls(303, b"", "text/plain; charset=utf-8", {"Location": location})


@dataclass(frozen=True)
class Request:
    """An admitted request: method, route parameters and the decoded body."""

    method: str
    path: str
    params: Mapping[str, str]
    body: dict[str, Any]
    csrf: str


def static_file(name: str) -> Response:
    """One of the page's own files (script, style sheet, icon); 404 when there is none of that name."""
    suffix = name[name.rfind(".") :]
    if suffix not in STATIC_TYPES:
        return Response(404, b"not found", "text/plain; charset=utf-8")
    try:
        data = resources.files(__package__).joinpath("static").joinpath(name).read_bytes()
    except (FileNotFoundError, OSError):
        return Response(404, b"not found", "text/plain; charset=utf-8")
    return Response(200, data, STATIC_TYPES[suffix])
