"""`dictanote review`, in process, over a stand-in server: what it starts, prints and closes.

The real server, its security and pages are tested in tests/review/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import dictanote.review.server
from dictanote.app import Dictation
from dictanote.cli.root import main


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
