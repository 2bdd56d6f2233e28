"""``dictanote notes export``: a signed note as text, Markdown or FHIR JSON, to stdout, a file, the clipboard.

``Dictation.export`` makes the export and writes its audit entry (the kind, never
the words) once this command has delivered it; a psychotherapy note only with
``--private``. Never prints note text on stderr.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

from ..export import EXPORT_KINDS
from .common import RECORD_ID, echo, get_dictation, private_option, tell

if TYPE_CHECKING:
    from ..export import Exported, ExportKind

KIND_HELP = (
    "text: plain text for EHR fields without formatting; markdown: the format's layout; "
    "fhir: a FHIR R4 document Bundle (Composition, one LOINC-coded section per field); "
    "fhir-docref: a FHIR R4 DocumentReference with the Markdown inline."
)
MAX_RESTORE_S = 3600.0


@click.command("export")
@click.argument("note_id", type=RECORD_ID)
@private_option("Export from the psychotherapy (private) record.")
@click.option("--as", "kind", type=click.Choice(EXPORT_KINDS), required=True, help=KIND_HELP)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Write the export to FILE (created readable by you alone) instead of standard output.",
)
@click.option(
    "--copy", is_flag=True, help="Put the export on the clipboard (wl-copy, xclip, xsel or pbcopy)."
)
@click.option(
    "--restore-after",
    "restore_after",
    type=click.FloatRange(min=0, min_open=True, max=MAX_RESTORE_S),
    metavar="SECONDS",
    help="With --copy: wait SECONDS, then put the previous clipboard back (Ctrl-C restores it at once).",
)
def export(
    note_id: int, private: bool, kind: str, output: Path | None, copy: bool, restore_after: float | None
) -> None:
    """Export finalized note NOTE_ID for an EHR.

    Without --output or --copy the export goes to standard output. Only the clinical
    record is exported unless --private is given; a psychotherapy note never leaves
    without it. The export is recorded in the audit log.
    """
    from ..export import find_clipboard, held, write_private_file

    if restore_after is not None and not copy:
        raise click.UsageError("--restore-after needs --copy")
    dictation = get_dictation()
    clipboard = find_clipboard() if copy else None  # fail before anything is written
    with ExitStack() as holding:  # with --restore-after: the clipboard is held until the wait is over

        def deliver(exported: Exported) -> None:
            if output is not None:
                write_private_file(output, exported.text)
                tell(f"wrote note {note_id} ({kind}) to {output}")
            if clipboard is None:
                if output is None:
                    echo(exported.text, nl=False)
            elif restore_after is None:
                clipboard.copy(exported.text)
            else:
                holding.enter_context(held(clipboard, exported.text, tell))

        dictation.export(note_id, cast("ExportKind", kind), private=private, deliver=deliver)
        if clipboard is None:
            return
        if restore_after is None:
            tell(f"copied note {note_id} ({kind}) to the clipboard")
            return
        tell(
            f"copied note {note_id} ({kind}) to the clipboard; the previous clipboard comes back "
            f"in {restore_after:g} s (Ctrl-C puts it back now)"
        )
        time.sleep(restore_after)
