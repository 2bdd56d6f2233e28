"""Export of signed notes: plain text, Markdown, FHIR R4 (document Bundle or DocumentReference), clipboard,
typing into the focused window.

Reads ``Note`` values and returns text; writes only to the file (``write_private_file``),
the clipboard (``find_clipboard``, ``held``) or the keyboard (``find_typist``, ``type_note``)
the ``notes export`` command asks for.
Psychotherapy notes go out only when asked for. Loads its modules on first use, so
that the CLI, which registers the command, starts instantly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .kinds import EXPORT_KINDS, TYPED_KINDS, ExportKind

if TYPE_CHECKING:
    from .clipboard import Clipboard, find_clipboard, held
    from .document import Exported, export_note
    from .files import write_private_file
    from .typing import Typist, find_typist, type_note

_HOMES = {
    "Exported": "document",
    "export_note": "document",
    "Clipboard": "clipboard",
    "find_clipboard": "clipboard",
    "held": "clipboard",
    "write_private_file": "files",
    "Typist": "typing",
    "find_typist": "typing",
    "type_note": "typing",
}
__all__ = [
    "EXPORT_KINDS",
    "TYPED_KINDS",
    "Clipboard",
    "ExportKind",
    "Exported",
    "Typist",
    "export_note",
    "find_clipboard",
    "find_typist",
    "held",
    "type_note",
    "write_private_file",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
