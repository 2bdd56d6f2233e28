"""``dictanote drafts client``: choose a draft's client and set its date and time of service.

A thin command over ``app.set_session`` (the review page's picker uses the same function): it
checks what was typed, saves a new revision, and says so by id. The store loads inside it.
"""

from __future__ import annotations

import click

from .common import RECORD_ID, echo, get_dictation, private_option


@click.command("client")
@click.argument("draft_id", type=RECORD_ID)
@click.argument("code", metavar="CLIENT")  # the clinician's own id for the client
@click.option("--date", "service_date", metavar="YYYY-MM-DD", help="The date of service.")
@click.option("--time", "service_time", metavar="HH:MM", help="The local time of service (24-hour).")
@private_option("A draft of the private (psychotherapy) inbox.")
def drafts_client(
    draft_id: int, code: str, service_date: str | None, service_time: str | None, private: bool
) -> None:
    """Set the client of draft DRAFT_ID (an id of `dictanote clients list`), and its date and time.

    Saved as a new version of the draft; a draft dictated with a private note gives that note the
    same client, date and time. A note is signed only once it names a client and a date of service.
    """
    from ..app import set_session

    with get_dictation().open_store() as store:
        saved = set_session(
            store, draft_id, client_id=code, date=service_date, time=service_time, private=private
        )
    session = saved.draft.session
    when = " ".join(p for p in (session.date, session.time) if p) or "no date of service yet"
    echo(f"Draft {draft_id}: client {session.client_id}, {when} (version {saved.version}).")
