"""The daemon's control socket: one Unix socket, one line in, one line out.

Owns the runtime directory (0700), the socket (0600, close-on-exec), the
one-daemon-per-user lock, stale-socket replacement and the accept loop. Each
connection is served on a short-lived thread so ``status`` answers while a
draft is finishing. The request loop is the one place with a catch-all
``except``: it logs, replies ``{"ok": false}`` and returns to waiting; nothing
ever raises across the socket. SIGTERM and SIGINT finish the draft in
progress, save it, and exit.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import selectors
import signal
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..core.errors import DaemonAlreadyRunningError, DaemonError, DictanoteError
from . import client
from .protocol import MAX_LINE, Request, encode_line, parse_request, socket_path
from .replies import ErrorReply, Reply

log = logging.getLogger(__name__)

Handler = Callable[[Request], Reply]
# A request line must arrive whole within this deadline (a silent or trickling client is then dropped,
# its thread freed); replies get the same time to be taken.
READ_TIMEOUT_S = 5.0
# As many waiting connections as the system allows: a burst of shortcuts queues instead of failing.
BACKLOG = socket.SOMAXCONN


def ensure_runtime_dir(path: Path) -> Path:
    """Create the runtime directory readable by this user alone (0700), or check the one there."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
        if info.st_uid != os.getuid():
            raise DaemonError(f"{path} belongs to another user; set XDG_RUNTIME_DIR to a directory of yours")
        if stat.S_IMODE(info.st_mode) != 0o700:
            path.chmod(0o700)
    except OSError as exc:
        raise DaemonError(f"cannot prepare the runtime directory {path}: {exc.strerror or exc}") from exc
    return path


@contextlib.contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


class ControlSocket:
    """The listening socket and the lock that makes this daemon the only one for the user."""

    def __init__(self, runtime_dir: Path) -> None:
        self.runtime_dir = runtime_dir
        self.path = socket_path(runtime_dir)
        self.sock: socket.socket | None = None
        self._lock_fd: int | None = None
        self._identity: tuple[int, int] | None = None

    def open(self) -> None:
        """Take the per-user lock, replace a stale socket, and listen.

        Raises ``DaemonAlreadyRunningError`` when another daemon answers (or
        holds the lock), ``DaemonError`` when the socket cannot be created.
        """
        self.check_free()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.set_inheritable(False)  # close-on-exec: notify-send and the like never get it
        try:
            with _umask(0o177):  # the socket file is born 0600, never briefly wider
                sock.bind(str(self.path))
            sock.listen(BACKLOG)
        except OSError as exc:
            sock.close()
            raise DaemonError(f"cannot listen on {self.path}: {exc.strerror or exc}") from exc
        info = self.path.stat()
        self._identity = (info.st_dev, info.st_ino)
        self.sock = sock
        log.info("listening on %s", self.path)

    def check_free(self) -> None:
        """Refuse early (before the model loads) if a daemon is already running; takes the lock."""
        ensure_runtime_dir(self.runtime_dir)
        self._lock()
        self._clear_stale()

    def _lock(self) -> None:
        if self._lock_fd is not None:
            return
        fd = os.open(self.runtime_dir, os.O_RDONLY | os.O_CLOEXEC)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise DaemonError(f"cannot lock {self.runtime_dir}: {exc.strerror or exc}") from exc
            reply = client.ping(self.path)
            raise DaemonAlreadyRunningError(_already_running(reply)) from exc
        self._lock_fd = fd

    def _clear_stale(self) -> None:
        try:
            info = self.path.lstat()
        except FileNotFoundError:
            return
        reply = client.ping(self.path)
        if reply is not None:  # a daemon that predates the lock, or one in another mount namespace
            raise DaemonAlreadyRunningError(_already_running(reply))
        if stat.S_ISDIR(info.st_mode):  # not ours to remove: it may hold someone's files
            raise DaemonError(
                f"{self.path} is a directory, not the daemon's socket; move it out of the way "
                "(or set XDG_RUNTIME_DIR elsewhere) and start the daemon again"
            )
        kind = "socket" if stat.S_ISSOCK(info.st_mode) else "file"
        log.warning(
            "replacing a stale %s at %s (left by a daemon that did not exit cleanly)", kind, self.path
        )
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            raise DaemonError(
                f"cannot remove the stale {kind} at {self.path}: {exc.strerror or exc}; "
                "remove it yourself and start the daemon again"
            ) from exc

    def close(self) -> None:
        """Stop listening, remove our socket file (not a successor's), release the lock."""
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self._identity is not None:
            with contextlib.suppress(OSError):
                info = self.path.lstat()
                if (info.st_dev, info.st_ino) == self._identity:
                    self.path.unlink()
            self._identity = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


