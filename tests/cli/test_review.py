"""`dictanote review`: in process over a stand-in server (what it starts, prints and closes), then as
a user runs it (the real server in a child process: its address, its refusal of a taken port).

The server itself, its security and pages are tested in tests/review/.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import dictanote.review.server
from dictanote.app import Dictation
from dictanote.cli.root import main
from tests.review.client import Client


class StandIn:
    """A server that is interrupted as soon as it serves, and a store that notes it was closed."""

    url = "http://127.0.0.1:8123/?secret=s3cret"
    port = 8123

    def __init__(self) -> None:
        self.calls: list[str] = []

    def serve_forever(self) -> None:
        self.calls.append("served")
        raise KeyboardInterrupt

    def server_close(self) -> None:
        self.calls.append("server closed")

    def close(self) -> None:
        self.calls.append("store closed")


def test_cli_review_serves_the_data_dir_until_interrupted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    stand_in = StandIn()
    asked: list[tuple[Any, int]] = []

    def make_server(dictation: Dictation, port: int) -> tuple[StandIn, StandIn]:
        asked.append((dictation, port))
        return stand_in, stand_in

    monkeypatch.setattr(dictanote.review.server, "make_server", make_server)
    assert main(["--data-dir", str(tmp_path), "review", "--port", "8123", "--no-browser"]) == 0
    out, err = capsys.readouterr()
    assert out == f"{StandIn.url}\n"
    assert err == (
        f"dictanote: review page on 127.0.0.1:8123; data in {tmp_path}; Ctrl+C stops it\n"
        "dictanote: review page stopped\n"
    )
    ((dictation, port),) = asked
    assert isinstance(dictation, Dictation) and dictation.config.paths.data_dir == tmp_path and port == 8123
    assert stand_in.calls == ["served", "server closed", "store closed"]


def test_cli_review_command_prints_the_address_without_a_browser(tmp_path: Any) -> None:
    exe = [sys.executable, "-m", "dictanote", "--data-dir", str(tmp_path / "store"), "review", "--no-browser"]
    proc = subprocess.Popen(exe, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]{40,}", line), line
        url = urlsplit(line)
        answer = Client(f"http://{url.netloc}").request(f"/?{url.query}")
        assert answer.status == 303
        assert (tmp_path / "store").is_dir()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "Traceback" not in err


def test_cli_review_command_port_in_use_is_one_line(review_server: Any, tmp_path: Any) -> None:
    exe = [
        sys.executable,
        "-m",
        "dictanote",
        "--data-dir",
        str(tmp_path / "s"),
        "review",
        "--no-browser",
        "--port",
        str(review_server.server.port),
    ]
    done = subprocess.run(exe, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--port" in done.stderr
