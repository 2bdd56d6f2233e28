"""The daemon's engines (``daemon/engine.py``): ``NoCapture`` goes idle -> recording -> idle, no draft."""

from __future__ import annotations

from dictanote.daemon.engine import NoCapture


def test_daemon_engine_no_capture_records_nothing_but_has_states() -> None:
    engine = NoCapture()
    assert engine.status().state == "idle" and not engine.status().busy
    assert engine.start(private=True) is True
    assert engine.start() is False  # one dictation at a time
    status = engine.status()
    assert (status.state, status.private, status.busy) == ("recording", True, True)
    assert status.elapsed_s >= 0.0 and status.device is None
    assert engine.stop() is None
    assert engine.status().state == "idle" and engine.status().private is False
    assert engine.cancel() is False


def test_daemon_engine_no_capture_cancel_and_disarm_drop_the_dictation() -> None:
    engine = NoCapture()
    engine.arm()
    engine.start()
    assert engine.cancel() is True and engine.status().state == "idle"
    engine.start()
    engine.disarm()
    assert engine.status().state == "idle"
    engine.start()
    engine.close()
    assert engine.status().state == "idle"
