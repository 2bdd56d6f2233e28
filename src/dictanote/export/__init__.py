"""Export of signed notes: plain text, Markdown, FHIR R4 (document Bundle or DocumentReference), clipboard.

Reads ``Note`` values and returns text; writes nothing itself except through the
``notes export`` command. Psychotherapy notes go out only when asked for. Loads its
modules on first use, so that the CLI, which registers the command, starts instantly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .document import EXPORT_KINDS, Exported, ExportKind, export_note

__all__ = ["EXPORT_KINDS", "ExportKind", "Exported", "export_note"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import document

        return getattr(document, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
