"""Export of signed notes: plain text, Markdown, FHIR R4 (document Bundle or DocumentReference), clipboard.

Reads ``Note`` values from the store and returns text; writes nothing itself except
through the ``notes export`` command. Psychotherapy notes go out only when asked for.
"""

from .document import EXPORT_KINDS, Exported, ExportKind, export_note

__all__ = ["EXPORT_KINDS", "ExportKind", "Exported", "export_note"]
