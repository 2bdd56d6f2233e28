"""The daemon's control protocol: one JSON object per line, each way.

A request is ``{"cmd": "start"|"stop"|"toggle"|"cancel"|"status"|"ping", "private": bool?,
"format": str?, "client": str?, "text": bool?}``; a reply is ``{"ok": true, ...}`` or
``{"ok": false, "error": "..."}`` (``replies`` holds their typed values). ``text`` asks ``status``
for the committed text of the dictation in progress (``status --follow``); ``format`` and ``client``
choose a started dictation's note format and client (the daemon checks them at the start). This
module only encodes and checks lines and names the socket's place; it imports nothing heavy and
never touches a socket.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import DaemonError
from ..core.safejson import JSONLimitError, load_bounded

COMMANDS = ("start", "stop", "toggle", "cancel", "status", "ping")
SOCKET_NAME = "daemon.sock"
# A request or reply longer than this is refused: the protocol carries ids, states and counts, and (asked
# for) the end of the dictation in progress, at most LIVE_TEXT_MAX characters (6 bytes each, escaped).
MAX_LINE = 64 * 1024
LIVE_TEXT_MAX = 4000
# Arrays and objects nested deeper than this are refused before the JSON parser (which recurses) sees
# them: a request is one flat object, a reply lists a few values at most.
MAX_NESTING = 8
# AF_UNIX paths are limited to 108 bytes (104 on macOS) including the final NUL.
MAX_SOCKET_PATH = 103
PROTOCOL_VERSION = 1
# A format or client id is a short name (a client id is at most 32 characters: store/clients.py).
MAX_CHOICE = 64
REQUEST_KEYS = ("cmd", "private", "text", "format", "client")


def socket_path(runtime_dir: Path) -> Path:
    """Where the daemon listens: ``<runtime dir>/daemon.sock``."""
    path = runtime_dir / SOCKET_NAME
    if len(str(path).encode()) > MAX_SOCKET_PATH:
        raise DaemonError(
            f"the control socket path {path} is longer than {MAX_SOCKET_PATH} bytes, the limit "
            "for a Unix socket; set XDG_RUNTIME_DIR to a shorter directory"
        )
    return path


@dataclass(frozen=True)
class Request:
    """One command sent to the daemon."""

    cmd: str
    private: bool = False
    text: bool = False  # status only: include the dictation's committed text
    format_id: str | None = None  # start and toggle: this dictation's note format
    client_id: str | None = None  # start and toggle: this dictation's client (an id of the list)

    def encode(self) -> bytes:
        """The request as one line of JSON."""
        data: dict[str, Any] = {"cmd": self.cmd}
        if self.private:
            data["private"] = True
        if self.format_id is not None:
            data["format"] = self.format_id
        if self.client_id is not None:
            data["client"] = self.client_id
        if self.text:
            data["text"] = True
        return encode_line(data)


def encode_line(data: dict[str, Any]) -> bytes:
    """One compact JSON object followed by a newline."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=True).encode("ascii") + b"\n"


def _decode_object(line: bytes, what: str) -> dict[str, Any]:
    if len(line) > MAX_LINE:
        raise DaemonError(f"{what} is {len(line)} bytes; the limit is {MAX_LINE}")
    try:
        data = load_bounded(line.decode("utf-8"), max_depth=MAX_NESTING)
    except JSONLimitError:
        raise DaemonError(f"{what} nests arrays or objects deeper than {MAX_NESTING}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise DaemonError(f"{what} is not a JSON line: {type(exc).__name__}") from exc
    if not isinstance(data, dict):
        raise DaemonError(f"{what} must be a JSON object, got {type(data).__name__}")
    return data


def parse_request(line: bytes) -> Request:
    """A request line checked against the protocol; DaemonError says what is wrong."""
    data = _decode_object(line, "the request")
    unknown = sorted(set(data) - set(REQUEST_KEYS))
    if unknown:
        raise DaemonError(f"unknown request key {unknown[0]!r}; allowed keys: {', '.join(REQUEST_KEYS)}")
    cmd = data.get("cmd")
    if cmd not in COMMANDS:
        raise DaemonError(f"unknown command {cmd!r}; available commands: {', '.join(COMMANDS)}")
    private = data.get("private", False)
    if not isinstance(private, bool):
        raise DaemonError(f"'private' must be true or false, got {private!r}")
    if private and cmd not in ("start", "toggle"):
        raise DaemonError(f"'private' applies to start and toggle only, not {cmd}")
    text = data.get("text", False)
    if not isinstance(text, bool):
        raise DaemonError(f"'text' must be true or false, got {text!r}")
    if text and cmd != "status":
        raise DaemonError(f"'text' applies to status only, not {cmd}")
    format_id, client_id = _choice(data, "format", cmd), _choice(data, "client", cmd)
    return Request(cmd=cmd, private=private, text=text, format_id=format_id, client_id=client_id)


def _choice(data: dict[str, Any], key: str, cmd: str) -> str | None:
    """A start's ``format`` or ``client``: a short, non-empty string, or absent."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_CHOICE:
        raise DaemonError(f"'{key}' must be an id of 1 to {MAX_CHOICE} characters")
    if cmd not in ("start", "toggle"):
        raise DaemonError(f"'{key}' applies to start and toggle only, not {cmd}")
    return value.strip()


def parse_reply(line: bytes) -> dict[str, Any]:
    """A reply line; DaemonError if it is not a JSON object with a boolean ``ok``."""
    data = _decode_object(line, "the daemon's reply")
    if not isinstance(data.get("ok"), bool):
        raise DaemonError("the daemon's reply has no 'ok' flag; is another program using its socket?")
    return data
