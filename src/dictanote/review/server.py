"""The review page's HTTP server: loopback only, admitted by a per-launch secret, bounded in what any
client may take.

Every request passes the ``Guard`` (Host, Origin, token or cookie, CSRF) before
any route runs; one ``Dictation`` and one open store serve the whole launch. Logs
carry the method, the route's name and the status, never a path, a query, a header
value or a body (they hold ids, client names, the secret and note text).

Limits (``ServerLimits`` in ``connections``, settable per server): a connection that has sent
nothing waits in a lobby without a thread and is closed after ``socket_timeout`` (10 s); each read
or write waits at most that long and a whole request (line, headers, body) ``request_deadline``
(30 s); ``max_handlers`` (16) requests are served at once, one more is answered 503 at once; a
request line over 8 KiB is answered 414, a header line over 64 KiB or more than 100 headers 431
(the standard library's bounds), a body over 2 MiB 413, a body shorter than its Content-Length, a
JSON body nested deeper than 32 or with an integer over 18 digits 400, a chunked body 501. Every
answer, the standard library's own refusals included, carries ``SECURITY_HEADERS``; a dropped
connection is logged at debug level, never as a traceback.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import socket
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, parse_qs, urlsplit

from ..app import Dictation
from ..core.config import Config
from ..core.errors import BadInputError
from ..core.safejson import JSONLimitError, load_bounded
from .connections import DeadlineReader, Lobby, ServerLimits, linger, send_and_close
from .routes import ReviewApp
from .security import CSRF_HEADER, SECURITY_HEADERS, Guard
from .web import Response

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["ReviewServer", "Running", "ServerLimits", "make_server", "start_in_thread"]

log = logging.getLogger(__name__)

DEFAULT_LIMITS = ServerLimits()
LENGTH = re.compile(r"[0-9]{1,12}")


class ReviewServer(ThreadingHTTPServer):
    """A threading HTTP server bound to 127.0.0.1, holding the app, its guard and its limits.

    Accepted connections wait in a ``Lobby`` (no thread) until they send something; then one of at
    most ``limits.max_handlers`` threads serves them. ``limits`` may be replaced while serving.
    """

    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, app: ReviewApp, port: int = 0, limits: ServerLimits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self.request_queue_size = limits.backlog
        self._lock = threading.Lock()
        self._serving: set[socket.socket] = set()
        self._lobby: Lobby | None = None
        try:
            super().__init__(("127.0.0.1", port), _Handler)
        except OSError as exc:
            raise BadInputError(
                f"cannot listen on 127.0.0.1 port {port}: {exc.strerror}; "
                "choose another with --port, or leave --port out to take a free one"
            ) from exc
        self.app = app
        self.guard = Guard(port=self.server_address[1])
        self._lobby = Lobby(lambda: self.limits, self._dispatch)

    @property
    def port(self) -> int:
        """The port actually bound (a free one when 0 was asked for)."""
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        """The address to open, with the per-launch secret."""
        return self.guard.url

    @property
    def busy(self) -> int:
        """How many connections handler threads are serving now."""
        with self._lock:
            return len(self._serving)

    # --- connections: lobby, bounded handler threads, a close that lets the answer arrive ---------

    def process_request(self, request: Any, client_address: Any) -> None:
        """A connection just accepted waits in the lobby until it sends something."""
        if self._lobby is None:
            raise RuntimeError("the review server was not set up")
        self._lobby.admit(request, client_address)

    def _dispatch(self, sock: socket.socket, address: Any) -> None:
        with self._lock:
            admitted = len(self._serving) < self.limits.max_handlers
            if admitted:
                self._serving.add(sock)
        if not admitted:
            log.info("busy: a connection refused (503)")
            send_and_close(sock, _busy_answer())
            return
        try:
            ThreadingMixIn.process_request(self, sock, address)
        except BaseException:
            with self._lock:
                self._serving.discard(sock)
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        """Serve one connection in its thread, then free its place."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._serving.discard(request)

    def shutdown_request(self, request: Any) -> None:
        """Close after the answer, first reading briefly what the client still sends."""
        try:
            request.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        else:
            linger(request, self.limits.linger)
        self.close_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection that failed outside the routes: one log line, never a traceback on stderr."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            log.debug("connection dropped (%s)", type(exc).__name__)
        else:
            log.error("connection failed: %s", type(exc).__name__)

    def server_close(self) -> None:
        """Close the lobby, end the reads of connections being served, and wait for their threads."""
        if self._lobby is not None:
            self._lobby.close()
        with self._lock:
            serving = list(self._serving)
        for sock in serving:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RD)  # a blocked read ends: the thread finishes
        super().server_close()


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _headers(response: Response, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every header of an answer, the security headers on every one (errors included)."""
    return {
        **SECURITY_HEADERS,
        "Content-Type": response.content_type,
        "Content-Length": str(len(response.body)),
        **response.headers,
        **(extra or {}),
    }


def _refusal(path: str, status: int, message: str) -> Response:
    """A refusal as the page shows it: JSON for the page's API, a short page otherwise."""
    if path.startswith("/api/"):
        return Response.json({"ok": False, "status": status, "error": message}, status)
    page = f"<!doctype html><title>Refused</title><h1>{status}</h1><p>{escape(message)}</p>"
    return Response(status, page.encode())


def _busy_answer() -> bytes:
    """The 503 sent, without a thread, when every handler is taken."""
    response = _refusal("", 503, "The review page is busy; try again in a moment.")
    head = _headers(response, {"Connection": "close", "Retry-After": "1"})
    lines = "".join(f"{name}: {value}\r\n" for name, value in head.items())
    return f"HTTP/1.1 503 Service Unavailable\r\n{lines}\r\n".encode("latin-1") + response.body


def _split(path: str) -> SplitResult | None:
    try:
        return urlsplit(path)
    except ValueError:  # e.g. "http://[" (a broken IPv6 host)
        return None


def _json_object(raw: bytes, limits: ServerLimits) -> dict[str, Any]:
    """A JSON body as an object, within the limits of depth and number length."""

    def constant(name: str) -> Any:
        raise _Refused(400, f"The request body is not valid JSON ({name} is not a number).")

    try:
        text = raw.decode("utf-8")
        data = (
            load_bounded(
                text,
                max_depth=limits.max_json_depth,
                max_digits=limits.max_int_digits,
                parse_constant=constant,
            )
            if raw
            else {}
        )
    except JSONLimitError as exc:
        if exc.limit == "digits":
            raise _Refused(400, "A number in the request body is too long.") from None
        raise _Refused(400, "The request body is nested too deeply.") from None
    except (UnicodeDecodeError, ValueError):
        raise _Refused(400, "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise _Refused(400, "The request body must be a JSON object.")
    return data


class _Handler(BaseHTTPRequestHandler):
    server: ReviewServer
    server_version = "dictanote-review"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    # --- reading a request within the limits ------------------------------

    def setup(self) -> None:
        super().setup()
        self.rfile.close()
        self._reader = DeadlineReader(self.connection)
        self._buffered = io.BufferedReader(self._reader)
        self.rfile = self._buffered

    def handle_one_request(self) -> None:
        limits = self.server.limits
        self._reader.start(limits)
        self.command, self.path, self.requestline = "", "", ""
        self.request_version = self.protocol_version
        self._started = self._answered = False
        try:
            if not self._request_line(limits) or not self.parse_request():
                return
            method = getattr(self, f"do_{self.command}", None)
            if method is None:
                self.send_error(HTTPStatus.NOT_IMPLEMENTED)
                return
            method()
            self.wfile.flush()
        except (ConnectionError, TimeoutError) as exc:
            log.debug("connection closed (%s)", type(exc).__name__)
            self.close_connection = True
            if isinstance(exc, TimeoutError) and self._started and not self._answered:
                with contextlib.suppress(OSError):
                    self.send_error(HTTPStatus.REQUEST_TIMEOUT)  # a request begun, never finished

    def _request_line(self, limits: ServerLimits) -> bool:
        """Read the request line: a TLS handshake or other binary is refused before any line ends."""
        self.close_connection = True
        first = self._buffered.peek(1)[:1]
        if not first:
            return False  # closed without a word
        self._started = True
        if not b"A" <= first <= b"Z":
            self.send_error(HTTPStatus.BAD_REQUEST)
            return False
        self.raw_requestline = self.rfile.readline(limits.max_request_line + 1)
        if len(self.raw_requestline) > limits.max_request_line:
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
            return False
        if len(self.raw_requestline.split()) != 3:  # garbage, or HTTP/0.9's headerless "GET /"
            self.send_error(HTTPStatus.BAD_REQUEST)
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's own refusals (bad line, too long, unknown method), with our headers."""
        status = HTTPStatus(code)
        log.info("refused before routing: %d", code)
        self.request_version = self.protocol_version  # status line and headers even for a line not understood
        page = _refusal(self.path, code, f"{status.phrase}: {status.description}.")
        self._send(page, {"Connection": "close"})

    # --- logging: never the request line (it holds the token and ids) -------

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        url = _split(self.path)
        route = self.server.app.route_name(self.command or "", url.path) if url else "unknown"
        log.debug("%s %s %s", self.command, route, code)

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
        try:
            url = _split(self.path)
            if url is None:
                raise _Refused(400, "The address is not a valid URL.")
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
            log.info("refused %s: %d", self.command, refused.status)
            self.close_connection = True  # an unread body must not be taken for the next request
            self._send(_refusal(self.path, refused.status, refused.message), {"Connection": "close"})
            return
        self._send(response)

    def _content_length(self) -> int:
        """The one Content-Length, digits only, within the body limit (a chunked body is refused)."""
        if self.headers.get("Transfer-Encoding") is not None:
            raise _Refused(501, "Chunked request bodies are not accepted; send a Content-Length.")
        given = set(self.headers.get_all("Content-Length") or ())
        if not given:
            return 0
        value = given.pop().strip() if len(given) == 1 else ""
        if not LENGTH.fullmatch(value):
            raise _Refused(400, "Bad Content-Length.")
        if int(value) > self.server.limits.max_body:
            raise _Refused(413, "The request is too large.")
        return int(value)

    def _body(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The request body as JSON (the page's API) or a form; CSRF may sit in the form."""
        length = self._content_length()
        if self.command in ("GET", "HEAD"):
            if length:
                self.close_connection = True  # its body is not read, so nothing may follow it
            return {}, {}
        try:
            raw = self.rfile.read(length) if length else b""
        except TimeoutError:
            raise _Refused(408, "The request body did not arrive in time.") from None
        if len(raw) < length:
            raise _Refused(400, "The request body is shorter than its Content-Length; nothing was saved.")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind == "application/x-www-form-urlencoded":
            try:
                form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
            except UnicodeDecodeError:
                raise _Refused(400, "The request body is not valid form data.") from None
            return dict(form), form
        return _json_object(raw, self.server.limits), {}

    def _send(self, response: Response, extra: dict[str, str] | None = None) -> None:
        self._answered = True
        self.connection.settimeout(self.server.limits.socket_timeout)  # reads may have left less
        self.send_response(response.status, HTTPStatus(response.status).phrase)
        for name, value in _headers(response, extra).items():
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


def make_server(
    dictation: Dictation, port: int = 0, limits: ServerLimits = DEFAULT_LIMITS
) -> tuple[ReviewServer, Store]:
    """Open the store (``dictation.open_store()``) and bind the server (not yet serving)."""
    store = dictation.open_store()
    try:
        server = ReviewServer(ReviewApp(dictation, store), port, limits)
    except BaseException:
        store.close()
        raise
    return server, store


def start_in_thread(config: Config, port: int = 0, limits: ServerLimits = DEFAULT_LIMITS) -> Running:
    """Serve in a daemon thread over a ``Dictation`` of ``config``; ``stop()`` ends it."""
    server, store = make_server(Dictation(config), port, limits)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="dictanote-review", daemon=True
    )
    thread.start()
    return Running(server, thread, store)
