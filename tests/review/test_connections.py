"""The review server's connections: idle ones hold no thread and are closed, a request trickled in is cut
at its deadline (408), and beyond its handler threads the server answers 503 at once.

Over the real server (the ``review_server`` fixture) with its limits made short, and raw sockets.
"""

from __future__ import annotations

import socket
import time
from dataclasses import replace
from typing import Any

import psutil

from tests.review.client import assert_refused_properly, exchange, login, parse_raw, wait_for


def _threads() -> int:
    return int(psutil.Process().num_threads())


def test_connections_idle_ones_hold_no_thread_and_are_closed_after_the_timeout(review_server: Any) -> None:
    server = review_server.server
    server.limits = replace(server.limits, socket_timeout=0.5)
    client = login(review_server)
    before = _threads()
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(200)]
    try:
        started = time.monotonic()
        assert client.request("/").status == 200
        assert time.monotonic() - started < 2, "a normal request is answered at once"
        assert _threads() <= before + server.limits.max_handlers
        assert all(sock.recv(1) == b"" for sock in idle), "idle connections are closed"
        assert time.monotonic() - started < 5
    finally:
        for sock in idle:
            sock.close()


def test_connections_request_trickled_in_is_cut_at_its_deadline_with_a_408(review_server: Any) -> None:
    server = review_server.server
    server.limits = replace(server.limits, socket_timeout=0.5, request_deadline=1.0)
    received, closed = b"", False
    with socket.create_connection(("127.0.0.1", server.port), timeout=0.2) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\n")
        started = time.monotonic()
        while not closed and time.monotonic() - started < 5:
            try:
                sock.sendall(b"X-Slow: 1\r\n")  # a byte now and then: no single read ever times out
                chunk = sock.recv(65536)
                received, closed = received + chunk, not chunk
            except TimeoutError:
                pass
            except (BrokenPipeError, ConnectionResetError):
                closed = True
        assert closed and time.monotonic() - started < 3
    assert_refused_properly(parse_raw(received, closed), 408)


def test_connections_beyond_the_handler_threads_a_request_gets_503_at_once(review_server: Any) -> None:
    server = review_server.server
    server.limits = replace(server.limits, max_handlers=2)
    client = login(review_server)
    wait_for(lambda: server.busy == 0)
    held = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(2)]
    try:
        for sock in held:
            sock.sendall(b"GET / HTTP/1.1\r\n")  # a started request holds a handler thread
        wait_for(lambda: server.busy == 2)
        started = time.monotonic()
        assert_refused_properly(
            exchange(server.port, f"GET / HTTP/1.1\r\nHost: {client.base[7:]}\r\n\r\n".encode()), 503
        )
        assert time.monotonic() - started < 2
    finally:
        for sock in held:
            sock.close()
    wait_for(lambda: server.busy == 0)
    assert client.request("/").status == 200
