"""The user's clinical vocabulary: terms Whisper should expect, and fixes for its mishearings.

``<config dir>/vocabulary.toml`` holds ``terms`` (medications, local programs,
client initials) that bias decoding, and a ``[replace]`` table of phrases Whisper
keeps getting wrong mapped to what was said. The shipped ``templates/rules/clinical.toml``
provides the defaults; the user's entries are added after (and win over) them.
This module only reads and validates the files.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    """The words a misheard span may be corrected to: medication names, and the user's own terms.

    ``brands``: the medications that are brand names; ``keep``: lower-case words never
    rewritten (risk and scale words, acronyms); ``common``: lower-case English words,
    which need stronger evidence to be rewritten.
    """

    medications: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    brands: frozenset[str] = frozenset()
    keep: frozenset[str] = frozenset()
    common: frozenset[str] = frozenset()


MEDICATIONS_SCHEMA = Table(
    {"medications": Table(any_key=ListOf(str)), "brands": Table(any_key=str), "keep": ListOf(str)},
    required=("medications",),
)
ENGLISH_SCHEMA = Table({"common": str}, required=("common",))


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


def medications_file() -> Path:
    """The shipped medication names (generic names by class, brand names) the vocabulary corrects to."""
    return shipped_dir("templates") / "rules" / "medications.toml"


def english_file() -> Path:
    """The shipped list of common English words."""
    return shipped_dir("templates") / "rules" / "english.toml"


@lru_cache(maxsize=1)
def shipped_lexicon() -> Lexicon:
    """The shipped medication names, words never rewritten and common words, read and checked once."""
    lexicon = read_medications(medications_file())
    clinical = load_clinical()
    keep = set(lexicon.keep)
    keep.update(w.lower() for w in clinical.get("acronyms", {}).get("words", []))
    keep.update(w.lower() for w in clinical.get("facts", {}).get("scales", []))
    keep.update(m["letters"].lower() for m in clinical.get("measures", []))
    common = load_table(english_file(), ENGLISH_SCHEMA, what="rules file", error=FormatFileError)[
        "common"
    ].split()
    lowered = {n.lower() for n in lexicon.medications}
    return replace(
        lexicon,
        keep=frozenset(keep),
        common=frozenset(w.lower() for w in common if w.lower() not in lowered),
    )


def read_medications(path: Path) -> Lexicon:
    """A medications file (``[medications]`` lists by class, ``[brands]``, ``keep``), checked.

    ``FormatFileError`` names the file and the name at fault: an empty or repeated
    name, or a brand of a generic the file does not list.
    """
    raw = load_table(path, MEDICATIONS_SCHEMA, what="rules file", error=FormatFileError)
    generics = [name.strip() for names in raw["medications"].values() for name in names]
    brands = {brand.strip(): generic.strip() for brand, generic in raw.get("brands", {}).items()}
    known = {g.lower() for g in generics}
    seen: set[str] = set()
    for name in (*generics, *brands):
        if not name or name.lower() in seen:
            raise FormatFileError(
                f"rules file {path}: {'repeated name ' + repr(name) if name else 'an empty name'}"
            )
        seen.add(name.lower())
    for brand, generic in brands.items():
        if generic.lower() not in known:
            raise FormatFileError(
                f"rules file {path}: [brands] {brand!r} stands for {generic!r}, "
                "which [medications] does not list"
            )
    return Lexicon(
        medications=(*generics, *brands),
        brands=frozenset(brands),
        keep=frozenset(w.strip().lower() for w in raw.get("keep", [])),
    )


def load_lexicon(vocabulary: Vocabulary) -> Lexicon:
    """The shipped lexicon with the user's vocabulary terms added as correction targets."""
    shipped = shipped_lexicon()
    return replace(shipped, terms=vocabulary.terms)
