"""Talk to a running daemon over its control socket: one request, one reply.

What ``dictanote start|stop|toggle|cancel|status`` and a desktop shortcut run,
so it must stay instant: it imports only the standard library, the protocol and
the error tree. Socket failures become ``DaemonNotRunningError`` or
``DaemonError`` here, at the boundary.
"""

from __future__ import annotations

import errno
import socket
import time
from pathlib import Path
from typing import Any

from ..core.errors import DaemonError, DaemonNotRunningError
from .protocol import MAX_LINE, Request, parse_reply

CONNECT_TIMEOUT_S = 2.0
# How long a reply may take: ``stop`` answers after the draft is transcribed and saved.
REPLY_TIMEOUT_S = {"stop": 120.0, "toggle": 120.0}
DEFAULT_REPLY_TIMEOUT_S = 10.0
# Connecting: a full listen queue (many shortcuts at once) is retried with a short, growing pause
# until the connect timeout; a refused connection (nothing listening yet) only for a moment.
RETRY_FIRST_S = 0.005
RETRY_MAX_S = 0.1
REFUSED_RETRY_S = 0.25
START_HINT = "start it with `dictanote daemon` (or as a systemd user service, see docs/daemon.md)"


def reply_timeout(cmd: str) -> float:
    """Seconds to wait for the reply to ``cmd``."""
    return REPLY_TIMEOUT_S.get(cmd, DEFAULT_REPLY_TIMEOUT_S)


def _connect(path: Path, timeout: float) -> socket.socket:
    """A socket connected to ``path``, retrying a full listen queue until ``timeout`` has passed."""
    deadline = time.monotonic() + timeout
    refused_until = time.monotonic() + min(REFUSED_RETRY_S, timeout)
    pause = RETRY_FIRST_S
    while True:
        try:
            return _connect_once(path, max(deadline - time.monotonic(), 0.01))
        except OSError as exc:
            now = time.monotonic()
            # EAGAIN: the daemon's listen queue is full (Linux); ECONNREFUSED: the same on BSD and
            # macOS, or nothing listening (a stale socket), so that one is retried only briefly.
            busy = exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK) and now + pause < deadline
            restarting = exc.errno == errno.ECONNREFUSED and now + pause < refused_until
            if not (busy or restarting):
                raise _connect_error(path, exc) from exc
        time.sleep(pause)
        pause = min(pause * 2, RETRY_MAX_S)


def _connect_once(path: Path, timeout: float) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(path))
    except OSError:
        sock.close()
        raise
    return sock


def _connect_error(path: Path, exc: OSError) -> DaemonError:
    if exc.errno in (errno.ENOTSOCK, errno.ECONNREFUSED, errno.ENOENT):
        return DaemonNotRunningError(f"no dictanote daemon is running; {START_HINT}")
    if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK) or isinstance(exc, TimeoutError):
        return DaemonError(f"the daemon at {path} is too busy to take a connection; try again")
    return DaemonError(f"cannot reach the daemon at {path}: {exc.strerror or exc}")


def _read_line(sock: socket.socket) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if b"\n" in chunk or size > MAX_LINE:
            break
    return b"".join(chunks).split(b"\n", 1)[0]


def send(path: Path, request: Request, timeout: float | None = None) -> dict[str, Any]:
    """Send one request and return the daemon's reply (``ok`` true or false).

    Raises ``DaemonNotRunningError`` when nothing listens on ``path`` and
    ``DaemonError`` when the daemon does not answer in time or answers garbage.
    """
    wait = reply_timeout(request.cmd) if timeout is None else timeout
    sock = _connect(path, min(CONNECT_TIMEOUT_S, wait))
    try:
        sock.settimeout(wait)
        sock.sendall(request.encode())
        sock.shutdown(socket.SHUT_WR)
        line = _read_line(sock)
    except TimeoutError as exc:
        raise DaemonError(
            f"the daemon did not answer {request.cmd!r} within {wait:.0f} s; "
            "see its log (journalctl --user -u dictanote) or restart it"
        ) from exc
    except OSError as exc:
        raise DaemonError(f"lost the connection to the daemon: {exc.strerror or exc}") from exc
    finally:
        sock.close()
    if not line:
        raise DaemonError(f"the daemon closed the connection without answering {request.cmd!r}")
    return parse_reply(line)


def ping(path: Path, timeout: float = 1.0) -> dict[str, Any] | None:
    """The daemon's ping reply, or None when nothing answers on ``path``."""
    try:
        return send(path, Request("ping"), timeout=timeout)
    except DaemonError:
        return None


def command(
    path: Path,
    cmd: str,
    private: bool = False,
    text: bool = False,
    format_id: str | None = None,
    client_id: str | None = None,
) -> dict[str, Any]:
    """Send ``cmd`` and return its reply; an ``ok: false`` reply becomes a ``DaemonError``.

    ``text`` (status only) asks for the committed text of the dictation in progress;
    ``format_id`` and ``client_id`` (start and toggle) choose a started dictation's format and client.
    The error keeps the daemon's exit code (2 for an unknown format or client).
    """
    request = Request(cmd, private=private, text=text, format_id=format_id, client_id=client_id)
    reply = send(path, request)
    if not reply["ok"]:
        error = DaemonError(f"the daemon refused {cmd!r}: {reply.get('error', 'no reason given')}")
        code = reply.get("exit_code")
        if isinstance(code, int) and 1 <= code <= 6:
            error.exit_code = code  # e.g. 5 when the microphone failed, as `dictanote record` exits
        raise error
    return reply
