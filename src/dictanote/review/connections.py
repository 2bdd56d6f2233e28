"""The review server's connections below HTTP: its limits, the lobby where a connection that has sent
nothing waits without a thread, and reads bounded by a per-read timeout and a whole-request deadline.

Sockets and clocks only: no HTTP, no routes, no store (``server`` does those). Never logs what a
client sent, nor its address.
"""

from __future__ import annotations

import contextlib
import io
import math
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ServerLimits:
    """Every bound on what one client may take from the review server; each is declared here only."""

    socket_timeout: float = 10.0
    """Seconds one read or write may wait; a connection silent this long is closed."""
    request_deadline: float = 30.0
    """Seconds for a whole request (line, headers and body), however slowly it trickles in."""
    max_handlers: int = 16
    """Requests served at once, one thread each; a request beyond them is answered 503 at once."""
    max_waiting: int = 256
    """Open connections that have sent nothing yet (they hold no thread); beyond it the oldest is closed."""
    backlog: int = 64
    """Connections the system queues before the server accepts them."""
    max_request_line: int = 8 * 1024
    """Bytes of the request line (method, path, query); a longer one is answered 414."""
    max_body: int = 2 * 1024 * 1024
    """Bytes of a request body; a larger one is answered 413 without reading it."""
    max_json_depth: int = 32
    """Nesting of arrays and objects in a JSON body; a deeper one is answered 400."""
    max_int_digits: int = 18
    """Digits of an integer in a JSON body (ids and versions fit in 18); a longer one is answered 400."""
    linger: float = 1.0
    """Seconds to read what a client still sends after its answer, so closing does not reset the
    connection before the client has read the answer."""


class DeadlineReader(io.RawIOBase):
    """A socket's reads, each within the socket timeout and those of one request within its deadline."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self._sock = sock
        self._timeout = ServerLimits.socket_timeout
        self._deadline = math.inf

    def start(self, limits: ServerLimits) -> None:
        """A request begins: its deadline runs from now."""
        self._timeout = limits.socket_timeout
        self._deadline = time.monotonic() + limits.request_deadline

    def readable(self) -> bool:
        """Yes: this is the reading side of the connection."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Read what has come, waiting no longer than the socket timeout nor past the deadline."""
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request took longer than its deadline")
        self._sock.settimeout(min(self._timeout, left))
        return self._sock.recv_into(buffer)


def linger(sock: socket.socket, seconds: float) -> None:
    """Read and drop what the client still sends, until it closes or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    with contextlib.suppress(OSError):
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            if not sock.recv(65536):
                return


def close_now(sock: socket.socket) -> None:
    """End a connection without waiting for anything (errors of an already broken one are ignored)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def send_and_close(sock: socket.socket, answer: bytes) -> None:
    """Answer a connection at once and close it, never blocking: for a thread that serves everyone."""
    with contextlib.suppress(OSError):
        sock.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            sock.recv(65536)  # what it sent: closing with unread bytes would reset the connection
        sock.send(answer)
        sock.shutdown(socket.SHUT_WR)
    sock.close()


Dispatch = Callable[[socket.socket, Any], None]


class Lobby:
    """Accepted connections that have sent nothing yet, watched by one thread and a selector.

    A connection leaves for ``dispatch`` (a handler thread) as soon as it has something to read (a
    request, or its close); one silent for the socket timeout is closed; beyond ``max_waiting`` the
    oldest is closed. So idle connections cost a file descriptor each, never a thread.
    """

    def __init__(self, limits: Callable[[], ServerLimits], dispatch: Dispatch) -> None:
        self._limits = limits
        self._dispatch = dispatch
        self._selector = selectors.DefaultSelector()
        self._wake_in, self._wake_out = socket.socketpair()
        self._wake_in.setblocking(False)
        self._wake_out.setblocking(False)
        self._selector.register(self._wake_in, selectors.EVENT_READ)
        self._lock = threading.Lock()
        self._arrivals: list[tuple[socket.socket, Any]] = []
        self._stopping = False
        self._waiting: dict[socket.socket, tuple[Any, float]] = {}  # oldest first: address, closing time
        self._thread = threading.Thread(target=self._run, name="dictanote-review-lobby", daemon=True)
        self._thread.start()

    def admit(self, sock: socket.socket, address: Any) -> None:
        """Take a connection just accepted (from the accepting thread)."""
        with self._lock:
            stopping = self._stopping
            if not stopping:
                self._arrivals.append((sock, address))
        if stopping:
            close_now(sock)
        else:
            self._wake()

    def close(self) -> None:
        """Stop watching and close every connection still waiting."""
        with self._lock:
            self._stopping = True
        self._wake()
        self._thread.join(timeout=10)
        for sock in [*self._waiting, *(s for s, _ in self._arrivals)]:
            close_now(sock)
        self._waiting.clear()
        self._arrivals.clear()
        self._selector.close()
        self._wake_in.close()
        self._wake_out.close()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_out.send(b"\0")

    def _run(self) -> None:
        while True:
            events = self._selector.select(self._next_closing())
            with self._lock:
                if self._stopping:
                    return
                arrivals, self._arrivals = self._arrivals, []
            for key, _ in events:
                if key.fileobj is self._wake_in:
                    with contextlib.suppress(OSError):
                        self._wake_in.recv(4096)
                else:
                    self._leave(key.fileobj)  # type: ignore[arg-type]
            for sock, address in arrivals:
                self._hold(sock, address)
            self._close_silent()

    def _leave(self, sock: socket.socket) -> None:
        self._selector.unregister(sock)
        address, _ = self._waiting.pop(sock)
        try:
            self._dispatch(sock, address)
        except (OSError, RuntimeError):  # no thread to be had: the connection goes, the lobby stays
            close_now(sock)

    def _hold(self, sock: socket.socket, address: Any) -> None:
        limits = self._limits()
        while len(self._waiting) >= max(1, limits.max_waiting):
            self._forget(next(iter(self._waiting)))
        try:
            self._selector.register(sock, selectors.EVENT_READ)
        except (OSError, ValueError):
            close_now(sock)
            return
        self._waiting[sock] = (address, time.monotonic() + limits.socket_timeout)

    def _forget(self, sock: socket.socket) -> None:
        self._selector.unregister(sock)
        del self._waiting[sock]
        close_now(sock)

    def _close_silent(self) -> None:
        now = time.monotonic()
        for sock in [s for s, (_, closing) in self._waiting.items() if closing <= now]:
            self._forget(sock)

    def _next_closing(self) -> float | None:
        if not self._waiting:
            return None
        return max(0.0, min(closing for _, closing in self._waiting.values()) - time.monotonic())
