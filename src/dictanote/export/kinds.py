"""What an export can be: the kinds, declared once and light enough for the CLI to offer at start-up."""

from __future__ import annotations

from typing import Literal, get_args

ExportKind = Literal["text", "markdown", "fhir", "fhir-docref"]
EXPORT_KINDS: tuple[str, ...] = get_args(ExportKind)
TYPED_KINDS: tuple[str, ...] = ("text", "markdown")  # what `notes export --type` can type
