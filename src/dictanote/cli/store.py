"""``dictanote store status`` and ``dictanote store encrypt``: the note store's files and their encryption.

Thin commands over the store's public functions; the keys come through the
application core (``Dictation.store_keys``), so the passphrase is asked as everywhere
else. Prints paths, states and counts, never a key or a passphrase.
"""

from __future__ import annotations

import click

from .common import get_dictation, json_option, print_json, tell

STATE_WORDS = {
    "encrypted": "encrypted",
    "plain": "NOT encrypted (run `dictanote store encrypt`)",
    "absent": "not created yet",
}
SOURCE_WORDS = {
    "keyring": "the OS keyring",
    "passphrase": "your passphrase (asked on the terminal, or DICTANOTE_PASSPHRASE)",
    "files": "owner-only files in the data directory's keys/ folder",
    "none": "none made yet",
}


@click.group("store")
def store() -> None:
    """The note store's files: whether they are encrypted, and moving a plain store to encryption."""


@store.command("status")
@json_option("Print the status as JSON.")
def status(as_json: bool) -> None:
    """Say per file whether it is encrypted, and where the store's keys are kept. Unlocks nothing."""
    from ..store import store_status

    found = store_status(get_dictation().config.paths.data_dir)
    if as_json:
        print_json(
            {
                "data_dir": str(found.data_dir),
                "files": dict(found.files),
                "database_keys": found.keys.database,
                "audit_keys": found.keys.audit,
                "keyring": found.keys.keyring,
                "leftovers": [str(p) for p in found.leftovers],
            }
        )
        return
    click.echo(f"data directory: {found.data_dir}")
    for record, state in found.files.items():
        click.echo(f"{record}.db: {STATE_WORDS[state]}")
    click.echo(f"database keys: {SOURCE_WORDS[found.keys.database]}")
    click.echo(f"audit keys: {SOURCE_WORDS[found.keys.audit]}")
    click.echo(f"OS keyring: {found.keys.keyring}")
    for path in found.leftovers:
        click.echo(f"leftover: {path.name} (a stopped `store encrypt`; the next run removes it)")


@store.command("encrypt")
def encrypt() -> None:
    """Encrypt an existing plain store in place (a verified copy, then swapped in).

    Stop the review page and the daemon first. Each file is copied encrypted,
    checked row by row, and only then put in the original's place: stopped at any
    point, nothing is lost and running it again finishes. Files already encrypted
    are left as they are.
    """
    from ..store import encrypt_store

    dictation = get_dictation()
    keys = dictation.store_keys(migrating=True)
    for report in encrypt_store(dictation.config.paths.data_dir, keys):
        rows = f" ({report.rows} rows checked)" if report.outcome == "encrypted" else ""
        click.echo(f"{report.path.name}: {report.outcome}{rows}")
    with dictation.open_store() as opened:  # with the keys just made
        for private in (False, True):
            audit = opened.verify_audit(private=private)
            name = "private" if private else "clinical"
            if audit.ok:
                click.echo(f"{name} audit log: intact ({audit.entries} entries)")
            else:
                tell(f"warning: the {name} audit log does not verify: {audit.problem}")
