"""``dictanote drafts …``, ``notes …`` and ``audit …``: the store for people who live in a terminal.

Thin commands over ``Dictation`` (its store, findings and rendering); the store and
Jinja2 load inside the commands. Psychotherapy (private) records are reached only
with ``--private``. Lists and logs name ids, formats and times, never what a note says.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..core.errors import AuditChainError, BadInputError, DraftDataError, NotConfirmedError
from ..core.policy import LATE_HOURS, Timeliness, format_local, hours_since, timeliness
from .common import RECORD_ID, echo, get_dictation, json_option, print_json, private_option, warn

if TYPE_CHECKING:
    from ..app.due import DueDraft
    from ..core.types import Note

# --- drafts --------------------------------------------------------------------


@click.group(help=f"The inbox: drafts waiting to be reviewed and finalized ({LATE_HOURS:g}-hour window).")
def drafts() -> None:
    """The inbox: drafts waiting to be reviewed and finalized (the documentation window)."""


@drafts.command("list")
@private_option()
@json_option()
def drafts_list(private: bool, as_json: bool) -> None:
    """List the drafts in the inbox, oldest first, with their age; a damaged draft is named on stderr."""
    with get_dictation().open_store() as store:
        found = store.list_drafts(private=private)
        damaged = store.damaged_drafts(private=private)
    for bad in damaged:
        warn(f"draft {bad.id} is damaged and not listed: {bad.problem}")
    ages = [hours_since(d.created_at) for d in found]
    rows: list[dict[str, Any]] = [
        {
            "id": d.id,
            "format": d.draft.format,
            "client": d.draft.session.client,
            "created_at": d.created_at,
            "age_hours": round(age, 1),
            "source": d.source,
            "version": d.version,
            "fields_filled": sum(1 for f in d.draft.fields if f.sentences),
            "fields": len(d.draft.fields),
        }
        for d, age in zip(found, ages, strict=True)
    ]
    if as_json:
        print_json(rows)
        return
    if not rows and not damaged:
        click.echo("The inbox is empty." if not private else "The private inbox is empty.")
        return
    for r, age in zip(rows, ages, strict=True):
        late = "  LATE" if timeliness(age) == "late" else ""
        echo(
            f"{r['id']:>4}  {r['format']:<13} {r['client'] or '-':<8} {r['age_hours']:>5.1f} h of "
            f"{LATE_HOURS:g}{late}  {r['fields_filled']}/{r['fields']} fields  ({r['source']})"
        )


@drafts.command("due")
@json_option()
def drafts_due(as_json: bool) -> None:
    """The daily finalize block: every draft to finalize, oldest first, with a summary of what is late.

    Each clinical draft shows its client, date of service, time dictated, first words and
    open warnings; private (psychotherapy) drafts are listed by id only, never their words.
    """
    import datetime as dt

    from ..app.due import due_draft, due_summary

    dictation = get_dictation()
    now = dt.datetime.now(dt.timezone.utc)
    with dictation.open_store() as store:
        clinical = [due_draft(d, dictation.findings(d, now, store), now) for d in store.list_drafts()]
        private = [due_draft(d, (), now) for d in store.list_drafts(private=True)]
    counts = due_summary([*clinical, *private])
    if as_json:
        hidden = [{"id": p.id, "age_hours": round(p.age_hours, 1), "state": p.state} for p in private]
        print_json({"drafts": [d.to_dict() for d in clinical], "private": hidden, "summary": counts})
        return
    if not clinical and not private:
        click.echo("No drafts to finalize.")
        return
    for line in _due_lines(clinical, private, counts):
        echo(line)


_DUE_MARKS = {"late": "LATE", "due": "due soon", "ok": ""}


def _due_lines(clinical: list[DueDraft], private: list[DueDraft], counts: dict[Timeliness, int]) -> list[str]:
    """``drafts due`` as text: a line per draft (a private one by id only), then the summary."""
    lines = [
        f"{d.id:>4}  {_DUE_MARKS[d.state]:<8} {d.age_hours:>3.0f} h  {d.client_id or d.client or '-':<8} "
        f'{d.service_date:<10}  dictated {d.dictated_local}  {d.open_findings} open  "{d.first_words}"'
        for d in clinical
    ]
    lines += [
        f"      private draft {p.id}  {_DUE_MARKS[p.state]:<8} {p.age_hours:>3.0f} h  (see --private)"
        for p in private
    ]
    total = len(clinical) + len(private)
    lines.append(
        f"{total} draft{'s' if total != 1 else ''} to finalize: {counts['late']} late, "
        f"{counts['due']} due soon, {counts['ok']} within the {LATE_HOURS:g}-hour window."
    )
    return lines


@drafts.command("show")
@click.argument("draft_id", type=RECORD_ID)
@private_option()
@json_option()
def drafts_show(draft_id: int, private: bool, as_json: bool) -> None:
    """Show a draft as its note will read, with the checks' findings."""
    from ..core.codec import draft_to_dict

    dictation = get_dictation()
    with dictation.open_store() as store:
        stored = store.get_draft(draft_id, private=private)
        findings = dictation.findings(stored, store=store)
    if as_json:
        print_json(
            {
                "id": stored.id,
                "record": stored.record,
                "version": stored.version,
                "created_at": stored.created_at,
                "updated_at": stored.updated_at,
                "source": stored.source,
                "draft": draft_to_dict(stored.draft),
                "findings": [f.to_dict() for f in findings],
            }
        )
        return
    echo(dictation.render(stored.draft, findings), nl=False)


