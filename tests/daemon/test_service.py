"""The daemon as a process (``daemon/service.py``): assembled, serving, and finishing on a signal.

``--no-capture`` here (the socket, the controller and signal handling, no audio); what capture and
saving do end to end is in tests/integration/test_daemon_e2e.py.
"""

from __future__ import annotations

import signal
from typing import Any

import pytest

from dictanote import __version__
from dictanote.daemon.protocol import PROTOCOL_VERSION


def test_daemon_service_answers_ping_with_pid_version_and_protocol(start_daemon: Any) -> None:
    daemon = start_daemon("--no-capture")
    assert daemon.request("ping") == {
        "ok": True,
        "pid": daemon.proc.pid,
        "version": __version__,
        "protocol": PROTOCOL_VERSION,
    }
    status = daemon.request("status")
    assert status["capture"] is False and "armed" not in status and status["pid"] == daemon.proc.pid


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_daemon_lifecycle_signal_exits_cleanly_and_removes_socket(start_daemon: Any, sig: int) -> None:
    daemon = start_daemon("--no-capture")
    assert daemon.request("start")["state"] == "recording"
    assert daemon.finish(sig) == 0
    assert not daemon.socket.exists()
    assert "Traceback" not in daemon.log_text()
