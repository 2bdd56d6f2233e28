"""The segmenter's rules, read from data files beside the templates and validated.

``templates/rules/segmenter.toml`` says how headers and voice commands are
spoken; ``templates/rules/clinical.toml`` how clinical terms are written;
``templates/rules/abbreviations.toml`` which periods do not end a sentence. An
unknown key is an error that names the file, the key and the allowed keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..core.config import shipped_dir
from ..core.datafile import ListOf, Table, load_table
from ..core.errors import FormatFileError
from ..core.types import ROLES
from ..core.vocabulary import load_clinical

COMMANDS = (
    "scratch",
    "new_paragraph",
    "private_start",
    "private_end",
    "private_switch",
    "quote_open",
    "quote_close",
)
SEGMENTER_SCHEMA = Table(
    {
        "headers": Table(
            {
                "fillers": ListOf(str),
                "lead_ins": ListOf(str),
                "trailers": ListOf(str),
                "returning": ListOf(str),
                "misheard": Table(any_key=str),
            },
            required=("fillers", "lead_ins"),
        ),
        "commands": Table({name: ListOf(str) for name in COMMANDS}),
        "punctuation": Table(any_key=str),
    },
    required=("headers", "commands"),
)
ROLES_SCHEMA = Table(
    {
        "boost": ListOf(
            Table({"role": str, "pattern": str, "weight": (int, float)}, required=("role", "pattern"))
        )
    }
)

ABBREVIATIONS_SCHEMA = Table(
    {
        "abbreviations": Table(
            {"never_final": ListOf(str), "may_end": ListOf(str), "sentence_starters": ListOf(str)},
            required=("never_final", "may_end", "sentence_starters"),
        )
    },
    required=("abbreviations",),
)
# An abbreviation as the file writes it: letters and digits, each group closed by a period ("q.4h.").
_ABBREVIATION_RE = re.compile(r"(?:[^\W_]+\.)+")


@dataclass(frozen=True, eq=False)
class HeaderRules:
    """How a spoken header may be introduced, and header words Whisper mishears."""

    fillers: frozenset[str]
    lead_ins: tuple[tuple[str, ...], ...]
    trailers: tuple[tuple[str, ...], ...]
    returning: frozenset[str]
    misheard: dict[str, str]


@dataclass(frozen=True, eq=False)  # hashed by identity, so compiled patterns can be cached
class CommandRules:
    """Voice-command phrases (each a tuple of lower-case words) and spoken punctuation.

    ``fillers`` are the header fillers ("okay", "and", "so"), which may come before a
    command that is a sentence of its own ("And private note.").
    """

    phrases: dict[str, tuple[tuple[str, ...], ...]]
    punctuation: dict[str, str]
    fillers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Measure:
    """A rating scale: how it is written and the parts it is spoken in."""

    written: str
    letters: str
    number: str


@dataclass(frozen=True, eq=False)
class ClinicalRules:
    """How clinical terms are written."""

    measures: tuple[Measure, ...]
    acronyms: tuple[str, ...]
    ambiguous: frozenset[str]
    scales: tuple[str, ...] = ()
    medications: tuple[str, ...] = ()


def rules_dir() -> Path:
    """The shipped rules directory."""
    return shipped_dir("templates") / "rules"


def _load(name: str, schema: Table) -> tuple[Path, dict[str, Any]]:
    path = rules_dir() / name
    return path, load_table(path, schema, what="rules file")


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(phrase.lower().replace("'", "'").split())


@lru_cache(maxsize=1)
def segmenter_rules() -> tuple[HeaderRules, CommandRules]:
    """Header and command rules from segmenter.toml."""
    _, raw = _load("segmenter.toml", SEGMENTER_SCHEMA)
    headers = raw["headers"]
    commands = raw["commands"]
    header_rules = HeaderRules(
        fillers=frozenset(w.lower() for w in headers["fillers"]),
        lead_ins=tuple(sorted((_words(p) for p in headers["lead_ins"]), key=len, reverse=True)),
        trailers=tuple(sorted((_words(p) for p in headers.get("trailers", [])), key=len, reverse=True)),
        returning=frozenset(w.lower() for w in headers.get("returning", [])),
        misheard={k.lower(): v.lower() for k, v in headers.get("misheard", {}).items()},
    )
    command_rules = CommandRules(
        phrases={
            name: tuple(sorted((_words(p) for p in commands.get(name, [])), key=len, reverse=True))
            for name in COMMANDS
        },
        punctuation={k.lower(): v for k, v in raw.get("punctuation", {}).items()},
        fillers=tuple(sorted(header_rules.fillers)),
    )
    return header_rules, command_rules


@lru_cache(maxsize=1)
def clinical_rules() -> ClinicalRules:
    """Measure and acronym rules from clinical.toml (read once, with the vocabulary's replacements)."""
    raw = load_clinical()
    measures = [Measure(m["written"], m["letters"], m.get("number", "")) for m in raw.get("measures", [])]
    acronyms = raw.get("acronyms", {})
    facts = raw.get("facts", {})
    return ClinicalRules(
        measures=tuple(measures),
        acronyms=tuple(dict.fromkeys(acronyms.get("words", []))),
        ambiguous=frozenset(acronyms.get("ambiguous", [])),
        scales=tuple(facts.get("scales", [])),
        medications=tuple(m.lower() for m in facts.get("medications", [])),
    )


@dataclass(frozen=True)
class RoleBoost:
    """A phrasing that makes a role more likely: pattern, role, added probability mass."""

    role: str
    pattern: re.Pattern[str]
    weight: float


@lru_cache(maxsize=1)
def role_boosts() -> tuple[RoleBoost, ...]:
    """Role boost rules from roles.toml, validated."""
    path, raw = _load("roles.toml", ROLES_SCHEMA)
    boosts = []
    for n, item in enumerate(raw.get("boost", []), start=1):
        where = f"rules file {path} [boost #{n}]"
        if item["role"] not in ROLES:
            raise FormatFileError(f"{where}: unknown role {item.get('role')!r}; roles: {', '.join(ROLES)}")
        try:
            pattern = re.compile(item["pattern"], re.I)
        except re.error as exc:
            raise FormatFileError(f"{where}: bad pattern ({exc})") from exc
        boosts.append(RoleBoost(item["role"], pattern, float(item.get("weight", 0.3))))
    return tuple(boosts)


@dataclass(frozen=True, eq=False)
class Abbreviations:
    """Written abbreviations (lower case, with their periods) and the words that plainly open a sentence.

    ``never_final``: a sentence never ends at their period ("Dr.", "e.g."); ``may_end``: it ends
    there only before a word that plainly starts a new one ("p.m.", "etc."); ``starters``: the
    words that start one after initials ("J.T.", "vitamin D."), where a capital is often a name.
    """

    never_final: frozenset[str]
    may_end: frozenset[str]
    starters: frozenset[str]


@lru_cache(maxsize=1)
def abbreviations() -> Abbreviations:
    """The abbreviations of abbreviations.toml, read once; ``FormatFileError`` names a malformed entry."""
    path, raw = _load("abbreviations.toml", ABBREVIATIONS_SCHEMA)
    table = raw["abbreviations"]
    for key in ("never_final", "may_end"):
        for n, entry in enumerate(table[key], start=1):
            if _ABBREVIATION_RE.fullmatch(entry) is None:
                raise FormatFileError(
                    f"rules file {path} [abbreviations] {key} #{n}: {entry!r} is not an abbreviation "
                    'written with its periods and no spaces (like "p.r.n." or "Dr.")'
                )
    return Abbreviations(
        never_final=frozenset(a.lower() for a in table["never_final"]),
        may_end=frozenset(a.lower() for a in table["may_end"]),
        starters=frozenset(w.lower().replace("\u2019", "'") for w in table["sentence_starters"]),
    )
