"""The daemon's control socket (``daemon/server.py``): permissions, the lock, stale sockets, the catch-all.

In process where the socket is enough; with a real ``dictanote daemon --no-capture`` process where the
lock, a crash or a misbehaving client matter.
"""

from __future__ import annotations

import os
import socket
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dictanote.core.errors import CaptureError, DaemonAlreadyRunningError
from dictanote.daemon import Request, send, socket_path
from dictanote.daemon.client import ping
from dictanote.daemon.protocol import MAX_LINE, encode_line, parse_reply
from dictanote.daemon.server import ControlSocket, Server, ensure_runtime_dir, serve_connection
from tests.util import run_cli


@dataclass(frozen=True)
class _Reply:
    """A reply of the test's own: the server sends anything with a ``to_dict``."""

    data: tuple[tuple[str, Any], ...]

    @classmethod
    def of(cls, **data: Any) -> _Reply:
        return cls(tuple(data.items()))

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)


# --- socket and lock, in process ----------------------------------------------------


def test_daemon_server_runtime_dir_and_socket_are_owner_only(isolated_dirs: dict[str, Path]) -> None:
    runtime = isolated_dirs["runtime"] / "dictanote"
    runtime.mkdir(parents=True, mode=0o755)
    runtime.chmod(0o755)
    control = ControlSocket(runtime)
    control.open()
    try:
        assert stat.S_IMODE(runtime.stat().st_mode) == 0o700
        info = control.path.stat()
        assert stat.S_ISSOCK(info.st_mode)
        assert stat.S_IMODE(info.st_mode) == 0o600
        assert control.sock is not None and not control.sock.get_inheritable()
    finally:
        control.close()
    assert not control.path.exists()


def test_daemon_server_second_socket_in_process_is_refused(isolated_dirs: dict[str, Path]) -> None:
    runtime = ensure_runtime_dir(isolated_dirs["runtime"] / "dictanote")
    first = ControlSocket(runtime)
    first.open()
    try:
        with pytest.raises(DaemonAlreadyRunningError):
            ControlSocket(runtime).open()
    finally:
        first.close()


def _serve_once(handler: Any, line: bytes) -> dict[str, Any]:
    left, right = socket.socketpair()
    with left:
        worker = threading.Thread(target=serve_connection, args=(right, handler))
        worker.start()
        left.sendall(line)
        left.shutdown(socket.SHUT_WR)
        data = left.makefile("rb").readline()
        worker.join(5)
    return parse_reply(data)


def test_daemon_server_catch_all_replies_ok_false_and_keeps_serving() -> None:
    calls: list[str] = []

    def handler(request: Request) -> _Reply:
        calls.append(request.cmd)
        if request.cmd == "start":
            raise RuntimeError("boom")
        return _Reply.of(ok=True, state="idle")

    reply = _serve_once(handler, b'{"cmd": "start"}\n')
    assert reply == {"ok": False, "error": "internal error in the daemon (RuntimeError); see its log"}
    reply = _serve_once(handler, b'{"cmd": "stop", "private": true}\n')
    assert reply["ok"] is False and reply["exit_code"] == 6
    assert _serve_once(handler, b'{"cmd": "status"}\n') == {"ok": True, "state": "idle"}
    assert calls == ["start", "status"]


def test_daemon_server_refusal_carries_the_exit_code_of_its_reason() -> None:
    def handler(_request: Request) -> _Reply:
        raise CaptureError("no audio input device found")

    assert _serve_once(handler, b'{"cmd": "toggle"}\n') == {
        "ok": False,
        "error": "no audio input device found",
        "exit_code": 5,
    }


def test_daemon_lifecycle_a_signal_delivered_to_another_thread_still_ends_the_loop(
    isolated_dirs: dict[str, Path],
) -> None:
    # The kernel may hand SIGTERM to any thread of the daemon; Python runs the handler on the main
    # thread only when it wakes, and it sleeps in select: before the wake-up fd it slept on.
    import signal

    control = ControlSocket(ensure_runtime_dir(isolated_dirs["runtime"] / "dictanote"))
    control.open()
    server = Server(control, lambda request: _Reply.of(ok=True, cmd=request.cmd))
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    server.install_signal_handlers()
    rescued = threading.Event()

    def elsewhere() -> None:
        time.sleep(0.3)
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)  # to this thread, not the main one
        if not server._stopping.wait(10):
            rescued.set()
            server.request_shutdown()

    other = threading.Thread(target=elsewhere)
    try:
        other.start()
        server.serve_forever()  # on the main thread, as in the daemon
    finally:
        other.join(15)
        server.close()
        for s, handler in before.items():
            signal.signal(s, handler)
    assert not rescued.is_set(), "the loop slept through SIGTERM until another thread woke it"
    assert server.signal_received == signal.SIGTERM


def test_daemon_lifecycle_server_answers_status_while_another_request_waits(
    isolated_dirs: dict[str, Path],
) -> None:
    release = threading.Event()

    def handler(request: Request) -> _Reply:
        if request.cmd == "stop":
            release.wait(10)  # a slow stop: transcribing the tail, saving
        return _Reply.of(ok=True, cmd=request.cmd)

    control = ControlSocket(ensure_runtime_dir(isolated_dirs["runtime"] / "dictanote"))
    control.open()
    server = Server(control, handler)
    loop = threading.Thread(target=server.serve_forever)
    loop.start()
    try:
        slow: list[dict[str, Any]] = []
        stopper = threading.Thread(target=lambda: slow.append(send(control.path, Request("stop"))))
        stopper.start()
        assert send(control.path, Request("status"), timeout=5)["cmd"] == "status"
        release.set()
        stopper.join(10)
        assert slow == [{"ok": True, "cmd": "stop"}]
    finally:
        server.request_shutdown()
        loop.join(10)
        server.join_workers()
        server.close()
    assert not control.path.exists() and os.listdir(control.runtime_dir) == []


