"""The segmenter's one spaCy pipeline: the shipped role classifier plus a sentencizer.

Loaded once, lazily, from ``models/segmenter/roles/`` (``spacy.blank("en")`` with a
trained ``textcat``); a rule-based ``sentencizer`` is added for sentence splitting,
so both share one tokenizer and one load. The tokenizer is spaCy's stock English
one, built from the language defaults rather than read back from disk (reading it
would build it twice: a tenth of a second of the load), and spaCy is imported
without its command-line package (``import_spacy``: a quarter of a second).
``warm_up`` loads it in the background while audio is still being transcribed.
The tokenizer is bounded (``BoundedTokenizer``): its work stays linear in the text.
"""

from __future__ import annotations

import importlib
import itertools
import re
import sys
import threading
import types
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..core.config import shipped_dir
from ..core.errors import FormatFileError
from .rules import abbreviations

MODEL_NAME = "roles"
# The longest text the segmenter takes at once: about a hundred hours of speech, and spaCy's own
# default limit. Longer input is refused with a one-line ``TextInputError`` (``units.check_text``).
MAX_TEXT_CHARS = 1_000_000
# spaCy strips prefixes and suffixes off a run of characters without spaces one at a time, re-reading
# the whole run each time: quadratic in its length ("((((...))))"). Longer runs are tokenized in
# pieces of this many characters; no word is this long.
MAX_RUN_CHARS = 200
_LONG_RUN_RE = re.compile(rf"\S{{{MAX_RUN_CHARS + 1},}}")
# A lower-case dotted abbreviation ("q.i.d.", "p.r.n.", "a.m.", "q.4h.", the "q." of "q. 4 h."), or
# one listed in templates/rules/abbreviations.toml ("approx.", "etc."): one token, so that the
# sentencizer does not end a sentence at its last period (``units.resplit`` decides if one ends there).
_DOTTED_RE = re.compile(r"[^\W\d_]\.(?:[^\W_]{1,3}\.)*")


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


def _dotted(text: str) -> bool:
    if _DOTTED_RE.fullmatch(text) is not None and (text.islower() or text.count(".") > 1):
        return True  # "q.", "p.r.n.", and in any case "P.r.n.", "R.n.", "J.T."
    listed = abbreviations()
    return text[-1:] == "." and (text.lower() in listed.may_end or text.lower() in listed.never_final)


class BoundedTokenizer:
    """spaCy's tokenizer, fed runs without spaces of at most ``MAX_RUN_CHARS`` characters.

    A longer run is cut into pieces, each tokenized alone, and the pieces' docs joined
    again with no space between them: the doc's text is the text given, and the work
    stays linear in its length.
    """

    def __init__(self, tokenizer: Any) -> None:
        """Wrap ``tokenizer``; lower-case dotted abbreviations become single tokens."""
        tokenizer.token_match = _dotted
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Any:
        """The doc of ``text``."""
        cuts = [
            cut
            for run in _LONG_RUN_RE.finditer(text)
            for cut in range(run.start() + MAX_RUN_CHARS, run.end(), MAX_RUN_CHARS)
        ]
        if not cuts:
            return self.tokenizer(text)
        from spacy.attrs import ORTH, SPACY
        from spacy.tokens import Doc

        words: list[str] = []
        spaces: list[bool] = []
        strings = self.tokenizer.vocab.strings
        for a, b in itertools.pairwise([0, *cuts, len(text)]):
            table = self.tokenizer(text[a:b]).to_array([ORTH, SPACY]).tolist()
            words.extend(strings[orth] for orth, _ in table)
            spaces.extend(bool(space) for _, space in table)
        return Doc(self.tokenizer.vocab, words=words, spaces=spaces)


@lru_cache(maxsize=1)
def pipeline() -> Any:
    """The loaded spaCy pipeline (textcat + sentencizer), with the bounded tokenizer."""
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
    nlp.tokenizer = BoundedTokenizer(nlp.tokenizer)
    nlp.max_length = MAX_TEXT_CHARS
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
