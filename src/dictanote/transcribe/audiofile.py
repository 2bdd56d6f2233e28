"""Decode an audio file the user passed in into in-memory ``Audio``.

Validates the path and the container first, so that a missing, empty, non-audio
or truncated file is reported in one line instead of a decoder traceback.
Decoding is faster-whisper's (PyAV); nothing is written anywhere.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

from ..core.errors import (
    AudioInputError,
    AudioNotFoundError,
    CorruptAudioError,
    EmptyAudioError,
    NotAFileError,
    NotAudioError,
)
from ..core.types import SAMPLE_RATE, Audio

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".mp4", ".aac", ".webm")
SUPPORTED = "WAV, FLAC, MP3, OGG and M4A"
# A file whose header promises more than this fraction beyond what decodes is truncated.
# MP3 durations come from a Xing/Info header or a bitrate estimate, hence more slack.
TRUNCATION_TOLERANCE = {"wav": 0.02, "flac": 0.02, "mp3": 0.05}


def load_audio_file(path: Path) -> Audio:
    """Read, validate and decode ``path`` to 16 kHz mono float32 samples."""
    _check_path(path)
    declared, kind = _declared_duration(path)
    from faster_whisper.audio import decode_audio

    try:
        samples = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as exc:  # PyAV raises a zoo of FFmpegError subclasses
        raise _undecodable(path) from exc
    if len(samples) == 0:
        raise EmptyAudioError(f"{path} holds no audio samples")
    audio = Audio(samples=samples, source=path.name)
    if declared is not None and audio.duration_s < declared * (1 - TRUNCATION_TOLERANCE[kind]) - 0.05:
        raise CorruptAudioError(
            f"{path} looks truncated or damaged: its header says {declared:.1f} s "
            f"but only {audio.duration_s:.1f} s could be decoded"
        )
    return audio


def _check_path(path: Path) -> None:
    if not path.exists():
        raise AudioNotFoundError(f"no such file: {path}")
    if path.is_dir():
        raise NotAFileError(f"{path} is a directory, not an audio file")
    if not path.is_file():
        raise NotAFileError(f"{path} is not a regular file")
    if not os.access(path, os.R_OK):
        raise AudioInputError(f"cannot read {path}: permission denied")
    if path.stat().st_size == 0:
        raise EmptyAudioError(f"{path} is empty (0 bytes)")


def _undecodable(path: Path) -> AudioInputError:
    if path.suffix.lower() in AUDIO_SUFFIXES:
        return CorruptAudioError(f"{path} cannot be decoded: the file is damaged or truncated")
    return NotAudioError(f"{path} is not an audio file; dictanote reads {SUPPORTED}")


def _declared_duration(path: Path) -> tuple[float | None, str]:
    """The duration the file's header promises, where a header can say it, and its kind.

    WAV (RIFF chunk sizes), FLAC (STREAMINFO) and MP3 (Xing/Info header) declare
    their length; Ogg and M4A do not, so their truncation shows only as a decode
    failure (M4A) or not at all (Ogg: what remains decodes as a shorter file).
    """
    import av

    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise NotAudioError(f"{path} has no audio stream; dictanote reads {SUPPORTED}")
            stream = container.streams.audio[0]
            codec = stream.codec_context.name
            if codec.startswith("pcm_") and container.format.name == "wav":
                return _wav_data_duration(path), "wav"
            if codec == "flac" and stream.duration and stream.time_base:
                return float(stream.duration * stream.time_base), "flac"
            if container.format.name == "mp3" and container.duration:
                return container.duration / 1_000_000, "mp3"
    except AudioInputError:
        raise
    except Exception as exc:
        raise _undecodable(path) from exc
    return None, ""


def _wav_data_duration(path: Path) -> float | None:
    """Duration from a RIFF/WAVE header's ``fmt `` and ``data`` chunk sizes."""
    with path.open("rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        byte_rate = 0
        while True:
            chunk = fh.read(8)
            if len(chunk) < 8:
                return None
            chunk_id, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if chunk_id == b"fmt ":
                fmt = fh.read(size + (size & 1))
                byte_rate = struct.unpack("<I", fmt[8:12])[0] if len(fmt) >= 12 else 0
            elif chunk_id == b"data":
                if not byte_rate or size in (0, 0xFFFFFFFF):  # streamed WAVs leave it unset
                    return None
                return float(size) / byte_rate
            else:
                fh.seek(size + (size & 1), os.SEEK_CUR)
