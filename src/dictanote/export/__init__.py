"""Export of signed notes: plain text, Markdown, FHIR R4 (document Bundle or DocumentReference), clipboard.

Reads ``Note`` values and returns text; writes only the file (``write_private_file``)
or the clipboard (``find_clipboard``, ``held``) the ``notes export`` command asks for.
Psychotherapy notes go out only when asked for. Loads its modules on first use, so
that the CLI, which registers the command, starts instantly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .kinds import EXPORT_KINDS, ExportKind

if TYPE_CHECKING:
    from .clipboard import Clipboard, find_clipboard, held
    from .document import Exported, export_note
    from .files import write_private_file

_HOMES = {
    "Exported": "document",
    "export_note": "document",
    "Clipboard": "clipboard",
    "find_clipboard": "clipboard",
    "held": "clipboard",
    "write_private_file": "files",
}
__all__ = [
    "EXPORT_KINDS",
    "Clipboard",
    "ExportKind",
    "Exported",
    "export_note",
    "find_clipboard",
    "held",
    "write_private_file",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
