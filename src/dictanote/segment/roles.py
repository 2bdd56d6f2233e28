"""Guess each sentence's clinical role with the trained classifier we ship.

The model lives in ``models/segmenter/roles/`` (a spaCy ``textcat`` trained by
``models/segmenter/train_roles.py`` on sentences we wrote). It returns a
probability for every role in ``types.ROLES``; the format decides which field
each role belongs to. Loaded once, lazily.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..config import shipped_dir
from ..errors import FormatFileError
from ..types import ROLES

MODEL_NAME = "roles"


def model_dir() -> Path:
    """Where the shipped role classifier lives."""
    return shipped_dir("models") / "segmenter" / MODEL_NAME


def prepare_text(text: str) -> str:
    """The form of a sentence the classifier is trained and run on."""
    return re.sub(r"\s+", " ", text.lower()).strip()


@lru_cache(maxsize=1)
def _model() -> Any:
    import spacy

    path = model_dir()
    try:
        return spacy.load(path)
    except (OSError, ValueError) as exc:
        raise FormatFileError(
            f"role classifier missing or unreadable at {path}; "
            "reinstall dictanote or run models/segmenter/train_roles.py"
        ) from exc


def classify(texts: Sequence[str]) -> list[dict[str, float]]:
    """Role probabilities for each text, in order."""
    if not texts:
        return []
    nlp = _model()
    results = []
    for doc in nlp.pipe(prepare_text(t) for t in texts):
        results.append({role: float(doc.cats.get(role, 0.0)) for role in ROLES})
    return results
