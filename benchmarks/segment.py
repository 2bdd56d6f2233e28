"""Measure how well the segmenter puts dictated words into the right fields.

Runs ``segment_transcript`` on labelled dictations and compares the field each
word lands in with the label of the sentence it came from:
- our samples (samples/manifest.json);
- ../shared/corpus/dictations-dev.jsonl (spoken dictations, every sentence labelled);
- ../shared/corpus/published-examples.jsonl turned into dictations, once with a
  spoken header before each section and once with none.
A gold sentence counts as placed right when most of its words are in its field;
it is lost when none of its words appear in the draft. Words of a sentence the
clinician retracted ("scratch that") must not appear at all.

    .venv/bin/python benchmarks/segment.py [--details] [--only ID ...] [--audio]

With --audio, only our samples are used, and each is first transcribed from its
audio, so the figure includes Whisper's errors (the end-to-end number).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from dictanote.config import load_config
from dictanote.evaluate import score_placement
from dictanote.formats import load_format
from dictanote.pipeline import make_transcriber, segment_options
from dictanote.segment import segment_transcript
from dictanote.transcribe import load_audio_file

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


@dataclass(frozen=True)
class Case:
    """A dictation with its gold (text, label) parts, in order."""

    id: str
    source: str
    format: str
    style: str
    parts: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        return " ".join(t for t, _ in self.parts)


def load_cases() -> list[Case]:
    """Samples, shared dictations and published notes, whichever are present."""
    cases = []
    for s in json.loads((REPO / "samples" / "manifest.json").read_text(encoding="utf-8")):
        parts = tuple((p["text"], p["field"]) for p in s["parts"])
        cases.append(Case(s["id"], "samples", s["format"], s["style"], parts))
    dictations = CORPUS / "dictations-dev.jsonl"
    if dictations.is_file():
        for line in dictations.read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            parts = tuple((g["text"], g["field"]) for g in d["gold"])
            cases.append(Case(d["id"], "corpus-dictations", d["format"], d["style"], parts))
    published = CORPUS / "published-examples.jsonl"
    if published.is_file():
        for line in published.read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            headed, unheaded = [], []
            for section in d["sections"]:
                headed.append((f"{section['label']}.", "header"))
                headed.append((section["text"], section["field"]))
                unheaded.append((section["text"], section["field"]))
            cases.append(Case(d["id"], "published-headed", d["format"], "headed", tuple(headed)))
            cases.append(
                Case(d["id"], "published-unheaded", d["format"], "unheaded", tuple(unheaded))
            )
    return cases


def main() -> int:
    """Segment every case and print accuracy by source, style and format."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="print every misplaced sentence")
    parser.add_argument("--only", nargs="*", default=[], help="case ids to include")
    parser.add_argument(
        "--audio",
        action="store_true",
        help="segment what the embedded Whisper model hears in each sample's audio, not its text",
    )
    args = parser.parse_args()
    config = load_config()
    options = segment_options(config)
    transcriber = make_transcriber(config) if args.audio else None
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    for case in load_cases():
        if args.only and case.id not in args.only:
            continue
        if args.audio and case.source != "samples":
            continue
        fmt = load_format(case.format, config.paths)
        text = case.text
        if transcriber is not None:
            audio = load_audio_file(REPO / "samples" / f"{case.id}.flac")
            text = transcriber.transcribe(audio).text
        draft = segment_transcript(text, fmt, options)
        scored = score_placement(case.parts, draft)
        for i, gold, got in scored.results:
            ok = gold == got
            for key in (case.source, f"{case.source}/{case.style}", f"format/{case.format}", "all"):
                totals[key]["right" if ok else ("lost" if got == "<lost>" else "wrong")] += 1
            if args.details and not ok:
                where = f"{case.source}:{case.id}"
                print(f"{where}  gold={gold:<22} got={got:<22} {case.parts[i][0][:90]}")
        totals["all"]["leaked"] += scored.leaked
    print(f"\n{'group':<34}{'sentences':>10}{'right':>8}{'accuracy':>10}{'lost':>6}")
    for key in sorted(totals, key=lambda k: (k != "all", k)):
        c = totals[key]
        n = c["right"] + c["wrong"] + c["lost"]
        if n:
            print(f"{key:<34}{n:>10}{c['right']:>8}{c['right'] / n:>10.1%}{c['lost']:>6}")
    print(f"\nwords of retracted sentences left in drafts: {totals['all']['leaked']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
