"""The review page's HTTP server: loopback only, admitted by a per-launch secret.

Every request passes the ``Guard`` (Host, Origin, token or cookie, CSRF) before
any route runs; one ``Dictation`` and one open store serve the whole launch. Logs
carry the method, the route's name and the status, never a path, a query, a header
value or a body (they hold ids, client names, the secret and note text).
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from ..app import Dictation
from ..core.config import Config
from ..core.errors import BadInputError
from .routes import ReviewApp
from .security import CSRF_HEADER, SECURITY_HEADERS, Guard
from .web import Response

if TYPE_CHECKING:
    from ..store import Store

log = logging.getLogger(__name__)

MAX_BODY = 2 * 1024 * 1024


class ReviewServer(ThreadingHTTPServer):
    """A threading HTTP server bound to 127.0.0.1, holding the app and its guard."""

    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, app: ReviewApp, port: int = 0) -> None:
        try:
            super().__init__(("127.0.0.1", port), _Handler)
        except OSError as exc:
            raise BadInputError(
                f"cannot listen on 127.0.0.1 port {port}: {exc.strerror}; "
                "choose another with --port, or leave --port out to take a free one"
            ) from exc
        self.app = app
        self.guard = Guard(port=self.server_address[1])

    @property
    def port(self) -> int:
        """The port actually bound (a free one when 0 was asked for)."""
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        """The address to open, with the per-launch secret."""
        return self.guard.url


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Handler(BaseHTTPRequestHandler):
    server: ReviewServer
    server_version = "dictanote-review"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    # --- logging: never the request line (it holds the token and ids) -------

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = urlsplit(self.path).path
        log.debug("%s %s %s", self.command, self.server.app.route_name(self.command, path), code)

    def log_error(self, format: str, *args: Any) -> None:
        log.info("request refused before routing")

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # --- methods ----------------------------------------------------------

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    # --- the one path every request takes --------------------------------

    def _serve(self) -> None:
        guard = self.server.guard
        url = urlsplit(self.path)
        try:
            if not guard.host_ok(self.headers.get("Host")):
                raise _Refused(403, "This server answers only to 127.0.0.1 and localhost.")
            if not guard.origin_ok(self.command, self.headers.get("Origin")):
                raise _Refused(403, "Request from another site refused.")
            query = parse_qs(url.query)
            token = query["token"][0] if query.get("token") else None
            if self.command == "GET" and token is not None and guard.token_ok(token):
                # Trade the secret in the address bar for a cookie, and drop it from the URL.
                self._send(Response.redirect(url.path or "/"), {"Set-Cookie": guard.session_cookie()})
                return
            if not guard.session_ok(self.headers.get("Cookie")):
                raise _Refused(
                    403,
                    "Open the review page with the address `dictanote review` printed (it holds a secret).",
                )
            body, form = self._body()
            if not guard.csrf_ok(self.command, self.headers.get(CSRF_HEADER), form):
                raise _Refused(403, "Missing or wrong CSRF token; reload the page.")
            response = self.server.app.handle(self.command, url.path, body, guard.csrf)
        except _Refused as refused:
            self.close_connection = True  # an unread body must not be taken for the next request
            self._send(self._refusal(url.path, refused), {"Connection": "close"})
            return
        self._send(response)

    def _body(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The request body as JSON (the page's API) or a form; CSRF may sit in the form."""
        if self.command in ("GET", "HEAD"):
            return {}, {}
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise _Refused(400, "Bad Content-Length.") from None
        if length > MAX_BODY:
            raise _Refused(413, "The request is too large.")
        raw = self.rfile.read(length) if length > 0 else b""
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            if kind == "application/x-www-form-urlencoded":
                form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
                return dict(form), form
            data = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _Refused(400, "The request body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise _Refused(400, "The request body must be a JSON object.")
        return data, {}

    def _refusal(self, path: str, refused: _Refused) -> Response:
        log.info("refused %s: %d", self.command, refused.status)
        if path.startswith("/api/"):
            return Response.json(
                {"ok": False, "status": refused.status, "error": refused.message}, refused.status
            )
        page = (
            f"<!doctype html><title>Refused</title><h1>{refused.status}</h1><p>{escape(refused.message)}</p>"
        )
        return Response(refused.status, page.encode())

    def _send(self, response: Response, extra: dict[str, str] | None = None) -> None:
        self.send_response(response.status, HTTPStatus(response.status).phrase)
        headers = {
            **SECURITY_HEADERS,
            "Content-Type": response.content_type,
            "Content-Length": str(len(response.body)),
            **response.headers,
            **(extra or {}),
        }
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)


@dataclass
class Running:
    """A review server serving in a background thread (tests, embedding)."""

    server: ReviewServer
    thread: threading.Thread
    store: Store

    @property
    def url(self) -> str:
        """The address to open, with the secret."""
        return self.server.url

    def stop(self) -> None:
        """Stop serving, wait for the thread and close the store."""
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()
        self.store.close()


def make_server(dictation: Dictation, port: int = 0) -> tuple[ReviewServer, Store]:
    """Open the store (``dictation.open_store()``) and bind the server (not yet serving)."""
    store = dictation.open_store()
    try:
        server = ReviewServer(ReviewApp(dictation, store), port)
    except BaseException:
        store.close()
        raise
    return server, store


def start_in_thread(config: Config, port: int = 0) -> Running:
    """Serve in a daemon thread over a ``Dictation`` of ``config``; ``stop()`` ends it."""
    server, store = make_server(Dictation(config), port)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="dictanote-review", daemon=True
    )
    thread.start()
    return Running(server, thread, store)
