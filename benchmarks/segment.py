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

    .venv/bin/python benchmarks/segment.py [--details] [--only ID ...]
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from dictanote.config import load_config
from dictanote.evaluate import normalize_for_wer
from dictanote.formats import load_format
from dictanote.pipeline import segment_options
from dictanote.segment import segment_transcript
from dictanote.types import Draft

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
SKIP = {"header", "command"}


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


def _predicted_words(draft: Draft) -> list[tuple[str, str]]:
    """(word, field) for every word in the draft, in dictation order."""
    rows = []
    for prefix, d in (("", draft), ("private:", draft.private)):
        if d is None:
            continue
        for order, field in enumerate(d.fields):
            for n, sentence in enumerate(field.sentences):
                start = sentence.span[0] if sentence.span else 0
                for w in normalize_for_wer(sentence.text).split():
                    rows.append(((start, order, n), w, prefix + field.id))
    rows.sort(key=lambda r: r[0])
    return [(w, f) for _, w, f in rows]


def score(case: Case, draft: Draft) -> dict[str, object]:
    """Per gold sentence: right, wrong or lost; and leaked words of retracted sentences."""
    gold_words: list[tuple[str, int]] = []
    for i, (text, _label) in enumerate(case.parts):
        gold_words.extend((w, i) for w in normalize_for_wer(text).split())
    pred = _predicted_words(draft)
    matcher = difflib.SequenceMatcher(
        a=[w for w, _ in gold_words], b=[w for w, _ in pred], autojunk=False
    )
    votes: dict[int, Counter[str]] = defaultdict(Counter)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            votes[gold_words[block.a + k][1]][pred[block.b + k][1]] += 1
    results = []
    leaked = 0
    for i, (_text, label) in enumerate(case.parts):
        if label in SKIP:
            continue
        if label == "deleted":
            leaked += sum(votes[i].values())
            continue
        if not votes[i]:
            results.append((i, label, "<lost>"))
        else:
            results.append((i, label, votes[i].most_common(1)[0][0]))
    return {"results": results, "leaked": leaked}


def main() -> int:
    """Segment every case and print accuracy by source, style and format."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="print every misplaced sentence")
    parser.add_argument("--only", nargs="*", default=[], help="case ids to include")
    args = parser.parse_args()
    config = load_config()
    options = segment_options(config)
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    for case in load_cases():
        if args.only and case.id not in args.only:
            continue
        fmt = load_format(case.format, config.paths)
        draft = segment_transcript(case.text, fmt, options)
        scored = score(case, draft)
        for i, gold, got in scored["results"]:  # type: ignore[attr-defined]
            ok = gold == got
            for key in (case.source, f"{case.source}/{case.style}", f"format/{case.format}", "all"):
                totals[key]["right" if ok else ("lost" if got == "<lost>" else "wrong")] += 1
            if args.details and not ok:
                where = f"{case.source}:{case.id}"
                print(f"{where}  gold={gold:<22} got={got:<22} {case.parts[i][0][:90]}")
        totals["all"]["leaked"] += scored["leaked"]  # type: ignore[operator]
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
