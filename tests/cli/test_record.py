"""`dictanote record`, in process, over a stand-in for ``LiveDictation``: what it asks for and prints.

Recording from a real (virtual) microphone is tested in tests/capture/.
"""

from __future__ import annotations

import json
import signal
from types import SimpleNamespace
from typing import Any

import pytest

import dictanote.app
from dictanote.app import Dictation, DraftResult
from dictanote.cli import record
from dictanote.cli.root import main
from tests.util import make_draft


class StandIn:
    """Records what the command asked of the live engine; stops at once with a fixed draft."""

    def __init__(self, result: DraftResult, options: Any, callbacks: Any) -> None:
        self.result = result
        self.options = options
        self.callbacks = callbacks
        self.calls: list[str] = []

    def __enter__(self) -> StandIn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.calls.append("closed")

    def arm(self) -> None:
        self.calls.append("arm")

    def start(self, *, private: bool = False) -> bool:
        self.calls.append(f"start private={private}")
        return True

    def wait_autostop(self, timeout: float | None = None) -> str:
        return "silence"

    def stop(self) -> Any:
        self.calls.append("stop")
        return SimpleNamespace(result=self.result, warnings=("no speech in the last 5 s",))


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch, dictation: Dictation) -> list[StandIn]:
    """``LiveDictation`` replaced by stand-ins (listed as they are made), which hand back a DAP draft."""
    draft = make_draft("dap", {"data": ["Client arrived early."], "plan": ["Meet next week."]})
    result = DraftResult(draft, dictation.format("dap"), (), private_format=dictation.private_format)
    made: list[StandIn] = []

    def make(dictation: Dictation, options: Any, callbacks: Any) -> StandIn:
        made.append(StandIn(result, options, callbacks))
        return made[-1]

    monkeypatch.setattr(dictanote.app, "LiveDictation", make)
    return made


def test_cli_record_passes_options_and_prints_the_draft(
    live: list[StandIn], capsys: pytest.CaptureFixture[str]
) -> None:
    before = signal.getsignal(signal.SIGTERM)
    args = ["record", "-f", "dap", "--device", "3", "--max-seconds", "60", "--silence-stop", "2", "--private"]
    assert main([*args, "--json"]) == 0
    out, err = capsys.readouterr()
    (engine,) = live
    assert json.loads(out) == engine.result.to_json()
    assert err == (
        "dictanote: recording; press Enter or Ctrl-C to stop\ndictanote: warning: no speech in the last 5 s\n"
    )
    assert engine.calls == ["arm", "start private=True", "stop", "closed"]
    options = engine.options
    assert (options.device, options.max_seconds, options.warn_before_s) == (3, 60.0, 15.0)
    assert (options.silence_stop_s, options.format_id, options.tones) == (2.0, "dap", False)
    assert signal.getsignal(signal.SIGTERM) == before


def test_cli_record_saves_after_printing(
    live: list[StandIn], dictation: Dictation, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["record", "--save", "--device", "USB mic"]) == 0
    out, err = capsys.readouterr()
    assert "## Data\nClient arrived early." in out
    assert err.endswith("dictanote: saved as draft 1 in the inbox\n")
    assert live[0].options.device == "USB mic"
    with dictation.open_store() as store:
        assert [d.source for d in store.list_drafts()] == ["record"]


def test_cli_record_meter_is_silent_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    meter = record._Meter(enabled=False)
    meter(0.5, 12.0)
    meter.done()
    assert capsys.readouterr().err == ""
