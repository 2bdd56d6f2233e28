"""Measure how well dictanote hears the clinical terms that matter most in a note (issue 13).

Each dictation of ``benchmarks/terms/dictations.jsonl`` (our own text, dense in drug
names with doses, risk statements, scale names and scores, numbers and dates, plus
dictations with no clinical term at all) is spoken by two voices
(``terms/make_terms.py``: piper's bundled voice and espeak-ng; synthesized into
``benchmarks/results/terms-audio/`` on first use), transcribed by the app's
transcriber (one loaded model) and drafted by the app's text path
(``Dictation.from_transcript``: the vocabulary's replacements and the clinical
normalizer). Per voice, the raw transcript ("without" the vocabulary layer) and
the draft's text ("with") are scored:

- drug / risk / scale recall: labelled terms found (case and punctuation ignored,
  spoken or written form, "50 mg" = "fifty milligrams");
- number/date accuracy: labelled numbers, doses, durations and dates found;
- WER (pooled over every dictation, normalized as ``benchmarks/transcribe.py`` does,
  and letters spelled one by one joined: "S I" = "SI") and skipped words (reference
  words with no aligned hypothesis word, as a share of all);
- false terms: a drug, risk or scale term of the dev set (or a vocabulary
  replacement's target) in the output of a no-term dictation, per 2,000 words.

User settings and vocabulary are ignored (a scratch config dir), so the figures are
the shipped defaults'; ``--model`` picks another model.

    .venv/bin/python benchmarks/terms.py [--model NAME|PATH] [--voices piper,espeak]
        [--no-vocabulary] [--only ID ...] [--details] [--json PATH]

Needs the test setup and espeak-ng (``sudo apt-get install espeak-ng``) for the robotic voice.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dictanote.app import Dictation
from dictanote.core.config import load_config
from dictanote.core.types import Draft
from dictanote.evaluate import count_word_errors, false_terms, score_terms
from dictanote.transcribe import load_audio_file

sys.path.insert(0, str(Path(__file__).resolve().parent / "terms"))
from make_terms import VOICES, audio_path, ensure_audio, load_dictations

PER_WORDS = 2000
METRICS = (
    ("drug recall", "drug"),
    ("risk recall", "risk"),
    ("scale recall", "scale"),
    ("number/date accuracy", "number+date"),
)


@dataclass
class Tally:
    """Running counts for one voice and one column (raw transcript or draft)."""

    said: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    words: int = 0
    skipped: int = 0
    plain_words: int = 0
    false: list[str] = field(default_factory=list)

    def add(self, reference: str, hypothesis: str, spans: Any, lexicon: list[str]) -> list[Any]:
        """Score one dictation; return the terms missed."""
        score = score_terms(spans, hypothesis)
        self.said.update(score.said)
        self.found.update(score.found)
        counts = count_word_errors(reference, hypothesis)
        self.words += counts.words
        self.errors += counts.errors
        self.skipped += counts.skipped
        if not spans:
            self.plain_words += counts.words
            self.false.extend(false_terms(reference, hypothesis, lexicon))
        return list(score.missed)

    def row(self) -> dict[str, float | None]:
        """The figures of this column."""
        out: dict[str, float | None] = {}
        for name, kinds in METRICS:
            said = sum(self.said[k] for k in kinds.split("+"))
            out[name] = sum(self.found[k] for k in kinds.split("+")) / said if said else None
        out["WER"] = self.errors / self.words if self.words else None
        out["skipped words"] = self.skipped / self.words if self.words else None
        out[f"false terms / {PER_WORDS} words"] = (
            len(self.false) * PER_WORDS / self.plain_words if self.plain_words else None
        )
        return out


def draft_text(draft: Draft) -> str:
    """The draft's sentences (clinical and private) in dictation order, as the clinician reads them."""
    rows: list[tuple[int, str]] = []
    for d in (draft, draft.private):
        if d is None:
            continue
        for f in d.fields:
            rows.extend(((s.span[0] if s.span else 0), s.text) for s in f.sentences)
    return " ".join(text for _, text in sorted(rows, key=lambda r: r[0]))


