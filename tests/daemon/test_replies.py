"""The daemon's replies (``daemon/replies.py``): each typed value gives exactly the documented JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dictanote.daemon.protocol import LIVE_TEXT_MAX
from dictanote.daemon.replies import (
    CancelReply,
    CaptureStatus,
    DraftSummary,
    ErrorReply,
    IgnoredStartReply,
    NoDraftReply,
    PingReply,
    Reply,
    StartReply,
    StatusReply,
    StopReply,
    StopTiming,
)
from tests.util import REPO

SOAP_12 = DraftSummary(12, "clinical", "soap", "SOAP", 4, 4, False, "2026-11-29T19:09:17Z")
SOAP_12_JSON = {
    "id": 12,
    "record": "clinical",
    "format": "soap",
    "label": "SOAP",
    "fields_filled": 4,
    "fields_total": 4,
    "private_companion": False,
    "saved_at": "2026-11-29T19:09:17Z",
}
MIC = CaptureStatus(
    armed=True,
    level=0.42,
    chunks_done=2,
    chunks_pending=0,
    device="pulse",
    format="soap",
    max_seconds=600.0,
)
MIC_JSON = {
    "armed": True,
    "level": 0.42,
    "chunks_done": 2,
    "chunks_pending": 0,
    "device": "pulse",
    "format": "soap",
    "max_seconds": 600.0,
}
STATUS_JSON = {
    "ok": True,
    "state": "recording",
    "elapsed_s": 12.4,
    "private": True,
    "capture": False,
    "last_draft": SOAP_12_JSON,
    "last_error": "cannot start recording: no audio input device found",
    "last_ignored_start": "2026-11-29T19:09:17Z",
    "unsaved": 1,
    "hotkey": "unavailable: no X display (DISPLAY is not set)",
    "pid": 4242,
}
STATUS = StatusReply(
    state="recording",
    elapsed_s=12.43,
    private=True,
    last_draft=SOAP_12,
    last_error="cannot start recording: no audio input device found",
    last_ignored_start="2026-11-29T19:09:17Z",
    unsaved=1,
    hotkey="unavailable: no X display (DISPLAY is not set)",
    pid=4242,
)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (
            PingReply(pid=4242, version="0.1.0"),
            {"ok": True, "pid": 4242, "version": "0.1.0", "protocol": 1},
        ),
        (StartReply(), {"ok": True, "state": "recording", "private": False}),
        (StartReply(private=True), {"ok": True, "state": "recording", "private": True}),
        (
            IgnoredStartReply("recording"),
            {"ok": True, "ignored": True, "state": "recording", "reason": "already recording"},
        ),
        (
            IgnoredStartReply("finishing"),
            {"ok": True, "ignored": True, "state": "finishing", "reason": "already finishing"},
        ),
        (
            StopReply(
                draft=SOAP_12,
                stopped_by="cap",
                timing=StopTiming(600.0412, 0.41234, 0.3001, 6, 0.46951),
                warnings=("recording stopped at the 600 s limit",),
            ),
            {
                "ok": True,
                "state": "idle",
                "draft": SOAP_12_JSON,
                "stopped_by": "cap",
                "warnings": ["recording stopped at the 600 s limit"],
                "timing": {
                    "recorded_s": 600.04,
                    "stop_to_draft_s": 0.412,
                    "tail_s": 0.3,
                    "chunks": 6,
                    "stop_to_saved_s": 0.47,
                },
            },
        ),
        (
            NoDraftReply("finishing", "not recording (finishing)"),
            {"ok": True, "state": "finishing", "draft": None, "reason": "not recording (finishing)"},
        ),
        (
            NoDraftReply("idle", "nothing was recording"),
            {"ok": True, "state": "idle", "draft": None, "reason": "nothing was recording"},
        ),
        (
            NoDraftReply("idle", "capture is off (--no-capture); nothing was recorded", recorded_s=3.14159),
            {
                "ok": True,
                "state": "idle",
                "draft": None,
                "reason": "capture is off (--no-capture); nothing was recorded",
                "timing": {"recorded_s": 3.14},
            },
        ),
        (CancelReply("idle", cancelled=True), {"ok": True, "state": "idle", "cancelled": True}),
        (CancelReply("finishing", cancelled=False), {"ok": True, "state": "finishing", "cancelled": False}),
        (STATUS, STATUS_JSON),
        (
            StatusReply("idle", 0.0, False, None, None, None, 0, None, 7, capture=MIC),
            {
                "ok": True,
                "state": "idle",
                "elapsed_s": 0.0,
                "private": False,
                "capture": True,
                "last_draft": None,
                "last_error": None,
                "last_ignored_start": None,
                "unsaved": 0,
                "hotkey": None,
                "pid": 7,
                **MIC_JSON,
            },
        ),
        (
            StatusReply(
                "recording", 3.0, True, None, None, None, 0, None, 7, capture=MIC, live_text="Denies SI."
            ),
            {
                **STATUS_JSON,
                "elapsed_s": 3.0,
                "last_draft": None,
                "last_error": None,
                "last_ignored_start": None,
            }
            | {"unsaved": 0, "hotkey": None, "pid": 7, "capture": True, **MIC_JSON}
            | {"live_text": "Denies SI.", "live_chars": 10},
        ),
        (
            StatusReply("recording", 3.0, False, None, None, None, 0, None, 7, live_text="x" * 9000 + "end."),
            {**STATUS_JSON, "elapsed_s": 3.0, "private": False, "last_draft": None, "last_error": None}
            | {"last_ignored_start": None, "unsaved": 0, "hotkey": None, "pid": 7}
            | {"live_text": ("x" * 9000 + "end.")[-LIVE_TEXT_MAX:], "live_chars": 9004},
        ),
        (ErrorReply("internal error"), {"ok": False, "error": "internal error"}),
        (
            ErrorReply("no audio input device found", exit_code=5),
            {"ok": False, "error": "no audio input device found", "exit_code": 5},
        ),
    ],
)
def test_daemon_replies_to_dict_is_the_json_contract(reply: Reply, expected: dict[str, Any]) -> None:
    data = reply.to_dict()
    assert data == expected
    assert list(data) == list(expected)  # the keys in today's order, too
    assert json.loads(json.dumps(data)) == data


def _documented_replies() -> list[dict[str, Any]]:
    """The ``←`` lines of docs/daemon.md's protocol example, each reply joined and parsed."""
    text = (REPO / "docs" / "daemon.md").read_text(encoding="utf-8")
    block = text.split("One JSON object per line each way", 1)[1].split("```", 2)[1]
    replies: list[list[str]] = []
    for line in block.splitlines():
        if line.startswith("← "):
            replies.append([line[2:]])
        elif line.startswith("   ") and replies:
            replies[-1].append(line.strip())
    return [json.loads(" ".join(parts)) for parts in replies]


