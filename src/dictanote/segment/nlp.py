"""The segmenter's one spaCy pipeline: the shipped role classifier plus a sentencizer.

Loaded once, lazily, from ``models/segmenter/roles/`` (``spacy.blank("en")`` with a
trained ``textcat``); a rule-based ``sentencizer`` is added for sentence splitting,
so both share one tokenizer and one load. The tokenizer is spaCy's stock English
one, built from the language defaults rather than read back from disk (reading it
would build it twice: a tenth of a second of the load). ``warm_up`` loads it in the
background while audio is still being transcribed.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..config import shipped_dir
from ..errors import FormatFileError

MODEL_NAME = "roles"


def model_dir() -> Path:
    """Where the shipped role classifier lives."""
    return shipped_dir("models") / "segmenter" / MODEL_NAME


@lru_cache(maxsize=1)
def pipeline() -> Any:
    """The loaded spaCy pipeline (textcat + sentencizer)."""
    import spacy

    path = model_dir()
    try:
        nlp = spacy.load(path, exclude=["tokenizer"])
    except (OSError, ValueError) as exc:
        raise FormatFileError(
            f"role classifier missing or unreadable at {path}; "
            "reinstall dictanote or run models/segmenter/train_roles.py"
        ) from exc
    nlp.add_pipe("sentencizer", first=True)
    return nlp


def warm_up() -> threading.Thread:
    """Start loading the pipeline in a background thread; errors surface on first real use."""

    def load() -> None:
        try:
            pipeline()
        except Exception:  # reported again, properly, when the segmenter runs
            pipeline.cache_clear()

    thread = threading.Thread(target=load, name="dictanote-segmenter-warm-up", daemon=True)
    thread.start()
    return thread
