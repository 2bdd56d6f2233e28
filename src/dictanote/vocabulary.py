"""The user's clinical vocabulary: terms Whisper should expect, and fixes for its mishearings.

``<config dir>/vocabulary.toml`` holds ``terms`` (medications, local programs,
client initials) that bias decoding, and a ``[replace]`` table of phrases Whisper
keeps getting wrong mapped to what was said. The shipped ``templates/rules/clinical.toml``
provides the defaults; the user's entries are added after (and win over) them.
This module only reads and validates the files.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Paths, shipped_dir
from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

VOCABULARY_KEYS = ("terms", "replace")


@dataclass(frozen=True)
class Vocabulary:
    """Terms that bias decoding and phrase replacements applied to transcripts."""

    terms: tuple[str, ...] = ()
    replacements: tuple[tuple[str, str], ...] = ()

    @property
    def hotwords(self) -> str | None:
        """The terms as a short string for faster-whisper's ``hotwords``, or None."""
        return " ".join(self.terms) if self.terms else None


def vocabulary_file(paths: Paths) -> Path:
    """Where the user's vocabulary lives."""
    return paths.config_dir / "vocabulary.toml"


def load_vocabulary(paths: Paths) -> Vocabulary:
    """Shipped clinical replacements plus the user's vocabulary file, if any."""
    shipped = shipped_dir("templates") / "rules" / "clinical.toml"
    base = _read(shipped, allowed=None)
    replacements = dict(_replacements(base.get("replace", {}), shipped))
    terms: list[str] = []
    user = vocabulary_file(paths)
    if user.is_file():
        raw = _read(user, allowed=VOCABULARY_KEYS)
        user_terms = raw.get("terms", [])
        if not isinstance(user_terms, list) or not all(isinstance(t, str) and t.strip() for t in user_terms):
            raise ConfigError(f"vocabulary file {user}: 'terms' must be a list of strings")
        terms = [t.strip() for t in user_terms]
        replacements.update(_replacements(raw.get("replace", {}), user))
    return Vocabulary(
        terms=tuple(terms),
        replacements=tuple(replacements.items()),
    )


def _read(path: Path, allowed: tuple[str, ...] | None) -> dict[str, Any]:
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"vocabulary file {path}: cannot read it ({exc})") from exc
    if allowed is not None:
        unknown = sorted(set(raw) - set(allowed))
        if unknown:
            raise ConfigError(
                f"vocabulary file {path}: unknown key {unknown[0]!r}; allowed keys: {', '.join(allowed)}"
            )
    return raw


def _replacements(table: Any, path: Path) -> dict[str, str]:
    if not isinstance(table, dict) or not all(
        isinstance(k, str) and k.strip() and isinstance(v, str) for k, v in table.items()
    ):
        raise ConfigError(f"vocabulary file {path}: [replace] must map heard phrases to written text")
    return {k.strip().lower(): v for k, v in table.items()}
