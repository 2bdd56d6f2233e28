"""Measure the session facts (date, duration, modality, service type) taken from dictations.

On ``benchmarks/session/dictations.jsonl`` (short dictations of our own, each labelled with
the facts that should be taken, null where none should): per fact, precision (of the facts
taken, how many are right; target >= 98 %) and recall, on two halves: develop on the odd
rows (1st, 3rd, ...), check on the even ones. Relative dates resolve against SESSION_DATE.
``--corpus`` also runs on ../shared/corpus/dictations-dev.jsonl against its ``metadata``
(written by its annotators, who also filled in facts the dictation implies without saying them).

    .venv/bin/python benchmarks/session_facts.py [--corpus] [--details]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from dictanote.segment.session import extract_session

REPO = Path(__file__).resolve().parents[1]
LABELLED = REPO / "benchmarks" / "session" / "dictations.jsonl"
CORPUS = REPO.parent / "shared" / "corpus" / "dictations-dev.jsonl"
SESSION_DATE = dt.date(2026, 11, 23)
FACTS = ("date", "duration_minutes", "modality", "service_type")


def taken(text: str) -> dict[str, Any]:
    """The facts dictanote takes from ``text``, by name."""
    info = extract_session(text, session_date=SESSION_DATE)
    return {name: getattr(info, name) for name in FACTS}


def same(fact: str, got: Any, want: Any) -> bool:
    """Whether ``got`` is the labelled value (a service type may carry a qualifier in the corpus)."""
    if fact == "service_type" and isinstance(got, str) and isinstance(want, str):
        return want.lower() == got or want.lower().startswith(got + " (")
    return bool(got == want)


def score(rows: list[tuple[str, str, dict[str, Any]]], details: bool) -> dict[str, tuple[int, int, int]]:
    """Per fact: (taken and right, taken, labelled)."""
    counts = {fact: [0, 0, 0] for fact in FACTS}
    for name, text, labels in rows:
        got = taken(text)
        for fact in FACTS:
            right = got[fact] is not None and same(fact, got[fact], labels.get(fact))
            counts[fact][0] += right
            counts[fact][1] += got[fact] is not None
            counts[fact][2] += labels.get(fact) is not None
            if details and got[fact] != labels.get(fact) and not right:
                print(f"  {name} {fact}: took {got[fact]!r}, labelled {labels.get(fact)!r}")
    return {fact: (c[0], c[1], c[2]) for fact, c in counts.items()}


def report(title: str, counts: dict[str, tuple[int, int, int]]) -> None:
    """One line per fact: precision (right/taken) and recall (right/labelled)."""
    print(title)
    for fact, (right, took, labelled) in counts.items():
        precision = f"{100 * right / took:5.1f} %" if took else "    - "
        recall = f"{100 * right / labelled:5.1f} %" if labelled else "    - "
        print(f"  {fact:17} precision {precision} ({right}/{took})   recall {recall} ({right}/{labelled})")


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="store_true", help="also run on the corpus dictations")
    parser.add_argument("--details", action="store_true", help="print every wrong or missed fact")
    args = parser.parse_args()
    lines = LABELLED.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    for half, parity in (("develop (odd rows)", 1), ("check (even rows)", 0)):
        picked = [
            (f"row {n}" + (f" {row['text']!r}" if args.details else ""), row["text"], row["facts"])
            for n, row in enumerate(rows, 1)
            if n % 2 == parity
        ]
        report(f"labelled set, {half}: {len(picked)} dictations", score(picked, args.details))
    if args.corpus and CORPUS.exists():
        items = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
        corpus = [(item["id"], item["dictation"], item.get("metadata") or {}) for item in items]
        report(f"corpus dictations (metadata): {len(corpus)}", score(corpus, args.details))


if __name__ == "__main__":
    main()
