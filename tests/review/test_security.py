"""Who may talk to the review server: the ``Guard``'s decisions on header values, without a server."""

from __future__ import annotations

import pytest

from dictanote.review.security import CONTENT_SECURITY_POLICY, SECURITY_HEADERS, Guard


@pytest.mark.parametrize(
    ("method", "origin", "ok"),
    [
        ("GET", None, True),
        ("GET", "http://127.0.0.1:{port}", True),
        ("POST", None, False),
        ("POST", "http://localhost:{port}", True),
        ("DELETE", "http://evil.example", False),
    ],
)
def test_security_guard_origin_table(method: str, origin: str | None, ok: bool) -> None:
    guard = Guard(port=8123)
    assert guard.origin_ok(method, origin.format(port=8123) if origin else None) is ok


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("127.0.0.1:8123", True),
        ("localhost:8123", True),
        ("LOCALHOST:8123", True),
        ("localhost", False),
        ("127.0.0.1:1", False),
        ("evil.example:8123", False),
        ("[::1]:8123", False),
        (None, False),
    ],
)
def test_security_guard_host_table(host: str | None, ok: bool) -> None:
    assert Guard(port=8123).host_ok(host) is ok


def test_security_guard_secrets_differ_and_only_the_right_ones_pass() -> None:
    guard = Guard(port=8123)
    assert len({guard.token, guard.session, guard.csrf}) == 3
    assert guard.token_ok(guard.token) and not guard.token_ok(guard.session) and not guard.token_ok(None)
    assert guard.url == f"http://127.0.0.1:8123/?token={guard.token}"
    assert Guard(port=8123).token != guard.token  # a new secret per launch


def test_security_guard_session_cookie_round_trip() -> None:
    guard = Guard(port=8123)
    cookie = guard.session_cookie()
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and guard.token not in cookie
    assert guard.session_ok(cookie.split(";")[0])
    assert not guard.session_ok(f"dictanote-1={guard.session}")  # another port's cookie
    assert not guard.session_ok("dictanote-8123=wrong")
    assert not guard.session_ok(None) and not guard.session_ok('"unbalanced')


@pytest.mark.parametrize(
    ("method", "header", "form", "ok"),
    [
        ("GET", None, {}, True),
        ("HEAD", None, {}, True),
        ("POST", None, {}, False),
        ("POST", "{csrf}", {}, True),
        ("POST", None, {"csrf": "{csrf}"}, True),
        ("POST", "wrong", {}, False),
        ("PUT", "{session}", {}, False),
    ],
)
def test_security_guard_csrf_table(method: str, header: str | None, form: dict[str, str], ok: bool) -> None:
    guard = Guard(port=8123)

    def fill(value: str) -> str:
        return value.format(csrf=guard.csrf, session=guard.session)

    given = fill(header) if header else None
    assert guard.csrf_ok(method, given, {k: fill(v) for k, v in form.items()}) is ok


def test_security_headers_forbid_inline_script_and_framing() -> None:
    assert SECURITY_HEADERS["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert SECURITY_HEADERS["X-Frame-Options"] == "DENY"
