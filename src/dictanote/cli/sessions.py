"""``dictanote sessions noshow|list``: sessions that did not happen, and every session of the caseload.

Thin commands over ``app.noshow`` (a typed no-show draft) and ``app.sessions_list`` (the list the
review page shows too); checking, saving and the audit are theirs and the store's. Prints ids,
dates, formats and attendance as the command's output, never a note's words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from .common import echo, get_dictation, json_option, print_json

if TYPE_CHECKING:
    from ..app.sessions_list import SessionRow

_KINDS = ("no-show", "late-cancel", "cancelled")


@click.group()
def sessions() -> None:
    """Your sessions: record one that did not happen; list every session, held or not."""


@sessions.command("noshow")
@click.argument("code", metavar="CLIENT")  # the clinician's own id for the client
@click.option("--kind", "attendance", type=click.Choice(_KINDS), required=True, help="What happened.")
@click.option("--reason", help="Why, if the client gave a reason (one line).")
@click.option("--date", "service_date", metavar="YYYY-MM-DD", help="Date of the session (default: today).")
@click.option("--time", "service_time", metavar="HH:MM", help="Local time of the session (default: now).")
@click.option("--note", default="", help="What else to record: contact and outreach, the plan.")
def noshow(
    code: str,
    attendance: str,
    reason: str | None,
    service_date: str | None,
    service_time: str | None,
    note: str,
) -> None:
    """Put a no-show note for CLIENT (an id of `dictanote clients list`) in the inbox, to review and sign.

    The note text, if any, is placed in the no-show format's fields (what happened, contact and
    outreach, plan). Sign it as any draft: `dictanote drafts finalize ID`.
    """
    from ..app.noshow import NoShowEntry, typed_no_show

    dictation = get_dictation()
    entry = NoShowEntry(code, attendance, reason, service_date, service_time, note)
    with dictation.open_store() as store:
        stored = dictation.save(typed_no_show(dictation, entry, store), store=store)
    echo(f"Draft {stored.id} ({attendance}) saved in the inbox.")


@sessions.command("list")
@click.option("--client", "client_id", metavar="ID", help="Only this client's sessions.")
@json_option()
def list_sessions(client_id: str | None, as_json: bool) -> None:
    """Every session, oldest first: date and time, client, format, attended or not, draft or note.

    The clinical record: drafts in the inbox and signed notes (psychotherapy notes stay apart).
    """
    from ..app.sessions_list import session_rows

    with get_dictation().open_store() as store:
        rows = session_rows(store, client_id)
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    if not rows:
        click.echo("No sessions yet.")
        return
    for row in rows:
        echo(_line(row))


def _line(row: SessionRow) -> str:
    when = f"{row.date or '-':<10} {row.time or '--:--':<5}"
    return (
        f"{when}  {row.client_id or '-':<12} {row.format:<13} {row.attendance:<11} "
        f"{row.kind} {row.id:<5} {row.status}"
    )
