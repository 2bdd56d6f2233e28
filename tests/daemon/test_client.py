"""The daemon's client (``daemon/client.py``): one request, one reply, refusals with their exit code.

The clients as the command line runs them (output lines, exit codes, import time) are in test_daemon.py.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dictanote.core.errors import (
    BadInputError,
    CaptureError,
    DaemonError,
    DaemonNotRunningError,
    DictanoteError,
    StoreError,
)
from dictanote.daemon import Request, command, send, socket_path
from dictanote.daemon.client import ping, reply_timeout
from dictanote.daemon.replies import StartReply

Serve = Callable[[Callable[..., object]], Path]


def test_daemon_client_without_daemon_raises_not_running(isolated_dirs: dict[str, Path]) -> None:
    path = socket_path(isolated_dirs["runtime"] / "dictanote")
    with pytest.raises(DaemonNotRunningError):
        send(path, Request("status"))
    assert ping(path) is None


def test_daemon_client_command_returns_the_reply_as_a_dict(serve_socket: Serve) -> None:
    seen: list[Request] = []

    def handler(request: Request) -> StartReply:
        seen.append(request)
        return StartReply(private=request.private)

    path = serve_socket(handler)
    assert command(path, "start", private=True) == {"ok": True, "state": "recording", "private": True}
    assert seen == [Request("start", private=True)]


@pytest.mark.parametrize(
    ("error", "exit_code", "message"),
    [
        (CaptureError("no audio input device found"), 5, "no audio input device found"),
        (StoreError("the store is locked"), 4, "the store is locked"),
        (BadInputError("unknown format 'x'"), 2, "unknown format 'x'"),
        (RuntimeError("boom"), 6, "internal error in the daemon (RuntimeError); see its log"),
    ],
)
def test_daemon_client_refusal_keeps_the_exit_code_of_its_reason(
    serve_socket: Serve, error: Exception, exit_code: int, message: str
) -> None:
    def handler(_request: Request) -> Any:
        raise error

    path = serve_socket(handler)
    with pytest.raises(DaemonError) as raised:
        command(path, "toggle")
    assert raised.value.exit_code == exit_code
    assert str(raised.value) == f"the daemon refused 'toggle': {message}"
    assert isinstance(raised.value, DictanoteError)


@pytest.mark.parametrize(
    ("cmd", "seconds"), [("stop", 120.0), ("toggle", 120.0), ("start", 10.0), ("status", 10.0)]
)
def test_daemon_client_waits_long_only_for_a_stop(cmd: str, seconds: float) -> None:
    assert reply_timeout(cmd) == seconds


def test_daemon_client_retries_a_full_listen_queue_within_its_deadline(
    isolated_dirs: dict[str, Path],
) -> None:
    path = socket_path(isolated_dirs["runtime"] / "dictanote")
    path.parent.mkdir(parents=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    queued: list[socket.socket] = []
    try:
        listener.bind(str(path))
        listener.listen(0)
        while True:  # fill the queue: the next connect gets EAGAIN
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.setblocking(False)
            queued.append(sock)
            try:
                sock.connect(str(path))
            except BlockingIOError:
                break
        got: list[object] = []

        def ask() -> None:
            try:
                got.append(send(path, Request("status"), timeout=5))
            except DaemonError as exc:
                got.append(exc)

        asker = threading.Thread(target=ask)
        asker.start()
        asker.join(0.3)  # the daemon is busy for a moment, then takes every waiting connection
        for sock in queued:
            sock.close()  # what they leave in the queue reads as an empty request
        listener.settimeout(5)
        while asker.is_alive():
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(5)
                if conn.recv(4096):
                    conn.sendall(b'{"ok": true, "state": "idle"}\n')
            asker.join(0.05)
        assert got == [{"ok": True, "state": "idle"}]
    finally:
        for sock in queued:
            sock.close()
        listener.close()


def test_daemon_client_stale_socket_is_not_running_after_a_short_retry(
    isolated_dirs: dict[str, Path],
) -> None:
    path = socket_path(isolated_dirs["runtime"] / "dictanote")
    path.parent.mkdir(parents=True)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as stale:
        stale.bind(str(path))  # bound, never listening: what a killed daemon leaves
        started = time.monotonic()
        with pytest.raises(DaemonNotRunningError):
            send(path, Request("status"))
        assert time.monotonic() - started < 1.0
