"""The segmenter's one spaCy pipeline: the shipped role classifier plus a sentencizer.

Loaded once, lazily, from ``models/segmenter/roles/`` (``spacy.blank("en")`` with a
trained ``textcat``); a rule-based ``sentencizer`` is added for sentence splitting,
so both share one tokenizer and one load. The tokenizer is spaCy's stock English
one, built from the language defaults rather than read back from disk (reading it
would build it twice: a tenth of a second of the load), and spaCy is imported
without its command-line package (``import_spacy``: a quarter of a second).
``warm_up`` loads it in the background while audio is still being transcribed.
"""

from __future__ import annotations

import importlib
import sys
import threading
import types
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..core.config import shipped_dir
from ..core.errors import FormatFileError

MODEL_NAME = "roles"


def model_dir() -> Path:
    """Where the shipped role classifier lives."""
    return shipped_dir("models") / "segmenter" / MODEL_NAME


_IMPORT_LOCK = threading.RLock()  # re-entered if spaCy touches spacy.cli while importing
_CLI_MODULES = ("spacy.cli.info", "spacy.cli")


class _DeferredModule(types.ModuleType):
    """Stands in for ``spacy.cli`` until something in it is used, then imports it."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(_real_cli(self.__name__), name)


def _drop_placeholders() -> None:
    for key in _CLI_MODULES:
        if isinstance(sys.modules.get(key), _DeferredModule):
            del sys.modules[key]


def _real_cli(name: str) -> Any:
    with _IMPORT_LOCK:
        _drop_placeholders()
        return importlib.import_module(name)


def _deferred_info(*args: Any, **kwargs: Any) -> Any:
    return _real_cli("spacy.cli.info").info(*args, **kwargs)


def import_spacy() -> Any:
    """``import spacy``, without importing its command-line package up front.

    spaCy's ``__init__`` imports ``spacy.cli`` (typer, click, weasel and every
    command: a quarter of a second, a third of the segmenter's load) only to
    re-export ``spacy.info``. Placeholders stand in for ``spacy.cli`` while spaCy
    is imported; the first use of anything in them imports the real package, so
    ``import spacy.cli`` elsewhere still works.
    """
    with _IMPORT_LOCK:
        if "spacy" in sys.modules or "spacy.cli" in sys.modules:
            return importlib.import_module("spacy")
        cli = _DeferredModule("spacy.cli")
        cli.__path__ = []
        info = _DeferredModule("spacy.cli.info")
        setattr(info, "info", _deferred_info)  # noqa: B010 (a module attribute mypy cannot see)
        sys.modules.update({"spacy.cli": cli, "spacy.cli.info": info})
        try:
            spacy = importlib.import_module("spacy")
        except BaseException:
            _drop_placeholders()
            raise
        if not hasattr(spacy, "cli"):  # as after a real import: ``spacy.cli.download`` works
            setattr(spacy, "cli", cli)  # noqa: B010
        return spacy


@lru_cache(maxsize=1)
def pipeline() -> Any:
    """The loaded spaCy pipeline (textcat + sentencizer)."""
    spacy = import_spacy()
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
