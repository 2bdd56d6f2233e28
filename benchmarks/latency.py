"""Stop-to-draft latency of live dictation, against batch transcription of the same audio.

Builds 30, 60 and 120 s dictations from our sample FLACs (concatenated, cut
at a pause), speaks each into a virtual microphone (a private PulseAudio
daemon with module-pipe-source, as the tests use) in real time, records it
with ``LiveDictation`` (the daemon's engine: the real PortAudio path), and
times ``stop()`` until the draft is rendered and saved in a scratch store.
The same audio is then transcribed in batch (``Transcriber.transcribe``, what
``dictanote draft`` does) and rendered and saved the same way; the ratio
streaming / batch is reported per run. Also: WER of streaming and batch on
every sample against its reference text (fed block by block, no device), and
the streamed text's WER against the batch text of the same live audio.

    python benchmarks/latency.py [--lengths 30 60 120] [--repeat 3] [--skip-wer | --wer-only] [--held-out]
        [--model NAME|PATH] [--json benchmarks/results/latency.json]

Targets (2-core machine, embedded tiny.en): median stop-to-draft <= 0.25 s at
30, 60 and 120 s, and mean streaming WER within 0.3 points of batch WER.
stop-to-draft is split into the wait for the microphone's last block, the
tail (transcribing what was left) and the rest (segment, check, render, save).
Not run in CI; the machine is often shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the tests' audio rig and samples

from tests.fixtures.audio import PulseServer, VirtualMic  # noqa: E402
from tests.util import load_samples  # noqa: E402

from dictanote.app import Dictation, DraftResult, LiveDictation, LiveOptions  # noqa: E402
from dictanote.core.config import load_config  # noqa: E402
from dictanote.core.types import Audio  # noqa: E402
from dictanote.evaluate import word_error_rate  # noqa: E402
from dictanote.transcribe import load_audio_file, resolve_model  # noqa: E402
from dictanote.transcribe.streaming import StreamingOptions, StreamingTranscription  # noqa: E402

SR = 16_000
GAP_S = 0.6  # silence between two samples in a built dictation
NO_KEYRING = "keyring.backends.fail.Keyring"


def build_dictation(seconds: float, pool: list[np.ndarray]) -> np.ndarray:
    """Samples back to back, cut at the quietest 200 ms within 2 s of ``seconds``."""
    gap = np.zeros(int(GAP_S * SR), dtype=np.float32)
    parts: list[np.ndarray] = []
    total = 0
    i = 0
    while total < (seconds + 3) * SR:
        parts += [pool[i % len(pool)], gap]
        total += len(pool[i % len(pool)]) + len(gap)
        i += 1
    audio = np.concatenate(parts)
    win = int(0.2 * SR)
    lo, hi = int((seconds - 2) * SR), int((seconds + 2) * SR)
    energy = [float(np.mean(np.square(audio[s : s + win]))) for s in range(lo, hi, win // 4)]
    cut = lo + int(np.argmin(energy)) * (win // 4) + win // 2
    return audio[:cut].copy()


def finish_draft(result: DraftResult, dictation: Dictation) -> None:
    """What happens after stop in real use: the draft rendered and put in the inbox."""
    dictation.render_result(result)
    dictation.save(result, source="benchmark")


def batch_draft(audio: np.ndarray, dictation: Dictation, format_id: str) -> tuple[float, str]:
    started = time.perf_counter()
    transcript = dictation.transcriber.transcribe(Audio(audio, "benchmark"))
    finish_draft(dictation.from_transcript(transcript, format_id), dictation)
    return time.perf_counter() - started, transcript.text


def live_run(live: LiveDictation, mic: VirtualMic, audio: np.ndarray, dictation: Dictation) -> dict[str, Any]:
    assert live.start()
    mic.play(audio)
    mic.wait_idle(len(audio) / SR + 30)
    time.sleep(0.2)  # the last block is through PulseAudio and PortAudio
    started = time.perf_counter()
    outcome = live.stop()
    assert outcome is not None and outcome.result.transcript is not None
    finish_draft(outcome.result, dictation)
    total = time.perf_counter() - started
    return {
        "stop_to_draft_s": total,
        "stop_to_checked_draft_s": outcome.timings.stop_to_draft_s,
        "tail_s": outcome.timings.tail_s,
        "wait_s": outcome.timings.wait_s,
        "chunks": outcome.timings.chunks,
        "recorded_s": outcome.timings.recorded_s,
        "text": outcome.result.transcript.text,
    }


def sample_cases() -> list[tuple[str, Audio, str]]:
    """Our samples: id, audio, reference text."""
    return [(s.id, load_audio_file(s.audio), s.text_file.read_text(encoding="utf-8")) for s in load_samples()]


def held_out_cases() -> list[tuple[str, Audio, str]]:
    """The shared corpus's dictations (never tuned on here), spoken by piper in memory as segment.py does."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    import segment as bench_segment

    voice = bench_segment._make_samples().load_voice()
    cases = [c for c in bench_segment.load_cases() if c.source == "corpus-dictations"]
    return [(c.id, bench_segment.synthesize(c, voice), c.text) for c in cases]


