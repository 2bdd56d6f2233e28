"""Measure transcription speed and accuracy on our samples, against plain faster-whisper.

For each decoding setting (threads, voice-activity filter) it loads the model,
transcribes every sample in samples/ (and ../shared/audio when present), and
reports load time, transcription time, real-time factor and WER per file (and the
WER once the clinical vocabulary layer has corrected the transcript, as a draft does). The
baseline is what a user gets from faster-whisper with its defaults (4 threads,
beam 5, no VAD), measured in the same run; speed is reported as a ratio to it.

    .venv/bin/python benchmarks/transcribe.py [--repeat N] [--only ID ...] [--json OUT]
        [--default-only] [--hotwords "sertraline olanzapine ..."] [--prompt "Denies SI and HI. ..."]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from dictanote.core.types import Audio, DecodingOptions
from dictanote.core.vocabulary import Vocabulary, load_lexicon
from dictanote.evaluate import word_error_rate
from dictanote.segment.correct import correct
from dictanote.transcribe import Transcriber, load_audio_file
from dictanote.transcribe.models import embedded_model

REPO = Path(__file__).resolve().parents[1]
SHARED_AUDIO = REPO.parent / "shared" / "audio"


@dataclass(frozen=True)
class Case:
    """One audio file with its reference text."""

    id: str
    audio: Audio
    reference: str


@dataclass(frozen=True)
class Setting:
    """A named decoding configuration."""

    name: str
    options: DecodingOptions


SETTINGS = (
    Setting("dictanote default (1 thread, VAD)", DecodingOptions(cpu_threads=1, vad_filter=True)),
    Setting("1 thread, no VAD", DecodingOptions(cpu_threads=1, vad_filter=False)),
    Setting("2 threads, VAD", DecodingOptions(cpu_threads=2, vad_filter=True)),
    Setting("2 threads, no VAD", DecodingOptions(cpu_threads=2, vad_filter=False)),
)
BASELINE = Setting(
    "faster-whisper defaults (4 threads, no VAD)", DecodingOptions(cpu_threads=4, vad_filter=False)
)


def load_cases(only: list[str]) -> list[Case]:
    """Our samples, then the shared human recordings, each with its reference text."""
    files = sorted((REPO / "samples").glob("*.flac"))
    if SHARED_AUDIO.is_dir():
        files += sorted(SHARED_AUDIO.glob("*.flac"))
    cases = []
    for path in files:
        if only and path.stem not in only:
            continue
        reference = path.with_suffix(".txt").read_text(encoding="utf-8")
        cases.append(Case(path.stem, load_audio_file(path), reference))
    return cases


def measure(setting: Setting, cases: list[Case], repeat: int) -> dict[str, object]:
    """Load once, then transcribe every case ``repeat`` times; keep the median time."""
    engine = Transcriber(embedded_model(), setting.options)
    load_s = engine.load()
    lexicon = load_lexicon(Vocabulary())  # the shipped lexicon: what a draft's corrections use
    rows = []
    for case in cases:
        times, text = [], ""
        for _ in range(repeat):
            started = time.perf_counter()
            text = engine.transcribe(case.audio).text
            times.append(time.perf_counter() - started)
        seconds = statistics.median(times)
        rows.append(
            {
                "id": case.id,
                "duration_s": round(case.audio.duration_s, 1),
                "transcribe_s": round(seconds, 3),
                "rtf": round(seconds / case.audio.duration_s, 4),
                "wer": round(word_error_rate(case.reference, text), 4),
                "wer_corrected": round(word_error_rate(case.reference, correct(text, lexicon)[0]), 4),
            }
        )
    return {"setting": setting.name, "load_s": round(load_s, 3), "files": rows}


def report(results: list[dict[str, object]]) -> None:
    """Print one table per setting and a summary with ratios to the baseline."""
    base = results[-1]
    base_total = sum(r["transcribe_s"] for r in base["files"])  # type: ignore[misc, union-attr]
    for res in results:
        files = res["files"]
        print(f"\n## {res['setting']}  (model load {res['load_s']} s)")
        print(f"{'file':<28}{'audio s':>8}{'time s':>9}{'RTF':>8}{'WER':>8}")
        for r in files:  # type: ignore[attr-defined]
            print(
                f"{r['id']:<28}{r['duration_s']:>8}{r['transcribe_s']:>9.2f}{r['rtf']:>8.3f}{r['wer']:>8.1%}"
            )
    print("\n## Summary (time ratio: total transcription time / baseline's, same run)")
    for res in results:
        files = res["files"]
        total = sum(r["transcribe_s"] for r in files)  # type: ignore[attr-defined]
        wers = [r["wer"] for r in files]  # type: ignore[attr-defined]
        fixed = [r["wer_corrected"] for r in files]  # type: ignore[attr-defined]
        print(
            f"{res['setting']:<46} total {total:6.2f} s  ratio {total / base_total:5.2f}  "
            f"mean WER {statistics.mean(wers):6.1%}  max WER {max(wers):6.1%}  "
            f"corrected: mean {statistics.mean(fixed):6.1%}"
        )


def main() -> int:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="transcriptions per file (median kept)")
    parser.add_argument("--only", nargs="*", default=[], help="sample ids to include")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument(
        "--hotwords",
        help="also measure the default setting with these vocabulary terms as hotwords",
    )
    parser.add_argument("--prompt", help="also measure the default setting with this initial prompt")
    parser.add_argument(
        "--default-only",
        action="store_true",
        help="measure only the default setting (and hotwords, if given) against the baseline",
    )
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    cases = load_cases(args.only)
    if not cases:
        print("no audio found", file=sys.stderr)
        return 2
    total_s = sum(c.audio.duration_s for c in cases)
    print(f"{len(cases)} files, {total_s:.0f} s of audio, {os.cpu_count()} CPUs")
    settings = list(SETTINGS[:1] if args.default_only else SETTINGS)
    if args.hotwords:
        options = DecodingOptions(cpu_threads=1, vad_filter=True, hotwords=args.hotwords)
        settings.append(Setting(f"default + hotwords ({args.hotwords[:30]}...)", options))
    if args.prompt:
        options = DecodingOptions(cpu_threads=1, vad_filter=True, initial_prompt=args.prompt)
        settings.append(Setting(f"default + prompt ({args.prompt[:30]}...)", options))
    results = [measure(s, cases, args.repeat) for s in (*settings, BASELINE)]
    report(results)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