def lexicon_of(dictations: list[Any], dictation: Dictation) -> list[str]:
    """Every drug, risk and scale form of the dev set, plus the vocabulary's replacement targets."""
    forms = {f for d in dictations for s in d.spans if s.kind in {"drug", "risk", "scale"} for f in s.forms}
    forms.update(written for _, written in dictation.vocabulary.replacements)
    return sorted(forms, key=str.lower)


def fmt(value: float | None, name: str) -> str:
    """A figure as the table shows it."""
    if value is None:
        return "-"
    return f"{value:.1f}" if name.startswith("false") else f"{value:.1%}"


def print_table(columns: dict[str, dict[str, float | None]]) -> None:
    """One row per metric, one column per voice and layer."""
    names = list(next(iter(columns.values())))
    print(f"\n| metric | {' | '.join(columns)} |")
    print(f"| --- |{' ---: |' * len(columns)}")
    for name in names:
        print(f"| {name} | {' | '.join(fmt(col[name], name) for col in columns.values())} |")


def main() -> int:
    """Speak (if needed), transcribe, draft and score every dictation; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model name or path (default: the default setting's)")
    parser.add_argument("--voices", default=",".join(VOICES), help="comma-separated: piper, espeak")
    parser.add_argument("--no-vocabulary", action="store_true", help="score the raw transcript only")
    parser.add_argument("--only", nargs="*", default=[], help="dictation ids to include")
    parser.add_argument("--details", action="store_true", help="print every missed or invented term")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    voices = [v for v in args.voices.split(",") if v]
    if set(voices) - set(VOICES):
        print(f"unknown voice(s) {sorted(set(voices) - set(VOICES))}; available: {VOICES}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="dictanote-terms-"))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        os.environ[name] = str(scratch / name.lower())
    os.environ["HF_HUB_OFFLINE"] = "1"
    dictations = [d for d in load_dictations() if not args.only or d.id in args.only]
    made = ensure_audio(dictations, voices)
    config = load_config({"model": args.model})
    app = Dictation(config)
    load_s = app.transcriber.load()
    lexicon = lexicon_of(dictations, app)
    layers = ("raw",) if args.no_vocabulary else ("raw", "draft")
    tallies = {(v, layer): Tally() for v in voices for layer in layers}
    rows: list[dict[str, Any]] = []
    audio_s = transcribe_s = 0.0
    for voice in voices:
        for d in dictations:
            audio = load_audio_file(audio_path(voice, d))
            t0 = time.perf_counter()
            transcript = app.transcriber.transcribe(audio)
            transcribe_s += time.perf_counter() - t0
            audio_s += audio.duration_s
            texts = {"raw": transcript.text}
            if "draft" in layers:
                texts["draft"] = draft_text(app.from_transcript(transcript).draft)
            row: dict[str, Any] = {"voice": voice, "id": d.id, **texts}
            for layer in layers:
                missed = tallies[(voice, layer)].add(d.text, texts[layer], d.spans, lexicon)
                row[f"missed_{layer}"] = [s.canonical for s in missed]
                if not d.spans:
                    row[f"false_{layer}"] = false_terms(d.text, texts[layer], lexicon)
            rows.append(row)
            if args.details and (any(row.get(f"missed_{x}") or row.get(f"false_{x}") for x in layers)):
                print(f"\n{voice} {d.id}: {d.text}")
                for layer in layers:
                    print(f"  {layer:5}: {texts[layer]}")
                    print(f"         missed {row[f'missed_{layer}']} false {row.get(f'false_{layer}', [])}")
    columns = {f"{v} {'without' if x == 'raw' else 'with'}": tallies[(v, x)].row() for v, x in tallies}
    total_s = time.perf_counter() - started
    n_terms = sum(bool(d.spans) for d in dictations)
    print(
        f"{len(dictations)} dictations ({n_terms} with terms, {len(dictations) - n_terms} without) x "
        f"{len(voices)} voices, {audio_s:.0f} s of audio; model {config.settings.model} "
        f"(beam {config.settings.beam_size}, {config.settings.cpu_threads} thread(s)); "
        f"load {load_s:.1f} s, transcription {transcribe_s:.0f} s, total {total_s:.0f} s "
        f"({made} recordings synthesized)"
    )
    print("'without': the raw transcript; 'with': the draft's text (vocabulary replacements, normalizer)")
    print_table(columns)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {"model": config.settings.model, "columns": columns, "dictations": rows}
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
