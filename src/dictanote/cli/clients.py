"""``dictanote clients add|list|show|edit|archive``: the caseload's client list in a terminal.

Thin commands over the store that ``Dictation`` opens; validation and the audit entries
are the store's (the same for the review page). Prints clients only as the command's
output, never in logs or diagnostics.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import click

from ..core.errors import BadInputError
from .common import echo, get_dictation, json_option, print_json, tell

if TYPE_CHECKING:
    from ..core.types import Client

_ID_HELP = "Your own short id for the client (letters, digits, '.', '_', '-'; no spaces; unique)."


def _as_dict(client: Client) -> dict[str, Any]:
    row = asdict(client)
    del row["key"]  # the store's row number: for the audit log, not for people
    return row


def _line(client: Client) -> str:
    marks = [m for m, on in (("archived", client.archived), ("unconfirmed", not client.confirmed)) if on]
    extra = "  ".join(x for x in (client.dob or "", client.pronouns or "") if x)
    return f"{client.id:<16} {client.name:<24} {extra:<24} {' '.join(marks)}".rstrip()


@click.group()
def clients() -> None:
    """Your client list: ids of your choosing, names or initials, date of birth, pronouns."""


@clients.command("add")
@click.argument("code", metavar="ID")  # the clinician's own id, not a record number
@click.option("--name", help="Display name or initials (required).")
@click.option("--dob", help="Date of birth, YYYY-MM-DD.")
@click.option("--pronouns", help="Pronouns, e.g. she/her.")
def add(code: str, name: str | None, dob: str | None, pronouns: str | None) -> None:
    """Add a client with your own ID for them."""
    if name is None:
        raise BadInputError("a client needs a name (--name): a display name or initials")
    with get_dictation().open_store() as store:
        store.add_client(code, name=name, dob=dob, pronouns=pronouns)
    tell("client added")


@clients.command("list")
@click.option("--all", "show_all", is_flag=True, help="Archived clients too.")
@json_option()
def list_clients(show_all: bool, as_json: bool) -> None:
    """List the clients in the order added; 'unconfirmed' marks those made from dictated initials."""
    with get_dictation().open_store() as store:
        found = store.list_clients(archived=show_all)
    if as_json:
        print_json([_as_dict(c) for c in found])
        return
    if not found:
        click.echo("No clients yet: `dictanote clients add ID --name NAME`.")
        return
    for client in found:
        echo(_line(client))
    if any(not c.confirmed for c in found):
        tell("unconfirmed: made from initials in stored drafts; check them (`dictanote clients edit ID`)")


@clients.command("show")
@click.argument("code", metavar="ID")  # the clinician's own id, not a record number
@json_option()
def show(code: str, as_json: bool) -> None:
    """Show one client, archived or not."""
    with get_dictation().open_store() as store:
        client = store.get_client(code)
    if as_json:
        print_json(_as_dict(client))
        return
    rows = {
        "id": client.id,
        "name": client.name,
        "date of birth": client.dob or "-",
        "pronouns": client.pronouns or "-",
        "status": "archived" if client.archived else "active",
        "confirmed": "yes" if client.confirmed else "no (made from dictated initials)",
        "added": client.created_at,
        "changed": client.updated_at,
    }
    for label, value in rows.items():
        echo(f"{label + ':':<15} {value}")


@clients.command("edit")
@click.argument("code", metavar="ID")  # the clinician's own id, not a record number
@click.option("--name", help="New display name or initials.")
@click.option("--dob", help="New date of birth, YYYY-MM-DD ('' clears it).")
@click.option("--pronouns", help="New pronouns ('' clears them).")
@click.option("--confirm", is_flag=True, help="Confirm a client made from initials, changing nothing else.")
def edit(code: str, name: str | None, dob: str | None, pronouns: str | None, confirm: bool) -> None:
    """Change a client's name, date of birth or pronouns (this confirms a client made from initials)."""
    changes = {k: v for k, v in (("name", name), ("dob", dob), ("pronouns", pronouns)) if v is not None}
    if not changes and not confirm:
        raise BadInputError("nothing to change: give --name, --dob, --pronouns or --confirm")
    with get_dictation().open_store() as store:
        store.edit_client(code, **changes)
    tell("client saved")


@clients.command("archive")
@click.argument("code", metavar="ID")  # the clinician's own id, not a record number
@click.option("--undo", is_flag=True, help="Make an archived client active again.")
def archive(code: str, undo: bool) -> None:
    """Archive a client: hidden from lists (see `clients list --all`), their notes kept."""
    with get_dictation().open_store() as store:
        done = store.archive_client(code, undo=undo)
    tell("client archived" if done.archived else "client active again")
