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
  replacement's target) in the output of a no-term dictation, per 2,000 words;
- corpus check (printed under the table): the vocabulary layer run on the written
  dictations and notes of ``../shared/corpus``, its corrections into names the text does
  not hold per 2,000 words (false corrections over a larger body of text), and its scale-name
  and risk-word rewrites (every one is false: the written text had them right);
- invented terms: the share of dictations whose output says a risk word ("SI", "HI",
  "suicidal", ...), a scale name or a medication name more often than was said (a risk
  statement turned into another, a drug that was not taken), with or without term spans;
- the marks ("with" only): the share of the draft's wrong words (not aligned to an equal
  reference word, normalized as for WER) that are marked uncertain or corrected (target 70 %),
  the share of marked words that are wrong (aim 30 %), and the share of all words marked;
  ``--sweep 0.2,0.3,...`` also prints them with words marked below each threshold in turn
  (how ``core/policy.UNCERTAIN_WORD`` was chosen: on ``--half odd``);
- risk statements to confirm ("with" only): of the dictations whose draft misses a risk term,
  the share where the checks raise ``risk-unconfirmed``; and of those whose risk terms were all
  heard, the share where they raise it anyway.

User settings and vocabulary are ignored (a scratch config dir), so the figures are
the shipped defaults'; ``--model`` picks another model.

    .venv/bin/python benchmarks/terms.py [--model NAME|PATH] [--voices piper,espeak]
        [--no-vocabulary] [--only ID ...] [--half odd|even] [--setting KEY=VALUE ...]
        [--sweep T,T,...] [--details] [--json PATH]

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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dictanote.app import Dictation
from dictanote.core.config import load_config, setting_help
from dictanote.core.policy import UNCERTAIN_WORD
from dictanote.core.types import Draft, Transcript
from dictanote.evaluate import (
    MarkScore,
    count_word_errors,
    draft_sentences,
    false_terms,
    score_marks,
    score_terms,
)
from dictanote.transcribe import load_audio_file, resolve_model

sys.path.insert(0, str(Path(__file__).resolve().parent / "terms"))
from make_terms import VOICES, audio_path, ensure_audio, load_dictations

PER_WORDS = 2000
# A risk statement turned into another ("denies H I" heard as "Denies SI") or a drug name that was not
# said is not a miss alone: it is counted as invented, in any dictation (a prompt that spells "SI" or
# names a drug did both). Watched: these risk words, scale names and the lexicon's medication names.
RISK_FORMS = ("SI", "HI", "suicidal", "homicidal", "self-harm", "plan", "intent")
SCALE_FORMS = ("PHQ-9", "GAD-7", "PCL-5", "C-SSRS", "AUDIT-C")
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
    dictations: int = 0
    watch: tuple[str, ...] = RISK_FORMS + SCALE_FORMS  # terms never to invent, in any dictation
    invented: int = 0  # dictations whose output holds a watched term more often than said (HI -> SI)
    marks: MarkScore = field(default_factory=MarkScore)  # the draft's marks against its wrong words
    # Dictations with risk terms: "misheard" (one missed) or "heard", and of those "... flagged"
    # (the checks raised risk-unconfirmed).
    risk_flags: Counter[str] = field(default_factory=Counter)

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
        self.dictations += 1
        self.invented += bool(false_terms(reference, hypothesis, self.watch))
        return list(score.missed)

    def row(self) -> dict[str, float | None]:
        """The figures of this column."""
        out: dict[str, float | None] = {}
        for name, kinds in METRICS:
            said = sum(self.said[k] for k in kinds.split("+"))
            out[name] = sum(self.found[k] for k in kinds.split("+")) / said if said else None
        out["WER"] = self.errors / self.words if self.words else None
        out["skipped words"] = self.skipped / self.words if self.words else None
        out["invented terms"] = self.invented / self.dictations if self.dictations else None
        out["wrong words marked"] = self.marks.recall
        out["marked words wrong"] = self.marks.precision
        out["words marked"] = self.marks.marked / self.marks.words if self.marks.words else None
        for name, key in (("misheard risk flagged", "misheard"), ("risk heard, flagged", "heard")):
            n = self.risk_flags[key]
            out[name] = self.risk_flags[f"{key} flagged"] / n if n else None
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


