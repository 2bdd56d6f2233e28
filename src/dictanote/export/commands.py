"""``dictanote notes export``: a signed note as text, Markdown or FHIR JSON, to stdout, a file or clipboard.

A thin skin over ``export_note`` and the store; imports only click at load time.
Psychotherapy notes are reachable only with ``--private``. Every export is written
to the audit log (what kind, never what it said). Never prints note text on stderr.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

import click

KINDS = ("text", "markdown", "fhir", "fhir-docref")
KIND_HELP = (
    "text: plain text for EHR fields without formatting; markdown: the format's layout; "
    "fhir: a FHIR R4 document Bundle (Composition, one LOINC-coded section per field); "
    "fhir-docref: a FHIR R4 DocumentReference with the Markdown inline."
)
MAX_RESTORE_S = 3600.0


def _tell(message: str) -> None:
    click.echo(f"dictanote: {message}", err=True)


def _config() -> Any:
    from ..cli import _config as config

    return config()


def write_private_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by the owner alone, atomically (a reader never sees half)."""
    from ..core.errors import OutputFileError

    target = path.expanduser()
    parent = target.parent
    if target.is_dir():
        raise OutputFileError(f"{target} is a directory; give a file name for --output")
    if not parent.is_dir():
        raise OutputFileError(f"cannot write {target}: the directory {parent} does not exist")
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp_name, target)
        tmp_name = None
    except OSError as exc:
        raise OutputFileError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)


@click.command("export")
@click.argument("note_id", type=int)
@click.option("--private", is_flag=True, help="Export from the psychotherapy (private) record.")
@click.option("--as", "kind", type=click.Choice(KINDS), required=True, help=KIND_HELP)
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
    from ..app import Dictation
    from .clipboard import find_clipboard, held
    from .document import export_note

    if restore_after is not None and not copy:
        raise click.UsageError("--restore-after needs --copy")
    config = _config()
    clipboard = find_clipboard() if copy else None  # fail before anything is written
    with Dictation(config).open_store() as store:
        note = store.get_note(note_id, private=private)
    exported = export_note(note, kind, config, private=private)  # type: ignore[arg-type]

    def record() -> None:
        with Dictation(config).open_store() as store:
            store.record_export(note_id, kind, private=private)

    if output is not None:
        write_private_file(output, exported.text)
        _tell(f"wrote note {note_id} ({kind}) to {output}")
    if clipboard is None:
        if output is None:
            click.echo(exported.text, nl=False)
        record()
        return
    if restore_after is None:
        clipboard.copy(exported.text)
        record()
        _tell(f"copied note {note_id} ({kind}) to the clipboard")
        return
    with held(clipboard, exported.text, _tell):
        record()
        _tell(
            f"copied note {note_id} ({kind}) to the clipboard; the previous clipboard comes back "
            f"in {restore_after:g} s (Ctrl-C puts it back now)"
        )
        time.sleep(restore_after)
