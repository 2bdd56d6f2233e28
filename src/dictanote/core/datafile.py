"""The one TOML loader: a data file read and checked against a schema, or one line saying why not.

Every data file dictanote reads (note formats, rules, vocabulary, FHIR codes,
settings) goes through ``load_table``. A schema names each table's keys and
their types; an unknown key, a missing one or a value of the wrong type is
refused with a message naming the file, where in it, the key and the allowed
keys. What a file's values *mean* stays with its owner, which checks that after.

    schema = Table({"id": str, "fields": ListOf(Table({"id": str, "cues": ListOf(str)}, required=("id",)))})
    raw = load_table(path, schema, what="format file", error=FormatFileError)
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DictanoteError, FormatFileError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


# Arrays and inline tables nested deeper than this are refused before the TOML parser (which recurses)
# sees them; dictanote's own files nest three deep at most.
MAX_NESTING = 32
# What counts in a file's nesting: brackets, and the strings and comments skipped whole (their brackets
# are text). Each kind of string runs to its end, or to the end of its line or file when left open: a
# match never fails once begun, so the scan is linear.
_NESTING_TOKENS = re.compile(
    r'"""(?:[^\\]|\\.?)*?(?:"""""?"?|\Z)'  # up to two quotes may end the text before its closing three
    r"|'''.*?(?:''''?'?|\Z)"
    r'|"(?:[^"\\\n]|\\.)*"?'
    r"|'[^'\n]*'?"
    r"|#[^\n]*"
    r"|[\[\]{}]",
    re.DOTALL,
)


@dataclass(frozen=True)
class Table:
    """A TOML table: its keys and what each holds, the required ones, and (for tables keyed by data) any key.

    ``any_key``: when set, every key is allowed and its value must match this spec
    (a ``[replace]`` map, ``[sections.<field id>]``); ``keys`` then lists none.
    """

    keys: Mapping[str, Spec] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    any_key: Spec | None = None


@dataclass(frozen=True)
class ListOf:
    """A TOML array whose items all match ``item``."""

    item: Spec


# A spec: a Python type (``object`` for anything), a tuple of types, a table or a list.
Spec = type | tuple[type, ...] | Table | ListOf


def read_toml(path: Path, *, what: str, error: type[DictanoteError] = FormatFileError) -> dict[str, Any]:
    """The parsed file, unchecked; ``error`` names the file when it cannot be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{what} {path}: cannot read it ({exc})") from exc
    return parse_toml(text, what=f"{what} {path}", error=error)


def parse_toml(text: str, *, what: str, error: type[DictanoteError] = FormatFileError) -> dict[str, Any]:
    """TOML text (a file's, or what the clinician typed), unchecked; ``what`` starts every message."""
    line = _too_deep(text)
    if line:
        raise error(f"{what}: arrays or tables nested deeper than {MAX_NESTING} (line {line})")
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what}: not valid TOML ({exc})") from exc
    except ValueError as exc:  # the one tomllib lets through: int()'s limit on a decimal's digits
        raise error(f"{what}: a number has more than {sys.get_int_max_str_digits()} digits") from exc
    return data


def _too_deep(text: str) -> int:
    """The line where arrays and inline tables first nest deeper than ``MAX_NESTING``; 0 if they never do."""
    depth = 0
    for token in _NESTING_TOKENS.finditer(text):
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth > MAX_NESTING:
                return text.count("\n", 0, token.start()) + 1
        elif bracket in ("]", "}"):
            depth = max(depth - 1, 0)
    return 0


def load_table(
    path: Path, schema: Table, *, what: str, error: type[DictanoteError] = FormatFileError
) -> dict[str, Any]:
    """Read ``path`` and check it against ``schema``; the raw data, known to have the schema's shape.

    ``what`` says what kind of file it is in messages ("format file", "rules file").
    """
    raw = read_toml(path, what=what, error=error)
    check_table(raw, schema, f"{what} {path}", error)
    return raw


def check_table(raw: Mapping[str, Any], schema: Table, where: str, error: type[DictanoteError]) -> None:
    """Check already parsed data against ``schema``; ``where`` starts every message."""
    _check_table(raw, schema, where, (), error)


def _check_table(
    raw: Mapping[str, Any], schema: Table, base: str, loc: tuple[str, ...], error: type[DictanoteError]
) -> None:
    where = _where(base, loc)
    if schema.any_key is None:
        unknown = [k for k in raw if k not in schema.keys]
        if unknown:
            raise error(
                f"{where}: unknown key {sorted(unknown)[0]!r}; allowed keys: {', '.join(schema.keys)}"
            )
    for key in schema.required:
        if key not in raw:
            if isinstance(schema.keys.get(key), Table):
                raise error(f"{where}: missing the [{'.'.join((*loc, key))}] table")
            raise error(f"{where}: missing required key {key!r}")
    for key, value in raw.items():
        spec = schema.any_key if schema.any_key is not None else schema.keys[key]
        _check_value(value, spec, base, (*loc, key), error)


def _check_value(
    value: Any, spec: Spec, base: str, loc: tuple[str, ...], error: type[DictanoteError]
) -> None:
    if isinstance(spec, Table):
        if not isinstance(value, dict):
            raise error(f"{_where(base, loc[:-1])}: {loc[-1]!r} must be a table, got {_kind(value)}")
        _check_table(value, spec, base, loc, error)
    elif isinstance(spec, ListOf):
        if not isinstance(value, list):
            raise error(
                f"{_where(base, loc[:-1])}: {loc[-1]!r} must be {_describe(spec)}, got {_kind(value)}"
            )
        for n, item in enumerate(value, start=1):
            _check_value(item, spec.item, base, (*loc[:-1], f"{loc[-1]} #{n}"), error)
    elif not _is_instance(value, spec):
        raise error(f"{_where(base, loc[:-1])}: {loc[-1]!r} must be {_describe(spec)}, got {_kind(value)}")


def _is_instance(value: Any, spec: type | tuple[type, ...]) -> bool:
    kinds = spec if isinstance(spec, tuple) else (spec,)
    if isinstance(value, bool) and bool not in kinds and object not in kinds:
        return False  # TOML's true is not a number
    return isinstance(value, kinds)


_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
_PLURALS = {str: "strings", int: "integers", float: "numbers", bool: "true or false values"}


def _describe(spec: Spec) -> str:
    """What a spec asks for, in words: "a string", "a list of strings", "a table"."""
    if isinstance(spec, Table):
        return "a table"
    if isinstance(spec, ListOf):
        item = spec.item
        if isinstance(item, type) and item in _PLURALS:
            return f"a list of {_PLURALS[item]}"
        return "a list of tables" if isinstance(item, Table) else "a list"
    kinds = spec if isinstance(spec, tuple) else (spec,)
    return " or ".join(_NAMES.get(k, k.__name__) for k in kinds)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _where(base: str, loc: tuple[str, ...]) -> str:
    return f"{base} [{'.'.join(loc)}]" if loc else base
