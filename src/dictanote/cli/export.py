"""``dictanote notes export``: a signed note as text, Markdown or FHIR JSON, to stdout, a file, the clipboard,
or typed into the focused window.

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

from ..export import EXPORT_KINDS, TYPED_KINDS
from .common import RECORD_ID, echo, get_dictation, private_option, tell

if TYPE_CHECKING:
    from ..app import Dictation
    from ..export import Exported, ExportKind

KIND_HELP = (
    "text: plain text for EHR fields without formatting; markdown: the format's layout; "
    "fhir: a FHIR R4 document Bundle (Composition, one LOINC-coded section per field); "
    "fhir-docref: a FHIR R4 DocumentReference with the Markdown inline."
)
MAX_RESTORE_S = 3600.0
MAX_TYPE_DELAY_S = 60.0
TYPE_DELAY_S = 3.0


@click.command("export")
@click.argument("note_id", type=RECORD_ID)
@private_option("Export from the psychotherapy (private) record.")
@click.option(
    "--as", "kind", type=click.Choice(EXPORT_KINDS), help=f"{KIND_HELP} Required, except with --type (text)."
)
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
@click.option(
    "--type",
    "typed",
    is_flag=True,
    help="Type the export (text unless --as markdown) into the focused window, e.g. an EHR form field "
    "(xdotool on X11; wtype or ydotool on Wayland).",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0, max=MAX_TYPE_DELAY_S),
    metavar="SECONDS",
    help=f"With --type: seconds to switch to the EHR window before typing starts (default {TYPE_DELAY_S:g}).",
)
@click.option(
    "--field-delay",
    "field_delay",
    type=click.FloatRange(min=0, max=MAX_TYPE_DELAY_S),
    metavar="SECONDS",
    help="With --type: pause SECONDS after each section and paragraph, for web forms that lag (default 0).",
)
def export(
    note_id: int,
    private: bool,
    kind: str | None,
    output: Path | None,
    copy: bool,
    restore_after: float | None,
    typed: bool,
    delay: float | None,
    field_delay: float | None,
) -> None:
    """Export finalized note NOTE_ID for an EHR.

    Without --output, --copy or --type the export goes to standard output. With --type
    it is typed into whichever window has the focus once --delay is over (Ctrl-C stops
    it). Only the clinical record is exported unless --private is given; a psychotherapy
    note never leaves without it. The export is recorded in the audit log.
    """
    from ..export import find_clipboard, held, write_private_file

    kind = _checked_kind(kind, copy=copy, restore_after=restore_after, typed=typed)
    if not typed and (delay is not None or field_delay is not None):
        raise click.UsageError("--delay and --field-delay need --type")
    dictation = get_dictation()
    clipboard = find_clipboard() if copy else None  # fail before anything is written
    if typed:
        _type(dictation, note_id, kind, private=private, output=output, pauses=(delay, field_delay))
        return
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


def _checked_kind(kind: str | None, *, copy: bool, restore_after: float | None, typed: bool) -> str:
    """The kind to export; a UsageError for options that do not go together."""
    if restore_after is not None and not copy:
        raise click.UsageError("--restore-after needs --copy")
    if typed and copy:
        raise click.UsageError("--type and --copy: choose one")
    if kind is None:
        if not typed:
            raise click.UsageError(f"Missing option '--as' (one of {', '.join(EXPORT_KINDS)})")
        return "text"
    if typed and kind not in TYPED_KINDS:
        raise click.UsageError(f"--type types {' or '.join(TYPED_KINDS)}, not {kind}")
    return kind


def _type(
    dictation: Dictation,
    note_id: int,
    kind: str,
    *,
    private: bool,
    output: Path | None,
    pauses: tuple[float | None, float | None],
) -> None:
    """Type the export into the focused window after the delay; the audit entry once it is typed."""
    from ..export import find_typist, type_note, write_private_file

    typist = find_typist()  # fail before anything is written or typed
    delay = TYPE_DELAY_S if pauses[0] is None else pauses[0]
    field_delay = pauses[1] or 0.0

    def deliver(exported: Exported) -> None:
        if output is not None:
            write_private_file(output, exported.text)
            tell(f"wrote note {note_id} ({kind}) to {output}")
        if delay:
            tell(f"typing note {note_id} ({kind}) into the focused window in {delay:g} s (Ctrl-C stops it)")
            time.sleep(delay)
        type_note(typist, exported.text, field_delay=field_delay)

    dictation.export(note_id, cast("ExportKind", kind), private=private, deliver=deliver)
    tell(f"typed note {note_id} ({kind}) with {typist.name}")
