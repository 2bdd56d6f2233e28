"""Train the sentence-role classifier that the segmenter ships in models/segmenter/roles/.

A spaCy text classifier (``spacy.blank("en")`` + ``textcat``, exclusive classes)
over the clinical roles in dictanote.core.types.ROLES, trained on sentences we wrote
ourselves: roles-train.jsonl (1,820, written) and roles-train-2.jsonl (1,332, mostly
as Whisper writes fast speech: no punctuation, numbers as words). Deterministic for
a given seed. Prints held-out accuracy before training the final model on everything.

    .venv/bin/python models/segmenter/train_roles.py [--arch bow|ensemble] [--epochs N]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import spacy
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

from dictanote.core.types import ROLES
from dictanote.segment.roles import prepare_text

HERE = Path(__file__).resolve().parent
DATA = (HERE / "roles-train.jsonl", HERE / "roles-train-2.jsonl")
OUT = HERE / "roles"

ARCHITECTURES: dict[str, dict[str, Any]] = {
    "bow": {
        "@architectures": "spacy.TextCatBOW.v3",
        "exclusive_classes": True,
        "ngram_size": 2,
        "no_output_layer": False,
        "length": 2**16,
    },
    "ensemble": {
        "@architectures": "spacy.TextCatEnsemble.v2",
        "nO": None,
        "tok2vec": {
            "@architectures": "spacy.Tok2Vec.v2",
            "embed": {
                "@architectures": "spacy.MultiHashEmbed.v2",
                "width": 64,
                "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"],
                "rows": [5000, 2500, 2500, 2500],
                "include_static_vectors": False,
            },
            "encode": {
                "@architectures": "spacy.MaxoutWindowEncoder.v2",
                "width": 64,
                "window_size": 1,
                "maxout_pieces": 3,
                "depth": 2,
            },
        },
        "linear_model": {
            "@architectures": "spacy.TextCatBOW.v3",
            "exclusive_classes": True,
            "ngram_size": 2,
            "no_output_layer": False,
            "length": 2**17,
        },
    },
}


def load_data() -> list[tuple[str, str]]:
    """Our written sentences and our samples' labelled sentences, as (text, role)."""
    rows = []
    for path in DATA:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                if item["role"] not in ROLES:
                    raise SystemExit(f"{path}: unknown role {item['role']!r}")
                rows.append((item["text"], item["role"]))
    return rows


def build(arch: str) -> Any:
    """A blank English pipeline with an untrained role classifier."""
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("textcat", config={"model": ARCHITECTURES[arch]})
    for role in ROLES:
        textcat.add_label(role)
    return nlp


def _examples(nlp: Any, rows: list[tuple[str, str]]) -> list[Example]:
    return [
        Example.from_dict(nlp.make_doc(prepare_text(text)), {"cats": {r: float(r == role) for r in ROLES}})
        for text, role in rows
    ]


def train(rows: list[tuple[str, str]], arch: str, epochs: int, seed: int) -> Any:
    """Train a classifier on ``rows``."""
    fix_random_seed(seed)
    nlp = build(arch)
    examples = _examples(nlp, rows)
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=16):
            nlp.update(batch, sgd=optimizer, drop=0.2, losses=losses)
    return nlp


def accuracy(nlp: Any, rows: list[tuple[str, str]]) -> float:
    """Share of ``rows`` whose top role is right."""
    docs = nlp.pipe(prepare_text(t) for t, _ in rows)
    hits = sum(max(doc.cats, key=doc.cats.get) == role for doc, (_, role) in zip(docs, rows, strict=True))
    return hits / len(rows)


def main() -> int:
    """Report held-out accuracy, then train on everything and save the model."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", choices=sorted(ARCHITECTURES), default="bow")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-save", action="store_true", help="only report held-out accuracy")
    args = parser.parse_args()
    rows = load_data()
    print(f"{len(rows)} sentences: {dict(Counter(r for _, r in rows))}")
    shuffled = rows[:]
    random.Random(args.seed).shuffle(shuffled)
    cut = len(shuffled) * 4 // 5
    held = train(shuffled[:cut], args.arch, args.epochs, args.seed)
    held_out = accuracy(held, shuffled[cut:])
    print(f"held-out accuracy ({args.arch}, {args.epochs} epochs): {held_out:.1%}")
    if args.no_save:
        return 0
    final = train(rows, args.arch, args.epochs, args.seed)
    final.meta["name"] = "dictanote_roles"
    final.meta["description"] = "Clinical role of a dictated sentence (see models/segmenter/)."
    final.to_disk(OUT, exclude=["tokenizer"])  # the stock English one: nlp.py builds it
    print(f"saved {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