def wer_table(engine: Any, cases: list[tuple[str, Audio, str]]) -> list[dict[str, Any]]:
    rows = []
    for case_id, audio, reference in cases:
        batch = engine.transcribe(audio).text
        # fed as fast as it decodes; speculation off, so the table measures the cut rule alone
        # (a guess is reused only for the very same cut, and the closing silence is cut off where
        # a guess cuts it; but a guess at an earlier pause, the model busy at the last one, splits
        # the final chunk there, so it may differ with speculation on)
        stream = StreamingTranscription(engine, StreamingOptions(speculate=False))
        for i in range(0, len(audio.samples), 1600):
            stream.feed(audio.samples[i : i + 1600])
        streamed = stream.finish()
        rows.append(
            {
                "id": case_id,
                "seconds": round(audio.duration_s, 1),
                "chunks": stream.chunks_done,
                "wer_batch": word_error_rate(reference, batch),
                "wer_streaming": word_error_rate(reference, streamed.text),
            }
        )
        print(
            f"  {case_id:<24} {audio.duration_s:6.1f} s  {stream.chunks_done:3d} chunks  "
            f"batch {rows[-1]['wer_batch']:6.1%}  streaming {rows[-1]['wer_streaming']:6.1%}",
            flush=True,
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=float, nargs="+", default=[30.0, 60.0, 120.0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--format", default="soap")
    parser.add_argument("--model", help="Whisper model by name or path (default: tiny.en); e.g. base")
    parser.add_argument("--skip-wer", action="store_true", help="skip the per-sample WER table")
    parser.add_argument("--wer-only", action="store_true", help="only the WER table (no live runs)")
    parser.add_argument(
        "--held-out", action="store_true", help="the WER table also on the corpus's dictations (piper)"
    )
    parser.add_argument("--json", type=Path, default=REPO / "benchmarks" / "results" / "latency.json")
    args = parser.parse_args()

    # a model by name is found in your own models directory (dictanote models add) before the scratch dirs
    model = str(resolve_model(args.model, load_config().paths).path) if args.model else None
    scratch = Path(tempfile.mkdtemp(prefix="dictanote-latency-"))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        os.environ[name] = str(scratch / name.lower())
    # The scratch store is encrypted like a user's, with a throwaway passphrase; never the user's keyring.
    os.environ.update(DICTANOTE_PASSPHRASE="benchmark scratch store", PYTHON_KEYRING_BACKEND=NO_KEYRING)
    server = PulseServer(scratch)
    os.environ.update(server.env)
    server.start()
    mic = VirtualMic(server.fifo)
    config = load_config({"model": model})
    dictation = Dictation(config)
    engine = dictation.transcriber
    results: dict[str, Any] = {
        "machine": f"{platform.node()} {os.cpu_count()} cores (shared with other work)",
        "model": config.settings.model,
        "beam_size": config.settings.beam_size,
        "cpu_threads": config.settings.cpu_threads,
        "path": "PulseAudio module-pipe-source -> ALSA pulse plugin -> PortAudio -> LiveDictation",
        "runs": [],
    }
    try:
        pool = [load_audio_file(s.audio).samples for s in load_samples()]
        live = LiveDictation(dictation, LiveOptions(format_id=args.format, max_seconds=3600))
        live.arm()
        dictation.open_store().close()  # unlocked (and created) at start, as the daemon does
        print("stop-to-draft (stop -> draft rendered and saved), real-time feed through PulseAudio:")
        for seconds in [] if args.wer_only else args.lengths:
            audio = build_dictation(seconds, pool)
            for r in range(args.repeat):
                run = live_run(live, mic, audio, dictation)
                batch_s, batch_text = batch_draft(audio, dictation, args.format)
                run.update(
                    length_s=seconds,
                    repeat=r,
                    batch_s=batch_s,
                    ratio=run["stop_to_draft_s"] / batch_s,
                    wer_stream_vs_batch=word_error_rate(batch_text, run.pop("text")),
                )
                results["runs"].append(run)
                print(
                    f"  {seconds:5.0f} s #{r}: stop->draft {run['stop_to_draft_s']:.2f} s "
                    f"(wait {run['wait_s']:.2f} s, tail {run['tail_s']:.2f} s, {run['chunks']} chunks)  "
                    f"batch {batch_s:.2f} s  "
                    f"ratio {run['ratio']:.0%}  stream/batch text WER {run['wer_stream_vs_batch']:.1%}",
                    flush=True,
                )
        live.close()
        lengths = [] if args.wer_only else args.lengths
        summary = []
        for seconds in lengths:
            runs = [r for r in results["runs"] if r["length_s"] == seconds]
            summary.append(
                {
                    "length_s": seconds,
                    "median_stop_to_draft_s": statistics.median(r["stop_to_draft_s"] for r in runs),
                    "max_stop_to_draft_s": max(r["stop_to_draft_s"] for r in runs),
                    "median_batch_s": statistics.median(r["batch_s"] for r in runs),
                    "median_ratio": statistics.median(r["ratio"] for r in runs),
                }
            )
        results["summary"] = summary
        print("\n| dictation | stop->draft median (max) | batch median | ratio |")
        print("| --- | --- | --- | --- |")
        for row in summary:
            print(
                f"| {row['length_s']:.0f} s | {row['median_stop_to_draft_s']:.2f} s "
                f"({row['max_stop_to_draft_s']:.2f} s) | {row['median_batch_s']:.2f} s | "
                f"{row['median_ratio']:.0%} |"
            )
        if not args.skip_wer:
            sets = [("samples", sample_cases)] + ([("held_out", held_out_cases)] if args.held_out else [])
            for name, cases in sets:
                print(f"\nWER against the reference text, batch vs streaming (same audio), {name}:")
                rows = wer_table(engine, cases())
                results["wer" if name == "samples" else f"wer_{name}"] = rows
                mean_b = statistics.mean(r["wer_batch"] for r in rows)
                mean_s = statistics.mean(r["wer_streaming"] for r in rows)
                gap = 100 * (mean_s - mean_b)
                key = "wer_mean" if name == "samples" else f"wer_mean_{name}"
                results[key] = {"batch": mean_b, "streaming": mean_s, "gap_points": gap}
                print(
                    f"  mean over {len(rows)} {name}: batch {mean_b:.1%}, streaming {mean_s:.1%} "
                    f"(gap {gap:+.1f} points)"
                )
    finally:
        mic.close()
        server.kill()
        shutil.rmtree(scratch, ignore_errors=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"\nwritten to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
