"""Guess each sentence's clinical role with the trained classifier we ship.

The model lives in ``models/segmenter/roles/`` (a spaCy ``textcat`` trained by
``models/segmenter/train_roles.py`` on sentences we wrote). It returns a
probability for every role in ``types.ROLES``; the format decides which field
each role belongs to. Loaded once, lazily.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..core.types import ROLES
from .nlp import pipeline
from .rules import role_boosts


def prepare_text(text: str) -> str:
    """The form of a sentence the classifier is trained and run on."""
    return re.sub(r"\s+", " ", text.lower()).strip()


def classify(texts: Sequence[str]) -> list[dict[str, float]]:
    """Role probabilities for each text, in order: the classifier, then the boost rules."""
    if not texts:
        return []
    nlp = pipeline()
    textcat = nlp.get_pipe("textcat")
    docs = textcat.pipe(nlp.make_doc(prepare_text(t)) for t in texts)
    rules = role_boosts()
    results = []
    for text, doc in zip(texts, docs, strict=True):
        probs = {role: float(doc.cats.get(role, 0.0)) for role in ROLES}
        for boost in rules:
            if boost.pattern.search(text):
                probs[boost.role] += boost.weight
        total = sum(probs.values()) or 1.0
        results.append({role: p / total for role, p in probs.items()})
    return results
