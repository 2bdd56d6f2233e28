"""transcribe/audiofile.py: every supported container decodes; every bad file is one clear error."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest

from dictanote.core.errors import (
    AudioNotFoundError,
    CorruptAudioError,
    EmptyAudioError,
    NotAFileError,
    NotAudioError,
)
from dictanote.transcribe import load_audio_file
from tests.util import write_audio


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".mp3", ".ogg", ".m4a"])
def test_audiofile_reads_every_supported_container(tmp_path: Path, suffix: str) -> None:
    audio = load_audio_file(write_audio(tmp_path / f"tone{suffix}", seconds=2.0))
    assert audio.sample_rate == 16_000
    assert audio.duration_s == pytest.approx(2.0, abs=0.15)  # AAC adds priming samples
    assert audio.samples.dtype.name == "float32"


def _truncate(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"\x00\xff\xff\xff"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda d: d / "missing.wav", AudioNotFoundError, "no such file"),
        (lambda d: d, NotAFileError, "is a directory"),
        (
            lambda d: _write(d / "notes.txt", b"Client reported feeling better.\n"),
            NotAudioError,
            "is not an audio file",
        ),
        (
            lambda d: _write(d / "fake.wav", b"RIFF this is not really audio" * 20),
            CorruptAudioError,
            "cannot be decoded",
        ),
        (lambda d: _write(d / "empty.wav", b""), EmptyAudioError, "is empty (0 bytes)"),
        (
            lambda d: _truncate(write_audio(d / "cut.flac", 3.0)),
            CorruptAudioError,
            "looks truncated",
        ),
        (
            lambda d: _truncate(write_audio(d / "cut.wav", 3.0)),
            CorruptAudioError,
            "looks truncated",
        ),
        (
            lambda d: _truncate(write_audio(d / "cut.mp3", 3.0)),
            CorruptAudioError,
            "looks truncated",
        ),
        (
            lambda d: _truncate(write_audio(d / "cut.m4a", 3.0)),
            CorruptAudioError,
            "damaged or truncated",
        ),
        (lambda d: _write(d / "image.png", _png()), NotAudioError, "no audio stream"),
    ],
)
def test_audiofile_bad_audio_is_one_clear_error(tmp_path: Path, make, error, message) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    with pytest.raises(error) as info:
        load_audio_file(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_audiofile_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads files whatever their mode")
    path = write_audio(tmp_path / "locked.wav")
    path.chmod(0)
    with pytest.raises(Exception, match="permission denied"):
        load_audio_file(path)