def _run_editor(path: Path) -> None:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        done = subprocess.run([*shlex.split(editor), str(path)], check=False)
    except OSError as exc:
        raise BadInputError(f"cannot start the editor {editor!r} ($VISUAL/$EDITOR): {exc.strerror}") from exc
    if done.returncode != 0:
        raise BadInputError(f"the editor {editor!r} exited with status {done.returncode}; nothing was saved")


def _edit_in_editor(keep: Path, original: str) -> str:
    """Write ``original`` to ``keep`` (owner-only), open it in $VISUAL/$EDITOR, and read it back."""
    fd = os.open(keep, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(original)
    _run_editor(keep)
    return keep.read_text(encoding="utf-8")


@drafts.command("edit")
@click.argument("draft_id", type=RECORD_ID)
@private_option()
@click.option(
    "--file",
    "from_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Take the edited text from FILE instead of opening $EDITOR.",
)
def drafts_edit(draft_id: int, private: bool, from_file: Path | None) -> None:
    """Edit a draft in $EDITOR (or from --file) and save it as a new version.

    Move a sentence by cutting it from under one heading and pasting it under
    another. If the text cannot be read back, your edit is kept in a file
    beside the store and the message says how to retry; nothing is lost, and
    the kept file is removed once the retry is saved.
    """
    from ..review.editor import editable_text, parse_edited

    dictation = get_dictation()
    with dictation.open_store() as store:
        stored = store.get_draft(draft_id, private=private)
        fmt = dictation.format(stored.draft.format)
        original = editable_text(stored.draft, fmt, f"dictanote draft {draft_id} ({fmt.label})")
        ours = dictation.config.paths.data_dir / f"edit-{'p' if private else ''}{draft_id}.md"
        if from_file is not None:
            try:
                edited = from_file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise BadInputError(f"cannot read {from_file}: {exc}") from exc
            keep = from_file
        else:
            keep = ours
            edited = _edit_in_editor(keep, original)
        if edited == original:
            if from_file is None:
                keep.unlink(missing_ok=True)
            click.echo("No change; nothing saved.", err=True)
            return
        try:
            new = parse_edited(edited, stored.draft, fmt)
        except DraftDataError as exc:
            retry = f"dictanote drafts edit {draft_id} {'--private ' if private else ''}--file {keep}"
            raise DraftDataError(f"{exc}. Your edit is kept in {keep}; fix it and run `{retry}`") from exc
        saved = store.update_draft(draft_id, new, expected_version=stored.version, private=private)
    if keep.resolve() == ours.resolve():  # our file (a retry's too); never a file of the clinician's own
        ours.unlink(missing_ok=True)
    click.echo(f"Saved draft {draft_id} (version {saved.version}).", err=True)


@drafts.command("finalize")
@click.argument("draft_id", type=RECORD_ID)
@private_option()
@click.option("--signed-by", help="Who signs the note (default: the `clinician` setting).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def drafts_finalize(draft_id: int, private: bool, signed_by: str | None, yes: bool) -> None:
    """Sign a draft: it becomes a finalized note that can only be amended, never changed.

    Answering no to the question exits 2 with "not finalized"; the draft is unchanged.
    """
    dictation = get_dictation()
    who = dictation.signer(signed_by, "signs this note")
    with dictation.open_store() as store:
        stored = store.get_draft(draft_id, private=private)
        store.check_signable(draft_id, private=private)  # no client or date: one line, before the findings
        for f in dictation.findings(stored, store=store):
            if f.severity != "info":
                echo(f"dictanote: {f.severity}: {f.message}", err=True)
        if not yes and not click.confirm(
            f"Finalize draft {draft_id} as signed by {who}? A finalized note can only be amended", err=True
        ):
            raise NotConfirmedError(
                f"not finalized: you answered no; draft {draft_id} is unchanged (--yes skips the question)"
            )
        note = store.finalize_draft(draft_id, expected_version=stored.version, signed_by=who, private=private)
    click.echo(f"Finalized draft {draft_id} as note {note.id}.")


@drafts.command("discard")
@click.argument("draft_id", type=RECORD_ID)
@private_option()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def drafts_discard(draft_id: int, private: bool, yes: bool) -> None:
    """Delete a draft for good (the audit log keeps only that it was discarded)."""
    with get_dictation().open_store() as store:
        stored = store.get_draft(draft_id, private=private)
        if not yes and not click.confirm(f"Discard draft {draft_id} for good?", err=True):
            raise NotConfirmedError(
                f"not discarded: you answered no; draft {draft_id} is kept (--yes skips the question)"
            )
        store.discard_draft(draft_id, expected_version=stored.version, private=private)
    click.echo(f"Discarded draft {draft_id}.")


# --- notes ---------------------------------------------------------------------


@click.group()
def notes() -> None:
    """Finalized notes: list, show, amend and export."""


def _note_row(note: Note) -> dict[str, Any]:
    content = note.content
    return {
        "id": note.id,
        "format": content.format,
        "client": content.session.client,
        "client_id": content.session.client_id,
        "session_date": content.session.date,
        "finalized_at": note.finalized_at,
        "signed_by": note.signed_by,
        "amended_at": note.amended_at,
        "draft_id": note.draft_id,
    }


@notes.command("list")
@private_option()
@click.option("--client", help="Only the notes of this client (their id, as `clients list` shows it).")
@json_option()
def notes_list(private: bool, client: str | None, as_json: bool) -> None:
    """List finalized notes, oldest first."""
    with get_dictation().open_store() as store:
        if client is not None:
            client = store.get_client(client).id  # an id not in the list: one line, exit 2
        rows = [_note_row(n) for n in store.list_notes(private=private, client=client)]
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("No finalized notes.")
        return
    for r in rows:
        amended = f"  amended {format_local(r['amended_at'])}" if r["amended_at"] else ""
        echo(
            f"{r['id']:>4}  {r['format']:<13} {r['client_id'] or r['client'] or '-':<8} "
            f"{r['session_date'] or '-':<10}  "
            f"finalized {format_local(r['finalized_at'])} by {r['signed_by']}{amended}"
        )


@notes.command("show")
@click.argument("note_id", type=RECORD_ID)
@private_option()
@json_option()
def notes_show(note_id: int, private: bool, as_json: bool) -> None:
    """Show a finalized note as it stands (amendments listed below it)."""
    from ..core.codec import draft_to_dict

    dictation = get_dictation()
    with dictation.open_store() as store:
        note = store.get_note(note_id, private=private)
    if as_json:
        print_json(
            {
                **_note_row(note),
                "content": draft_to_dict(note.content),
                "amendments": [
                    {"at": a.at, "reason": a.reason, "signed_by": a.signed_by} for a in note.amendments
                ],
            }
        )
        return
    echo(dictation.render_note(note), nl=False)


@notes.command("amend")
@click.argument("note_id", type=RECORD_ID)
@click.option("--reason", default="", help="Why the note is amended (required; kept with the amendment).")
@click.option("--text", "new_text", help="The note as amended, as $EDITOR would show it (## headings).")
@click.option("--signed-by", help="Who signs the amendment (default: the `clinician` setting).")
@private_option()
def notes_amend(
    note_id: int, reason: str, new_text: str | None, signed_by: str | None, private: bool
) -> None:
    """Amend a finalized note in $EDITOR (or with --text): the original stays as it was signed.

    The amendment keeps its own author, time and reason, is shown under the note and
    exported with it. A psychotherapy note (--private) is amended in the private record only.
    """
    from ..review.editor import editable_text, parse_edited

    if not reason.strip():
        raise BadInputError("an amendment needs a reason: say why with --reason 'what changed and why'")
    dictation = get_dictation()
    with dictation.open_store() as store:
        note = store.get_note(note_id, private=private)
        fmt = dictation.format(note.content.format)
        original = editable_text(note.content, fmt, f"dictanote note {note_id} ({fmt.label}): amendment")
        keep = dictation.config.paths.data_dir / f"amend-{'p' if private else ''}{note_id}.md"
        if new_text is None:
            new_text = _edit_in_editor(keep, original)
            if new_text == original:
                keep.unlink(missing_ok=True)
                click.echo("No change; nothing amended.", err=True)
                return
        try:
            amended = parse_edited(new_text, note.content, fmt)
        except DraftDataError as exc:
            if not keep.exists():
                raise
            flag = "--private " if private else ""
            retry = f'dictanote notes amend {note_id} {flag}--reason ... --text "$(cat {keep})"'
            message = f"{exc}. Your amendment is kept in {keep}; fix it and run `{retry}`"
            raise DraftDataError(message) from exc
        done = dictation.amend(
            note_id, amended, reason=reason, private=private, signed_by=signed_by, store=store
        )
    keep.unlink(missing_ok=True)
    click.echo(f"Amended note {note_id} (amendment {len(done.amendments)}).", err=True)


# --- audit ---------------------------------------------------------------------


@click.group()
def audit() -> None:
    """The audit log: what was done to which draft or note, and when (never what it said)."""


@audit.command("verify")
@click.option("--clinical", "only", flag_value="clinical", help="Check only the clinical record's log.")
@click.option("--private", "only", flag_value="private", help="Check only the psychotherapy notes' log.")
def audit_verify(only: str | None) -> None:
    """Check both audit logs (keyed chain, head, every row covered); exit 4 naming the first problem."""
    records = (only,) if only else ("clinical", "private")
    with get_dictation().open_store() as store:
        reports = [(record, store.verify_audit(private=record == "private")) for record in records]
    for record, report in reports:
        if report.ok:
            click.echo(f"{record.capitalize()} audit log intact: {report.entries} entries.")
    broken = [
        f"the {record} audit log is broken after {report.entries} entries: {report.problem}"
        for record, report in reports
        if not report.ok
    ]
    if broken:
        raise AuditChainError("; ".join(broken))


@audit.command("log")
@private_option()
@json_option()
def audit_log(private: bool, as_json: bool) -> None:
    """Print the audit log, oldest first."""
    with get_dictation().open_store() as store:
        found = store.audit_entries(private=private)
    if as_json:
        print_json([vars(e) for e in found])
        return
    for e in found:
        detail = " ".join(f"{k}={v}" for k, v in sorted(e.detail.items()))
        echo(f"{e.seq:>5}  {format_local(e.at)}  {e.action:<14} {e.object} {e.object_id}  {detail}")
