"""Who may talk to the review server: the per-launch secret, Host, Origin and CSRF checks.

Pure decisions on header values, no I/O. The server calls these before any
route runs; a refused request never reaches the store.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie

SAFE_METHODS = frozenset({"GET", "HEAD"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf"

# Every asset comes from the server itself; no inline script or style runs.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # "no-referrer" makes Chromium send "Origin: null" on form posts
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


@dataclass(frozen=True)
class Guard:
    """The secrets of one server launch and the checks that use them.

    ``token`` goes in the URL the user opens once; it is exchanged for a
    cookie holding ``session`` (HttpOnly, SameSite=Strict). ``csrf`` is
    embedded in every page and must come back with every change.
    """

    port: int
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    session: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def cookie_name(self) -> str:
        """Cookies are shared between ports of a host, so the name carries the port."""
        return f"dictanote-{self.port}"

    @property
    def hosts(self) -> tuple[str, ...]:
        """The Host header values a browser sends for this server (anything else is DNS rebinding)."""
        return (f"127.0.0.1:{self.port}", f"localhost:{self.port}")

    @property
    def origins(self) -> tuple[str, ...]:
        """The Origin header values of this server's own pages."""
        return tuple(f"http://{h}" for h in self.hosts)

    @property
    def url(self) -> str:
        """What the user opens: the inbox, with the secret."""
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    def host_ok(self, host: str | None) -> bool:
        """The request was addressed to this server by its loopback name."""
        return host is not None and host.strip().lower() in self.hosts

    def origin_ok(self, method: str, origin: str | None) -> bool:
        """A change comes from one of this server's own pages (reads need no Origin)."""
        if method in SAFE_METHODS:
            return origin is None or origin in self.origins
        return origin is not None and origin in self.origins

    def token_ok(self, token: str | None) -> bool:
        """The per-launch secret from the URL."""
        return _same(token, self.token)

    def session_ok(self, cookie_header: str | None) -> bool:
        """The cookie the server set after the user came with the token."""
        if not cookie_header:
            return False
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(cookie_header)
        except CookieError:
            return False
        morsel = jar.get(self.cookie_name)
        return morsel is not None and _same(morsel.value, self.session)

    def csrf_ok(self, method: str, header: str | None, form: Mapping[str, str]) -> bool:
        """Every change carries the page's CSRF token, as a header or a form field."""
        if method in SAFE_METHODS:
            return True
        return _same(header or form.get(CSRF_FIELD), self.csrf)

    def session_cookie(self) -> str:
        """The Set-Cookie value that admits this browser for the rest of the launch."""
        return f"{self.cookie_name}={self.session}; Path=/; HttpOnly; SameSite=Strict"
