"""The daemon's protocol (``daemon/protocol.py``): request lines checked by name, replies need ``ok``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dictanote.core.errors import DaemonError
from dictanote.daemon import Request, socket_path
from dictanote.daemon.protocol import MAX_LINE, MAX_NESTING, parse_reply, parse_request


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b'{"cmd": "start"}', Request("start")),
        (b'{"cmd": "start", "private": true}', Request("start", private=True)),
        (b'{"cmd": "toggle", "private": true}', Request("toggle", private=True)),
        (b'{"cmd": "stop", "private": false}', Request("stop")),
        (b'{"cmd": "status"}', Request("status")),
        (b'{"cmd": "status", "text": true}', Request("status", text=True)),
        (b'{"cmd": "status", "text": false}', Request("status")),
        (b'{"cmd": "cancel"}', Request("cancel")),
        (b'{"cmd": "ping"}', Request("ping")),
        (b'  {"cmd":"stop"}  ', Request("stop")),
    ],
)
def test_daemon_protocol_parses_requests(line: bytes, expected: Request) -> None:
    assert parse_request(line) == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"start", "not a JSON line"),
        (b"\xff\xfe", "not a JSON line"),
        (b'["start"]', "must be a JSON object, got list"),
        (b'{"cmd": "record"}', "unknown command 'record'; available commands: start, stop, toggle"),
        (b"{}", "unknown command None"),
        (b'{"cmd": "start", "private": "yes"}', "'private' must be true or false"),
        (b'{"cmd": "stop", "private": true}', "'private' applies to start and toggle only"),
        (b'{"cmd": "start", "words": "x"}', "unknown request key 'words'; allowed keys: cmd, private, text"),
        (b'{"cmd": "status", "text": 1}', "'text' must be true or false, got 1"),
        (b'{"cmd": "toggle", "text": true}', "'text' applies to status only, not toggle"),
        (b'{"cmd": "' + b"x" * MAX_LINE + b'"}', "the limit is 65536"),
        (b"[" * 60_000, f"nests arrays or objects deeper than {MAX_NESTING}"),
        (b'{"cmd": ' + b"[" * 100 + b"]" * 100 + b"}", f"deeper than {MAX_NESTING}"),
        (b'{"cmd": "' + b"[{" * 100 + b'\\"]"}', "unknown command '[{"),  # brackets in a string are text
    ],
)
def test_daemon_protocol_rejects_bad_requests_by_name(line: bytes, message: str) -> None:
    with pytest.raises(DaemonError, match=re.escape(message)):
        parse_request(line)


@pytest.mark.parametrize(
    "request_", [Request("start", private=True), Request("status"), Request("status", text=True)]
)
def test_daemon_protocol_request_round_trips_as_one_line(request_: Request) -> None:
    line = request_.encode()
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert parse_request(line) == request_


@pytest.mark.parametrize("line", [b'{"state": "idle"}', b'{"ok": "yes"}', b"[]", b"garbage", b'{"ok": 1}'])
def test_daemon_protocol_rejects_replies_without_ok(line: bytes) -> None:
    with pytest.raises(DaemonError):
        parse_reply(line)


def test_daemon_protocol_socket_path_too_long_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(DaemonError, match="set XDG_RUNTIME_DIR to a shorter directory"):
        socket_path(tmp_path / ("x" * 120))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b'{"cmd": "start", "client": "C1"}', Request("start", client_id="C1")),
        (b'{"cmd": "toggle", "format": "progress"}', Request("toggle", format_id="progress")),
        (
            b'{"cmd": "toggle", "private": true, "format": "soap", "client": "mr-2"}',
            Request("toggle", private=True, format_id="soap", client_id="mr-2"),
        ),
        (b'{"cmd": "stop", "client": null}', Request("stop")),
    ],
)
def test_daemon_protocol_start_carries_format_and_client(line: bytes, expected: Request) -> None:
    assert parse_request(line) == expected
    assert parse_request(expected.encode()) == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b'{"cmd": "stop", "client": "C1"}', "'client' applies to start and toggle only, not stop"),
        (b'{"cmd": "status", "format": "soap"}', "'format' applies to start and toggle only, not status"),
        (b'{"cmd": "start", "client": 7}', "'client' must be an id of 1 to 64 characters"),
        (b'{"cmd": "start", "format": " "}', "'format' must be an id of 1 to 64 characters"),
        (b'{"cmd": "start", "client": "' + b"x" * 65 + b'"}', "'client' must be an id of 1 to 64"),
        (b'{"cmd": "start", "patient": "C1"}', "allowed keys: cmd, private, text, format, client"),
    ],
)
def test_daemon_protocol_rejects_bad_format_or_client(line: bytes, message: str) -> None:
    with pytest.raises(DaemonError, match=re.escape(message)):
        parse_request(line)