def test_daemon_replies_match_the_protocol_example_in_the_docs() -> None:
    documented = [
        StartReply(private=True),
        StopReply(
            draft=DraftSummary(12, "clinical", "soap", "SOAP", 4, 4, False, "…"),
            stopped_by="stop",
            timing=StopTiming(41.2, 0.41, 0.3, 6, 0.47),
        ),
        StatusReply("recording", 12.4, False, None, None, "2026-11-29T19:09:17Z", 0, None, 4242, capture=MIC),
        ErrorReply(
            "unknown command 'explode'; available commands: start, stop, toggle, cancel, status, ping",
            exit_code=6,
        ),
    ]
    found = _documented_replies()
    assert found == [reply.to_dict() for reply in documented]
    assert [list(d) for d in found] == [list(reply.to_dict()) for reply in documented]


@pytest.mark.parametrize(
    ("summary", "message"),
    [
        (
            DraftSummary(12, "clinical", "soap", "SOAP", 4, 4, False, "t"),
            "Draft 12 (SOAP) saved: 4 of 4 fields",
        ),
        (
            DraftSummary(3, "clinical", "birp", "BIRP", 2, 4, True, "t"),
            "Draft 3 (BIRP) and a private note saved: 2 of 4 fields",
        ),
        (
            DraftSummary(5, "private", "psychotherapy", "Psychotherapy (private)", 1, 3, False, "t"),
            "Private draft 5 (Psychotherapy (private)) saved: 1 of 3 fields",
        ),
    ],
)
def test_daemon_replies_notification_names_ids_and_counts(summary: DraftSummary, message: str) -> None:
    assert summary.message() == message
