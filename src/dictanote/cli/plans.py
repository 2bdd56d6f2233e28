"""``dictanote plans show|edit CLIENT``: a client's treatment plan in a terminal.

Thin commands over the store that ``Dictation`` opens: the plan's text and its checks are
``core.plans``'s, versions, reasons and audit entries the store's (the same for the review
page). Prints the plan only as the command's output, never in logs or diagnostics.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..core.errors import BadInputError
from ..core.plans import plan_from_text, plan_to_text
from ..core.policy import format_local
from .common import echo, get_dictation, json_option, print_json, tell
from .dictate import read_text
from .records import _edit_in_editor

if TYPE_CHECKING:
    from ..core.plans import PlanContent, TreatmentPlan
    from ..store import Store


def _as_dict(plan: TreatmentPlan) -> dict[str, Any]:
    return asdict(plan)  # every key present (None where not stated), the content nested


def _version_line(plan: TreatmentPlan) -> str:
    return f"version {plan.version}, {format_local(plan.created_at)}, by {plan.signed_by}: {plan.reason}"


def _content_lines(content: PlanContent) -> list[str]:
    lines = [f"{'review date:':<15} {content.review_date or '-'}", "", "Problems:"]
    lines += [f"  {p.id:<8} {p.text}" for p in content.problems] or ["  -"]
    lines += ["", "Goals:"]
    for g in content.goals:
        lines.append(f"  {g.id:<8} {g.text}" + (f"  (problem {g.problem})" if g.problem else ""))
    lines += ["", "Objectives:"]
    for o in content.objectives:
        lines.append(f"  {o.id:<8} goal {o.goal}: {o.text}")
        measured = [
            f"{label} {value}"
            for label, value in (
                ("measure", o.measure),
                ("direction", o.direction),
                ("target", o.target),
                ("by", o.by),
            )
            if value is not None
        ]
        if measured:
            lines.append(f"  {'':<8} {', '.join(measured)}")
    if not content.objectives:
        lines.append("  -")
    return lines


@click.group()
def plans() -> None:
    """Treatment plans: problems, goals and measurable objectives, a new version for each change."""


@plans.command("show")
@click.argument("code", metavar="CLIENT")  # the clinician's own id for the client
@click.option("--history", is_flag=True, help="Every version, oldest first, with the reason for each change.")
@json_option()
def show(code: str, history: bool, as_json: bool) -> None:
    """Show a client's treatment plan as it stands (exit 0 with a hint when they have none yet)."""
    with get_dictation().open_store() as store:
        client_id = store.get_client(code).id
        versions = store.plan_history(client_id)
    if as_json:
        current = _as_dict(versions[-1]) if versions else None
        print_json([_as_dict(p) for p in versions] if history else current)
        return
    if not versions:
        echo(f"No treatment plan for {client_id} yet: `dictanote plans edit {client_id}` writes one.")
        return
    if history:
        for plan in versions:
            echo(_version_line(plan))
        return
    plan = versions[-1]
    echo(f"{'client:':<15} {client_id}")
    echo(f"{'version:':<15} {plan.version} ({format_local(plan.created_at)}, by {plan.signed_by})")
    echo(f"{'reason:':<15} {plan.reason}")
    for line in _content_lines(plan.content):
        echo(line)


def _save(
    store: Store, client_id: str, text: str, reason: str | None, who: str, keep: Path | None, based_on: int
) -> TreatmentPlan:
    """Read the plan's text and save it; a failure after the editor keeps the edit in ``keep``.

    ``based_on``: the version the editor was opened on (0: none); a plan saved meanwhile (the
    review page, another terminal) is never overwritten unseen.
    """
    try:
        content, said = plan_from_text(text, dt.date.today())
        latest = store.plan(client_id)
        now = latest.version if latest else 0
        if keep is not None and now != based_on:
            raise BadInputError(
                f"the plan was saved elsewhere while you edited it (now version {now}); nothing saved "
                f"(see `dictanote plans show {client_id} --history`)"
            )
        why = reason if reason is not None else said
        return store.save_plan(client_id, content, reason=why, signed_by=who)
    except BadInputError as exc:
        if keep is None:
            raise
        retry = f"dictanote plans edit {client_id} --file {keep}"
        raise BadInputError(f"{exc}. Your edit is kept in {keep}; fix it and run `{retry}`") from exc


@plans.command("edit")
@click.argument("code", metavar="CLIENT")  # the clinician's own id for the client
@click.option(
    "--file",
    "from_file",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="Take the plan's text from FILE ('-': standard input) instead of opening $EDITOR.",
)
@click.option("--reason", help='Why the plan changes (default: the text\'s reason = "...").')
@click.option("--signed-by", help="Who writes the plan (default: the `clinician` setting).")
def edit(code: str, from_file: Path | None, reason: str | None, signed_by: str | None) -> None:
    """Write or change a client's treatment plan in $EDITOR (or from --file): a new version.

    A change to an existing plan needs a reason (--reason, or reason = "..." in the text),
    kept with the new version. If the text cannot be read back, your edit is kept in a
    file beside the store and the message says how to retry; nothing saved is lost.
    """
    dictation = get_dictation()
    who = dictation.signer(signed_by, "writes this plan")
    with dictation.open_store() as store:
        client = store.get_client(code)
        current = store.plan(client.id)
        ours = dictation.config.paths.data_dir / f"plan-{client.key}.toml"  # a row number, not the id
        keep = None
        if from_file is not None:
            text = read_text(str(from_file))  # strict UTF-8, '-' standard input
        else:
            keep = ours
            original = plan_to_text(current.content if current else None, client.id)
            text = _edit_in_editor(keep, original)
            if text == original:
                keep.unlink(missing_ok=True)
                tell("no change; nothing saved")
                return
        saved = _save(store, client.id, text, reason, who, keep, current.version if current else 0)
    if from_file is None or (str(from_file) != "-" and from_file.resolve() == ours.resolve()):
        ours.unlink(missing_ok=True)  # our file (a retry's too); never a file of the clinician's own
    if current is not None and saved.version == current.version:
        echo(f"Plan for {client.id} unchanged (version {saved.version}).")
    else:
        echo(f"Plan for {client.id} saved as version {saved.version} (reason: {saved.reason}).")