# --- a real daemon process ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"hello\n", "not a JSON line"),
        (b'{"cmd": "explode"}\n', "unknown command 'explode'"),
        (b'{"cmd": "stop", "private": true}\n', "'private' applies to start and toggle only"),
        (b"x" * (MAX_LINE + 10), "longer than 65536 bytes"),
        (encode_line({"cmd": "status", "note": "x"}), "unknown request key 'note'"),
        (encode_line({"cmd": "status", "text": "x"}), "'text' must be true or false"),
    ],
)
def test_daemon_lifecycle_bad_requests_get_ok_false_and_daemon_keeps_serving(
    start_daemon: Any, raw: bytes, error: str
) -> None:
    daemon = start_daemon("--no-capture")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(str(daemon.socket))
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)
        reply = parse_reply(sock.makefile("rb").readline())
    assert reply["ok"] is False and error in reply["error"]
    assert daemon.request("status")["ok"] is True


def test_daemon_lifecycle_silent_client_times_out_without_blocking_others(start_daemon: Any) -> None:
    daemon = start_daemon("--no-capture")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as idle_client:
        idle_client.connect(str(daemon.socket))  # says nothing
        assert daemon.request("start")["state"] == "recording"
        assert daemon.request("status")["state"] == "recording"


def test_daemon_lifecycle_second_daemon_is_refused(start_daemon: Any) -> None:
    first = start_daemon("--no-capture")
    result = run_cli("daemon", "--no-capture", "--no-notify")
    assert result.returncode == 6
    assert result.stderr.strip().splitlines() == [
        f"dictanote: error: a dictanote daemon is already running (pid {first.proc.pid}); use "
        f"`dictanote toggle`, or stop it with `kill {first.proc.pid}` (or `systemctl --user stop dictanote`)"
    ]
    assert first.request("ping")["pid"] == first.proc.pid


def test_daemon_lifecycle_stale_socket_is_replaced(start_daemon: Any, isolated_dirs: dict[str, Path]) -> None:
    runtime = ensure_runtime_dir(isolated_dirs["runtime"] / "dictanote")
    stale = socket_path(runtime)
    crashed = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    crashed.bind(str(stale))  # bound, never listening, then gone: what a killed daemon leaves
    crashed.close()
    assert stale.exists() and ping(stale) is None
    daemon = start_daemon("--no-capture")
    assert "replacing a stale socket" in daemon.log_text()
    assert daemon.request("ping")["pid"] == daemon.proc.pid


def test_daemon_lifecycle_killed_daemon_leaves_a_socket_the_next_one_replaces(start_daemon: Any) -> None:
    first = start_daemon("--no-capture")
    first.proc.kill()
    first.proc.wait(10)
    assert first.socket.exists()
    second = start_daemon("--no-capture")
    assert second.request("status")["state"] == "idle"


# --- many clients at once, slow clients, odd things at the socket path ---------------


def test_daemon_server_queues_more_clients_than_the_old_backlog_of_16(isolated_dirs: dict[str, Path]) -> None:
    control = ControlSocket(ensure_runtime_dir(isolated_dirs["runtime"] / "dictanote"))
    control.open()  # listening, but nothing accepts yet: a daemon busy finishing a draft
    waiting: list[socket.socket] = []
    try:
        for _ in range(64):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            waiting.append(sock)
            sock.settimeout(1.0)
            sock.connect(str(control.path))  # EAGAIN past the backlog
    finally:
        for sock in waiting:
            sock.close()
        control.close()


def test_daemon_server_trickling_client_is_dropped_at_the_request_deadline(
    isolated_dirs: dict[str, Path],
) -> None:
    control = ControlSocket(ensure_runtime_dir(isolated_dirs["runtime"] / "dictanote"))
    control.open()
    server = Server(control, lambda request: _Reply.of(ok=True, cmd=request.cmd), read_deadline_s=0.5)
    loop = threading.Thread(target=server.serve_forever)
    loop.start()
    try:
        answer = b""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as slow:
            slow.connect(str(control.path))
            slow.settimeout(0.1)  # one byte every 0.1 s: each read is quick, the line never ends
            for byte in b'{"cmd": "status"' * 4:
                assert send(control.path, Request("ping"), timeout=5)["cmd"] == "ping"  # others served
                slow.sendall(bytes([byte]))
                try:
                    answer = slow.recv(4096)
                except TimeoutError:
                    continue
                break
        # Told why and dropped at the deadline, long before the 6.4 s trickle was over.
        assert parse_reply(answer.split(b"\n")[0]) == {
            "ok": False,
            "error": "no complete request line within 0.5 s",
        }
    finally:
        server.request_shutdown()
        loop.join(10)
        server.join_workers()
        server.close()


@pytest.mark.parametrize("kind", ["directory", "non-empty directory"])
def test_daemon_server_directory_at_the_socket_path_is_one_line_error(
    isolated_dirs: dict[str, Path], kind: str
) -> None:
    runtime = ensure_runtime_dir(isolated_dirs["runtime"] / "dictanote")
    there = socket_path(runtime)
    there.mkdir()
    if kind == "non-empty directory":
        (there / "keep.txt").write_text("mine", encoding="utf-8")
    result = run_cli("daemon", "--no-capture", "--no-notify")
    assert result.returncode == 6, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"dictanote: error: {there} is a directory, not the daemon's socket; "
        "move it out of the way (or set XDG_RUNTIME_DIR elsewhere) and start the daemon again"
    ]
    assert there.is_dir()
    assert kind == "directory" or (there / "keep.txt").read_text(encoding="utf-8") == "mine"
