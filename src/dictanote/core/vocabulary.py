"""The user's clinical vocabulary: terms Whisper should expect, and fixes for its mishearings.

``<config dir>/vocabulary.toml`` holds ``terms`` (medications, local programs,
client initials) that bias decoding, and a ``[replace]`` table of phrases Whisper
keeps getting wrong mapped to what was said. The shipped ``templates/rules/clinical.toml``
provides the defaults; the user's entries are added after (and win over) them.
This module only reads and validates the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .config import Paths, shipped_dir
from .datafile import ListOf, Table, load_table
from .errors import ConfigError, FormatFileError

REPLACE_SCHEMA = Table(any_key=str)
VOCABULARY_SCHEMA = Table({"terms": ListOf(str), "replace": REPLACE_SCHEMA})
# The shipped clinical.toml: the replacements here, and what the segmenter reads of it.
CLINICAL_SCHEMA = Table(
    {
        "measures": ListOf(
            Table({"written": str, "letters": str, "number": str}, required=("written", "letters"))
        ),
        "acronyms": Table({"words": ListOf(str), "ambiguous": ListOf(str)}),
        "replace": REPLACE_SCHEMA,
        "facts": Table({"scales": ListOf(str), "medications": ListOf(str)}),
    }
)


@dataclass(frozen=True)
class Vocabulary:
    """Terms that bias decoding and phrase replacements applied to transcripts."""

    terms: tuple[str, ...] = ()
    replacements: tuple[tuple[str, str], ...] = ()

    @property
    def hotwords(self) -> str | None:
        """The terms as a short string for faster-whisper's ``hotwords``, or None."""
        return " ".join(self.terms) if self.terms else None


@dataclass(frozen=True)
class Lexicon:
    """The words a misheard span may be corrected to: medication names, and the user's own terms."""

    medications: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()


def vocabulary_file(paths: Paths) -> Path:
    """Where the user's vocabulary lives."""
    return paths.config_dir / "vocabulary.toml"


def clinical_file() -> Path:
    """The shipped clinical rules: measures, acronyms, replacements, session-fact words."""
    return shipped_dir("templates") / "rules" / "clinical.toml"


@lru_cache(maxsize=1)
def load_clinical() -> dict[str, Any]:
    """The shipped clinical rules file, read and checked once per process."""
    return load_table(clinical_file(), CLINICAL_SCHEMA, what="rules file", error=FormatFileError)


def load_vocabulary(paths: Paths) -> Vocabulary:
    """Shipped clinical replacements plus the user's vocabulary file, if any."""
    replacements = _replacements(load_clinical().get("replace", {}), clinical_file())
    terms: list[str] = []
    user = vocabulary_file(paths)
    if user.is_file():
        raw = load_table(user, VOCABULARY_SCHEMA, what="vocabulary file", error=ConfigError)
        terms = [t.strip() for t in raw.get("terms", [])]
        if not all(terms):
            raise ConfigError(f"vocabulary file {user}: 'terms' must be a list of non-empty strings")
        replacements.update(_replacements(raw.get("replace", {}), user))
    return Vocabulary(terms=tuple(terms), replacements=tuple(replacements.items()))


def _replacements(table: dict[str, str], path: Path) -> dict[str, str]:
    """Heard phrases (lower case) mapped to what was said."""
    if not all(k.strip() for k in table):
        raise ConfigError(f"vocabulary file {path}: [replace] must map heard phrases to written text")
    return {k.strip().lower(): v for k, v in table.items()}
