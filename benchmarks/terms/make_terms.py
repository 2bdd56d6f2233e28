"""Speak the clinical-term dictations of ``dictations.jsonl`` with two voices, into a cache.

Each dictation is synthesized by piper's bundled "joe" voice (as samples/make_samples.py
does, with its pronunciation fixes and zero noise, so the audio is repeatable) and by
espeak-ng (Debian package ``espeak-ng``), a robotic voice, and written as 16 kHz mono
16-bit FLAC. The audio (about 25 MB) is not kept in git: it goes to
``benchmarks/results/terms-audio/<voice>/<id>-<hash of the text>.flac``, so an edited
dictation is spoken again and an unchanged one is not.

    .venv/bin/python benchmarks/terms/make_terms.py [--voices piper,espeak] [--only ID ...] [--force]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import av
import numpy as np

from dictanote.evaluate import TermSpan

TERMS_DIR = Path(__file__).resolve().parent
REPO = TERMS_DIR.parents[1]
sys.path.insert(0, str(REPO / "samples"))
import make_samples  # noqa: E402  (samples/ is a folder of scripts, not a package)

if TYPE_CHECKING:
    from piper import PiperVoice

DICTATIONS = TERMS_DIR / "dictations.jsonl"
CACHE = REPO / "benchmarks" / "results" / "terms-audio"
VOICES = ("piper", "espeak")
ESPEAK_VOICE = "en-us"
ESPEAK_WPM = 160
KINDS = frozenset({"drug", "risk", "scale", "number", "date"})


@dataclass(frozen=True)
class TermDictation:
    """One dev-set dictation: the words as spoken, as a note writes them, and its labelled terms."""

    id: str
    text: str
    written: str
    spans: tuple[TermSpan, ...]

    @property
    def digest(self) -> str:
        """A short hash of the spoken text, part of the audio's file name."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:8]


def load_dictations(path: Path = DICTATIONS) -> list[TermDictation]:
    """Read and check the dev set; ``ValueError`` names the bad line."""
    out: list[TermDictation] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        entry = json.loads(line)
        spans = tuple(TermSpan(s["kind"], s["text"], s["canonical"]) for s in entry["spans"])
        for span in spans:
            if span.kind not in KINDS:
                raise ValueError(f"{path.name}:{number}: kind {span.kind!r} not in {sorted(KINDS)}")
            if span.text not in entry["text"]:
                raise ValueError(f"{path.name}:{number}: {span.text!r} is not in the spoken text")
        out.append(TermDictation(entry["id"], entry["text"], entry["written"], spans))
    return out


def audio_path(voice: str, dictation: TermDictation, cache: Path = CACHE) -> Path:
    """Where the given voice's recording of a dictation lives."""
    return cache / voice / f"{dictation.id}-{dictation.digest}.flac"


def speak_piper(voice: PiperVoice, dictation: TermDictation) -> tuple[make_samples.FloatAudio, int]:
    """The joe voice, sentence by sentence, with the samples' pauses and level."""
    sample = make_samples.Sample(
        dictation.id, "soap", "unheaded", "", (make_samples.Part(dictation.text, "subjective"),)
    )
    return make_samples.synthesize(voice, sample)


def speak_espeak(dictation: TermDictation) -> tuple[make_samples.FloatAudio, int]:
    """espeak-ng's US English voice, with half a second of silence at each end."""
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is not installed: sudo apt-get install espeak-ng")
    wav = subprocess.run(
        ["espeak-ng", "-v", ESPEAK_VOICE, "-s", str(ESPEAK_WPM), "--stdout", dictation.text],
        check=True,
        capture_output=True,
    ).stdout
    with av.open(io.BytesIO(wav)) as container:
        stream = container.streams.audio[0]
        rate = stream.rate
        frames = [f.to_ndarray().reshape(-1) for f in container.decode(stream)]
    audio = np.concatenate(frames).astype(np.float32) / 32768.0
    edge = make_samples.silence(make_samples.EDGE_SILENCE_S, rate)
    audio = np.concatenate([edge, audio, edge])
    peak = float(np.max(np.abs(audio)))
    if peak > 0:
        audio = audio * np.float32(make_samples.PEAK_LEVEL / peak)
    return audio.astype(np.float32), rate


def ensure_audio(
    dictations: Sequence[TermDictation], voices: Sequence[str], cache: Path = CACHE, force: bool = False
) -> int:
    """Synthesize every recording not yet in the cache; return how many were made."""
    made = 0
    piper_voice: PiperVoice | None = None
    for voice in voices:
        for dictation in dictations:
            path = audio_path(voice, dictation, cache)
            if path.is_file() and not force:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if voice == "piper":
                piper_voice = piper_voice or make_samples.load_voice()
                audio, rate = speak_piper(piper_voice, dictation)
            else:
                audio, rate = speak_espeak(dictation)
            for stale in path.parent.glob(f"{dictation.id}-*.flac"):
                stale.unlink()
            make_samples.write_flac(audio, rate, path)
            made += 1
    return made


def main(argv: Sequence[str] | None = None) -> int:
    """Fill the audio cache for the requested voices and dictations."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", default=",".join(VOICES), help="comma-separated: piper, espeak")
    parser.add_argument("--only", nargs="*", default=[], help="dictation ids to speak")
    parser.add_argument("--force", action="store_true", help="speak again even if cached")
    args = parser.parse_args(argv)
    voices = [v for v in args.voices.split(",") if v]
    unknown = sorted(set(voices) - set(VOICES))
    if unknown:
        print(f"unknown voice(s) {unknown}; available: {list(VOICES)}", file=sys.stderr)
        return 2
    dictations = [d for d in load_dictations() if not args.only or d.id in args.only]
    made = ensure_audio(dictations, voices, force=args.force)
    print(f"{made} recordings made, {len(dictations) * len(voices) - made} already cached in {CACHE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