def rescaled(transcript: Transcript, threshold: float) -> Transcript:
    """``transcript``, its word probabilities scaled so that the draft marks the words below ``threshold``.

    The segmenter marks words below ``UNCERTAIN_WORD``: ``p * UNCERTAIN_WORD / threshold`` is
    below it exactly when ``p`` is below ``threshold`` (for ``--sweep``).
    """
    factor = UNCERTAIN_WORD / threshold
    return replace(
        transcript,
        segments=tuple(
            replace(s, words=tuple(replace(w, probability=w.probability * factor) for w in s.words))
            for s in transcript.segments
        ),
    )


def print_sweep(swept: dict[tuple[str, float], MarkScore]) -> None:
    """The marks' figures at each threshold tried, one row per threshold, one column per voice."""
    voices = sorted({v for v, _ in swept})
    print(
        "\n| uncertain below | "
        + " | ".join(f"{v}: wrong marked, marked wrong, marked" for v in voices)
        + " |"
    )
    print("| ---: |" + " ---: |" * len(voices))
    for t in sorted({t for _, t in swept}):
        cells = []
        for v in voices:
            m = swept[(v, t)]
            share = m.marked / m.words if m.words else None
            cells.append(f"{fmt(m.recall, '')}, {fmt(m.precision, '')}, {fmt(share, '')}")
        print(f"| {t:g} | " + " | ".join(cells) + " |")


def lexicon_of(dictations: list[Any], dictation: Dictation) -> list[str]:
    """Every drug, risk and scale form of the dev set, plus the vocabulary's replacement targets."""
    forms = {f for d in dictations for s in d.spans if s.kind in {"drug", "risk", "scale"} for f in s.forms}
    forms.update(written for _, written in dictation.vocabulary.replacements)
    return sorted(forms, key=str.lower)


