"""Note formats as data: ``formats/<id>.toml`` files, validated on load.

Shipped formats live in ``templates/formats/``; a clinician adds or overrides
one by dropping a file of the same shape into ``<config dir>/formats/``. This
module only reads and validates those files; it knows nothing of segmentation.
A format is named by an id (checked here, once), never by a path.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Paths, shipped_dir
from .datafile import ListOf, Table, load_table
from .errors import FormatFileError, UnknownFormatError
from .types import ROLES, FieldSpec, NoteFormat

FIELD_SCHEMA = Table(
    {
        "id": str,
        "label": str,
        "cues": ListOf(str),
        "description": str,
        "required": bool,
        "roles": ListOf(str),
    },
    required=("id", "label", "cues"),
)
FORMAT_SCHEMA = Table(
    {"id": str, "label": str, "description": str, "template": str, "fields": ListOf(FIELD_SCHEMA)},
    required=("id", "label", "fields"),
)
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# A format id: what may follow ``--format`` and name a file in a formats directory. Never a path.
FORMAT_ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FormatScan:
    """Every format that loaded, and one line for each format file that did not (it is skipped)."""

    formats: tuple[NoteFormat, ...]
    problems: tuple[str, ...]


def is_format_id(value: str) -> bool:
    """Whether ``value`` is shaped like a format id (``soap``, ``agency-intake``), not a path."""
    return FORMAT_ID_RE.fullmatch(value) is not None


def format_dirs(paths: Paths) -> tuple[Path, ...]:
    """Where formats are looked up, the user's first so that they override shipped ones."""
    return (paths.config_dir / "formats", shipped_dir("templates") / "formats")


def _format_files(paths: Paths) -> dict[str, Path]:
    """Each format file by its name's stem, the user's overriding shipped ones."""
    found: dict[str, Path] = {}
    for base in format_dirs(paths):
        if base.is_dir():
            for file in sorted(base.glob("*.toml")):
                found.setdefault(file.stem, file)
    return found


def scan_formats(paths: Paths) -> FormatScan:
    """Every format that loads, and one line for each broken file (skipped, not fatal to the others)."""
    formats: list[NoteFormat] = []
    problems: list[str] = []
    for _, file in sorted(_format_files(paths).items()):
        try:
            formats.append(parse_format_file(file))
        except FormatFileError as exc:
            problems.append(f"{exc}; skipped")
    return FormatScan(tuple(formats), tuple(problems))


_reported: set[str] = set()
_reported_lock = threading.Lock()


def list_formats(paths: Paths) -> list[NoteFormat]:
    """Every format that loads; each broken file is logged once per process and left out."""
    scan = scan_formats(paths)
    with _reported_lock:
        fresh = [p for p in scan.problems if p not in _reported]
        _reported.update(fresh)
    for problem in fresh:
        log.warning("%s", problem)
    return list(scan.formats)


def _available(paths: Paths) -> str:
    return ", ".join(k for k in sorted(_format_files(paths)) if is_format_id(k)) or "none"


def load_format(format_id: str, paths: Paths) -> NoteFormat:
    """The format called ``format_id``; UnknownFormatError naming the ones that exist.

    ``format_id`` is checked to be an id before any file is looked at: a path
    (``../x``, ``/x``, ``soap/../soap``) is an unknown format, and nothing is read.
    """
    if not is_format_id(format_id):
        raise UnknownFormatError(
            f"no note format {format_id!r}: a format is an id such as 'soap' (lower-case letters, "
            f"digits, '-' and '_'), never a path; available: {_available(paths)}"
        )
    for base in format_dirs(paths):
        file = base / f"{format_id}.toml"
        if file.is_file():
            return parse_format_file(file)
    raise UnknownFormatError(
        f"no note format {format_id!r}; available: {_available(paths)} "
        f"(add your own as {format_dirs(paths)[0]}/{format_id}.toml)"
    )


def parse_format_file(file: Path) -> NoteFormat:
    """Read and validate one format file; FormatFileError names the file and the problem."""
    if not is_format_id(file.stem):
        raise FormatFileError(
            f"format file {file}: {file.stem!r} is not a format id; name the file "
            "<id>.toml with lower-case letters, digits, '-' and '_'"
        )
    raw = load_table(file, FORMAT_SCHEMA, what="format file")
    if raw["id"] != file.stem:
        raise FormatFileError(f"format file {file}: id {raw['id']!r} must match the file name {file.stem!r}")
    if not raw["fields"]:
        raise FormatFileError(f"format file {file}: 'fields' is empty; a format needs a field")
    specs: list[FieldSpec] = []
    for n, item in enumerate(raw["fields"], start=1):
        specs.append(_parse_field(item, f"format file {file} [fields #{n}]"))
    ids = [s.id for s in specs]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise FormatFileError(f"format file {file}: field id {dupes[0]!r} appears twice")
    roles = [r for s in specs for r in s.roles]
    dupes = sorted({r for r in roles if roles.count(r) > 1})
    if dupes:
        raise FormatFileError(
            f"format file {file}: role {dupes[0]!r} is mapped to two fields; map each role once"
        )
    return NoteFormat(
        id=raw["id"],
        label=raw["label"],
        description=raw.get("description", ""),
        fields=tuple(specs),
        template=raw.get("template", f"{raw['id']}.md.j2"),
        source=str(file),
    )


def _parse_field(item: dict[str, Any], where: str) -> FieldSpec:
    if not ID_RE.match(item["id"]):
        raise FormatFileError(
            f"{where}: id {item['id']!r} must be lower-case letters, digits and underscores"
        )
    cues = item["cues"]
    if not cues or not all(c.strip() for c in cues):
        raise FormatFileError(f"{where} ({item['id']}): 'cues' must be a list of non-empty strings")
    roles = item.get("roles", [])
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise FormatFileError(
            f"{where} ({item['id']}): unknown role {unknown[0]!r}; roles: {', '.join(ROLES)}"
        )
    return FieldSpec(
        id=item["id"],
        label=item["label"],
        cues=tuple(c.strip().lower() for c in cues),
        description=item.get("description", ""),
        required=item.get("required", True),
        roles=tuple(roles),
    )
