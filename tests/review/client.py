"""A browser stand-in for the review server's HTTP tests: a cookie jar, the page's CSRF token, no redirects;
and a raw socket for what no browser sends (broken request lines, short bodies, TLS on a plain port).

Helpers for ``tests/review`` only (imported, never a fixture); the server itself
comes from the ``review_server`` fixture or a ``dictanote review`` child process.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import re
import socket
import ssl
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dictanote.core.codec import draft_to_dict
from dictanote.core.types import StoredDraft
from dictanote.review.security import SECURITY_HEADERS


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
    return login_at(running.url)


def login_at(url: str) -> Client:
    """``login`` for the address a ``dictanote review`` process printed."""
    client = Client(url[: url.index("/", len("http://"))])
    first = client.request(url.removeprefix(client.base))
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


@dataclass(frozen=True)
class RawAnswer:
    """What came back on a raw connection: status (None when nothing did), headers, body, and a close."""

    status: int | None
    headers: dict[str, str]
    body: bytes
    closed: bool


def raw_request(
    client: Client, method: str, path: str, body: bytes = b"", headers: dict[str, str | None] | None = None
) -> bytes:
    """A request as bytes, admitted like the page's own (cookie, Origin, CSRF); a header set to None is left out."""
    cookie = "; ".join(f"{c.name}={c.value}" for c in client.jar)
    fields: dict[str, str | None] = {
        "Host": client.base.removeprefix("http://"),
        "Origin": client.base,
        "Cookie": cookie,
        "X-CSRF-Token": client.csrf,
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        **(headers or {}),
    }
    lines = [f"{method} {path} HTTP/1.1", *(f"{k}: {v}" for k, v in fields.items() if v is not None)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def exchange(port: int, data: bytes, *, half_close: bool = False, timeout: float = 10.0) -> RawAnswer:
    """Send ``data`` on a fresh connection (then end our side when ``half_close``) and read until closed."""
    received, closed = b"", False
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading everything
        try:
            while chunk := sock.recv(65536):
                received += chunk
            closed = True
        except ConnectionResetError:
            closed = True
        except TimeoutError:
            pass
    return parse_raw(received, closed)


def parse_raw(received: bytes, closed: bool) -> RawAnswer:
    """Split an HTTP/1.1 answer read off a socket into its status, headers and body."""
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    found = re.fullmatch(r"HTTP/1\.[01] (\d{3})( .*)?", lines[0])
    if found is None:
        return RawAnswer(None, {}, received, closed)
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return RawAnswer(int(found.group(1)), headers, body, closed)


def tls_client_hello() -> bytes:
    """The first bytes a browser sends to https://127.0.0.1:PORT (a real TLS ClientHello)."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ssl.create_default_context().wrap_bio(incoming, outgoing, server_hostname="localhost")
    with contextlib.suppress(ssl.SSLWantReadError):  # it waits for the server's answer
        tls.do_handshake()
    return outgoing.read()


def assert_refused_properly(answer: RawAnswer, status: int) -> None:
    """A refusal as every answer must be: its status, our security headers, a true length, then a close."""
    assert answer.status == status, answer
    assert answer.closed, "the server closes the connection after refusing"
    for name, value in SECURITY_HEADERS.items():
        assert answer.headers.get(name) == value, name
    assert answer.headers["Content-Length"] == str(len(answer.body))


def drop(port: int, request: bytes) -> None:
    """Send a request and reset the connection at once, without reading the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.sendall(request)


def wait_for(condition: Callable[[], bool], seconds: float = 5) -> None:
    """Poll ``condition`` until it holds; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


@contextlib.contextmanager
def review_process(data_dir: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """A real ``dictanote review`` process: the address it printed, and the process (stderr piped)."""
    exe = [sys.executable, "-m", "dictanote", "--data-dir", str(data_dir), "review", "--no-browser"]
    proc = subprocess.Popen(exe, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    try:
        yield proc.stdout.readline().strip(), proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.communicate(timeout=20)