def corpus_check(app: Dictation) -> str | None:
    """False corrections over plain text: the vocabulary layer run on the corpus's written dictations and
    notes (``../shared/corpus``), counting corrections into names the text does not hold, per 2,000 words."""
    from dictanote.segment.correct import correct
    from dictanote.segment.heard import heard_edits

    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    texts: list[str] = []
    for path in sorted(corpus.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            texts.append(item.get("dictation") or "\n".join(s["text"] for s in item.get("sections", [])))
    if not texts:
        return None
    lexicon = app.segment_options.lexicon
    words = false = heard = 0
    for text in texts:
        words += len(text.split())
        false += sum(c.replacement.lower() not in text.lower() for c in correct(text, lexicon)[1])
        # a scale or risk word rewritten in written text was right already: every such rewrite is false
        heard += sum(
            _letters(text[e.start : e.end]) != _letters(e.written) for e in heard_edits(text, lexicon.common)
        )
    return (
        f"corpus check (vocabulary layer on {len(texts)} written texts, {words} words): {false} false "
        f"corrections, {false * PER_WORDS / words:.2f} per {PER_WORDS} words; scale/risk rewrites "
        f"{heard}, {heard * PER_WORDS / words:.2f} per {PER_WORDS} words"
    )


def _letters(text: str) -> str:
    """Letters and digits of ``text``, lower case ("PHQ 9" = "PHQ-9")."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


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
    parser.add_argument(
        "--setting", action="append", default=[], metavar="KEY=VALUE", help="a setting to try (repeatable)"
    )
    parser.add_argument("--half", choices=("odd", "even"), help="only odd (dev) or even (held-out) ids")
    parser.add_argument(
        "--sweep", default="", help="comma-separated uncertain-word thresholds: the marks' figures at each"
    )
    args = parser.parse_args()
    voices = [v for v in args.voices.split(",") if v]
    if set(voices) - set(VOICES):
        print(f"unknown voice(s) {sorted(set(voices) - set(VOICES))}; available: {VOICES}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    # a model by name is found in your own models directory (dictanote models add) before the scratch dirs
    model = str(resolve_model(args.model, load_config().paths).path) if args.model else None
    scratch = Path(tempfile.mkdtemp(prefix="dictanote-terms-"))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        os.environ[name] = str(scratch / name.lower())
    os.environ["HF_HUB_OFFLINE"] = "1"
    for key, _, value in (s.partition("=") for s in args.setting):
        if key not in setting_help():
            print(f"unknown setting {key!r}; available: {sorted(setting_help())}", file=sys.stderr)
            return 2
        os.environ[f"DICTANOTE_{key.upper()}"] = value  # read, checked and typed by load_config
    dictations = [d for d in load_dictations() if not args.only or d.id in args.only]
    if args.half:
        dictations = [d for d in dictations if int(d.id.rsplit("-", 1)[1]) % 2 == (args.half == "odd")]
    made = ensure_audio(dictations, voices)
    config = load_config({"model": model})
    app = Dictation(config)
    load_s = app.transcriber.load()
    lexicon = lexicon_of(dictations, app)
    layers = ("raw",) if args.no_vocabulary else ("raw", "draft")
    watch = (*RISK_FORMS, *SCALE_FORMS, *app.segment_options.lexicon.medications)
    tallies = {(v, layer): Tally(watch=watch) for v in voices for layer in layers}
    rows: list[dict[str, Any]] = []
    sweep = [float(t) for t in args.sweep.split(",") if t] if "draft" in layers else []
    swept: dict[tuple[str, float], MarkScore] = {}
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
                result = app.from_transcript(transcript)
                draft = result.draft
                flagged = any(f.code == "risk-unconfirmed" for f in result.findings)
                texts["draft"] = draft_text(draft)
                tallies[(voice, "draft")].marks += score_marks(d.text, draft_sentences(draft))
                for t in sweep:
                    other = app.from_transcript(rescaled(transcript, t)).draft
                    swept[(voice, t)] = swept.get((voice, t), MarkScore()) + score_marks(
                        d.text, draft_sentences(other)
                    )
            row: dict[str, Any] = {"voice": voice, "id": d.id, **texts}
            for layer in layers:
                missed = tallies[(voice, layer)].add(d.text, texts[layer], d.spans, lexicon)
                row[f"missed_{layer}"] = [s.canonical for s in missed]
                if layer == "draft" and any(s.kind == "risk" for s in d.spans):
                    key = "misheard" if any(s.kind == "risk" for s in missed) else "heard"
                    tallies[(voice, layer)].risk_flags.update([key] + [f"{key} flagged"] * flagged)
                if not d.spans:
                    row[f"false_{layer}"] = false_terms(d.text, texts[layer], lexicon)
                row[f"invented_{layer}"] = false_terms(d.text, texts[layer], watch)
            rows.append(row)
            shown = ("missed", "false", "invented")
            if args.details and any(row.get(f"{k}_{x}") for k in shown for x in layers):
                print(f"\n{voice} {d.id}: {d.text}")
                for layer in layers:
                    print(f"  {layer:5}: {texts[layer]}")
                    print("         " + " ".join(f"{k} {row.get(f'{k}_{layer}', [])}" for k in shown))
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
    if args.setting:
        print(f"settings: {'; '.join(args.setting)}")
    print("'without': the raw transcript; 'with': the draft's text (vocabulary replacements, normalizer)")
    print_table(columns)
    if swept:
        print_sweep(swept)
    check = None if args.no_vocabulary else corpus_check(app)
    if check:
        print(f"\n{check}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {"model": config.settings.model, "columns": columns, "dictations": rows}
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