def _already_running(reply: dict[str, Any] | None) -> str:
    if reply is None:
        return "a dictanote daemon is already starting for this user; wait for it or stop it first"
    pid = reply.get("pid")
    return (
        f"a dictanote daemon is already running (pid {pid}); use `dictanote toggle`, "
        f"or stop it with `kill {pid}` (or `systemctl --user stop dictanote`)"
    )


def read_request_line(conn: socket.socket, deadline_s: float = READ_TIMEOUT_S) -> bytes | None:
    """One request line from a client, or None at end of input.

    ``TimeoutError`` when the whole line has not arrived within ``deadline_s`` (however
    steadily it trickles in); ``DaemonError`` if it is too long.
    """
    deadline = time.monotonic() + deadline_s
    data = b""
    while b"\n" not in data:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        conn.settimeout(left)
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_LINE:
            raise DaemonError(f"the request is longer than {MAX_LINE} bytes")
    line = data.split(b"\n", 1)[0].strip()
    return line or None


def serve_connection(conn: socket.socket, handle: Handler, deadline_s: float = READ_TIMEOUT_S) -> None:
    """Answer one client's request. Never raises: every failure becomes ``{"ok": false}``."""
    with conn:
        try:
            line = read_request_line(conn, deadline_s)
            if line is None:
                return
            request = parse_request(line)
            conn.settimeout(None)  # `stop` replies after the draft is saved
            reply = handle(request)
        except DictanoteError as exc:
            reply = ErrorReply(str(exc), exc.exit_code)
        except TimeoutError:
            reply = ErrorReply(f"no complete request line within {deadline_s:g} s")
        except Exception as exc:  # the one catch-all: log, answer, go back to waiting
            log.exception("request failed")
            reply = ErrorReply(f"internal error in the daemon ({type(exc).__name__}); see its log")
        try:
            conn.settimeout(deadline_s)
            conn.sendall(encode_line(reply.to_dict()))
        except OSError as exc:  # the client gave up waiting; the work itself is done
            log.info("could not deliver a reply: %s", exc.strerror or type(exc).__name__)


class Server:
    """The accept loop: serves requests until SIGTERM/SIGINT (or ``request_shutdown``)."""

    def __init__(
        self, control: ControlSocket, handle: Handler, read_deadline_s: float = READ_TIMEOUT_S
    ) -> None:
        self.control = control
        self.handle = handle
        self.read_deadline_s = read_deadline_s
        self._wake_r, self._wake_w = os.pipe()  # not inheritable (PEP 446)
        os.set_blocking(self._wake_w, False)
        self._stopping = threading.Event()
        self._workers: list[threading.Thread] = []
        self.signal_received: int | None = None

    def request_shutdown(self, signum: int | None = None) -> None:
        """Leave the accept loop (safe from a signal handler or any thread)."""
        if signum is not None and self.signal_received is None:
            self.signal_received = signum
        self._stopping.set()
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    def install_signal_handlers(self) -> None:
        """SIGTERM and SIGINT end the loop; the caller then finishes the draft in progress.

        The kernel may hand a signal to any thread (a request's, the recording's): Python then runs the
        handler only once the main thread wakes, and it sleeps in ``select``. The wake-up fd makes the
        signal itself wake it (the byte lands in the pipe ``select`` watches).
        """

        def on_signal(signum: int, _frame: object) -> None:
            self.request_shutdown(signum)

        signal.set_wakeup_fd(self._wake_w, warn_on_full_buffer=False)
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)

    def serve_forever(self) -> None:
        """Accept and serve connections until asked to stop; sleeps in ``select`` while idle."""
        listener = self.control.sock
        if listener is None:
            raise DaemonError("the control socket is not open")
        with selectors.DefaultSelector() as selector:
            selector.register(listener, selectors.EVENT_READ, "accept")
            selector.register(self._wake_r, selectors.EVENT_READ, "wake")
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.data == "accept":
                        self._accept(listener)
        log.info("leaving the accept loop (signal %s)", self.signal_received)

    def _accept(self, listener: socket.socket) -> None:
        try:
            conn, _ = listener.accept()
        except OSError as exc:
            log.warning("accept failed: %s", exc.strerror or type(exc).__name__)
            return
        conn.set_inheritable(False)
        worker = threading.Thread(
            target=serve_connection,
            args=(conn, self.handle, self.read_deadline_s),
            name="dictanote-request",
            daemon=True,
        )
        worker.start()
        self._workers = [t for t in self._workers if t.is_alive()] + [worker]

    def join_workers(self, timeout: float = 10.0) -> None:
        """Let requests in flight deliver their replies before the process exits."""
        for worker in self._workers:
            worker.join(timeout)

    def close(self) -> None:
        """Close the wake pipe (no longer the signals' wake-up fd) and the control socket."""
        with contextlib.suppress(ValueError):  # not the main thread: the handlers were never installed
            if signal.set_wakeup_fd(-1) not in (-1, self._wake_w):
                log.debug("the signal wake-up fd was not ours")
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.control.close()
