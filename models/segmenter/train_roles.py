"""Train the sentence-role classifier that the segmenter ships in models/segmenter/roles/.

A spaCy text classifier (``spacy.blank("en")`` + ``textcat``, exclusive classes)
over the clinical roles in dictanote.core.types.ROLES, trained on sentences we wrote
ourselves: roles-train.jsonl (1,820, written), roles-train-2.jsonl (1,332, mostly
as Whisper writes fast speech: no punctuation, numbers as words) and roles-train-3.jsonl
(375, the written, telegraphic style of real notes), plus the real-world notes' dev half
read from ../shared/corpus at training time (``realworld_rows``; skipped when absent).
Deterministic for a given seed. Prints held-out accuracy before training the final model
on everything.

    .venv/bin/python models/segmenter/train_roles.py [--arch bow|ensemble] [--epochs N]
"""

from __future__ import annotations

import argparse
import json
import random
import re
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
DATA = (HERE / "roles-train.jsonl", HERE / "roles-train-2.jsonl", HERE / "roles-train-3.jsonl")
OUT = HERE / "roles"
CORPUS = HERE.parents[2] / "shared" / "corpus"
# A real-world note's SOAP section, as the role its sentences mostly play.
SECTION_ROLES = {
    "subjective": "client_report",
    "objective": "observation",
    "assessment": "assessment",
    "plan": "plan",
}
# Medical plans run long and narrative; taken whole they pull a therapist's interpretations into Plan.
SECTION_SHARE = {"plan": 0.4}
_RISK_RE = re.compile(r"\b(?:suicid|homicid|self[- ]harm)", re.IGNORECASE)
_MEASURE_RE = re.compile(
    r"\d.*\b(?:mg/dl|mmhg|%|bpm|pulse|blood pressure|bp|temperature|weight|height|bmi|a1c)\b|"
    r"\b(?:bp|pulse|temperature|weight|height|bmi|a1c|saturation|respirations)\b.*\d",
    re.IGNORECASE,
)

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


def realworld_rows(per_section: int, seed: int) -> list[tuple[str, str]]:
    """Sentences of the real-world notes' dev half, read from ../shared now, as (text, role).

    Never the held-out half, never written into the repository. Each SOAP section maps to the
    role its sentences mostly play; at most ``per_section`` sentences of each section kind, drawn
    with ``seed``. None when ../shared is absent.
    """
    from dictanote.evaluate import gold_sentences, realworld_notes

    by_section: dict[str, list[tuple[str, str]]] = {field: [] for field in SECTION_ROLES}
    for note in realworld_notes(CORPUS, "dev"):
        for section in note["sections"]:
            for sentence in gold_sentences(section["text"]):
                if len(sentence.split()) >= 2:
                    by_section[section["field"]].append((sentence, _role_of(sentence, section["field"])))
    rng = random.Random(seed)
    rows = []
    for field, items in by_section.items():
        rng.shuffle(items)
        rows.extend(items[: int(per_section * SECTION_SHARE.get(field, 1.0))])
    return rows


def _role_of(sentence: str, field: str) -> str:
    if field == "subjective" and _RISK_RE.search(sentence):
        return "risk_report"
    if field == "objective" and _MEASURE_RE.search(sentence):
        return "measure"
    return SECTION_ROLES[field]


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
    parser.add_argument(
        "--realworld", type=int, default=300, help="most dev-half sentences per SOAP section (0: none)"
    )
    parser.add_argument("--out", type=Path, default=OUT, help="where to save the model")
    args = parser.parse_args()
    rows = load_data()
    if args.realworld:
        rows += realworld_rows(args.realworld, args.seed)
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
    final.to_disk(args.out, exclude=["tokenizer"])  # the stock English one: nlp.py builds it
    _forget_words(args.out)
    print(f"saved {args.out}")
    return 0


def _forget_words(out: Path) -> None:
    """Keep only the stock English strings in the saved vocabulary.

    spaCy stores every word it met in training (the real-world notes' included); the classifier
    reads hashed features, never these strings, so none of the notes' words is kept.
    """
    strings = sorted(spacy.blank("en").vocab.strings)
    (out / "vocab" / "strings.json").write_text(json.dumps(strings, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
