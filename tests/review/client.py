"""A browser stand-in for the review server's HTTP tests: a cookie jar, the page's CSRF token, no redirects.

Helpers for ``tests/review`` only (imported, never a fixture); the server itself
comes from the ``review_server`` fixture.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from dictanote.core.codec import draft_to_dict
from dictanote.core.types import StoredDraft


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Answer:
    """A response as the test reads it."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8")

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


@dataclass
class Client:
    """A browser stand-in: a cookie jar, the page's CSRF token, no redirects followed."""

    base: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)
    csrf: str = ""

    def request(
        self, path: str, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None
    ) -> Answer:
        """Send one request (a JSON body when given) and read the answer, whatever its status."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        if data is not None and not req.has_header("Content-type"):
            req.add_header("Content-Type", "application/json")
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        try:
            with opener.open(req, timeout=20) as r:
                return Answer(r.status, dict(r.headers.items()), r.read())
        except urllib.error.HTTPError as exc:
            with exc:
                return Answer(exc.code, dict(exc.headers.items()), exc.read())

    def post(self, path: str, body: Any, **headers: str) -> Answer:
        """A change as the page sends it: same Origin, the CSRF header, a JSON body."""
        sent = {"Origin": self.base, "X-CSRF-Token": self.csrf, **headers}
        return self.request(path, "POST", body, {k: v for k, v in sent.items() if v})


def login(running: Any) -> Client:
    """Open the printed address (token -> cookie) and read the page's CSRF token."""
    client = Client(f"http://127.0.0.1:{running.server.port}")
    first = client.request(running.url.removeprefix(client.base))
    assert first.status == 303 and first.headers["Location"] == "/"
    inbox = client.request("/")
    assert inbox.status == 200
    found = re.search(r'name="dictanote-csrf" content="([^"]+)"', inbox.text)
    assert found, "the page carries its CSRF token"
    client.csrf = found.group(1)
    return client


def fields_of(stored: StoredDraft) -> list[dict[str, Any]]:
    """A stored draft's fields as the page posts them back."""
    return draft_to_dict(stored.draft)["fields"]
