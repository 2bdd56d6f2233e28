"""``dictanote drafts goals|link``: link a draft's sentences to the client's treatment-plan goals.

Thin commands over ``app.goals`` (the rule the review page uses too): what can be linked, with
links and suggestions, and one link made or removed as a new revision. The store loads inside
the commands; a sentence's words are the command's output only, never a log's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from .common import RECORD_ID, echo, get_dictation, json_option, print_json

if TYPE_CHECKING:
    from ..app.goals import GoalLinks


@click.command("goals")
@click.argument("draft_id", type=RECORD_ID)
@json_option()
def drafts_goals(draft_id: int, as_json: bool) -> None:
    """List draft DRAFT_ID's sentences (field, number, first words) with their plan goals and suggestions.

    The client's treatment-plan goals are listed first; link a sentence with
    `dictanote drafts link DRAFT_ID FIELD N GOAL`. A suggestion is only a suggestion: nothing
    is linked until you link it.
    """
    from ..app.goals import goal_links

    dictation = get_dictation()
    with dictation.open_store() as store:
        view = goal_links(dictation, store, draft_id)
    if as_json:
        print_json(view.to_dict())
        return
    for line in _lines(view):
        echo(line)


def _lines(view: GoalLinks) -> list[str]:
    """``drafts goals`` as text: the plan's goals, then one line per sentence, then how to link."""
    lines = [
        f"Draft {view.draft_id} ({view.format}), client {view.client_id}, plan version {view.plan_version}"
    ]
    lines += ["", "Goals:"] + [f"  {g:<8} {text}" for g, text in view.goals]
    lines += ["", "Sentences:"]
    width = max((len(s.field) for s in view.sentences), default=0) + 4
    for s in view.sentences:
        marks = [f"linked: {', '.join(s.goals)}"] if s.goals else []
        marks += [f"suggest: {s.suggested}"] if s.suggested else []
        lines.append(f'  {f"{s.field} {s.number}":<{width}} "{s.first_words}"  {"; ".join(marks)}'.rstrip())
    if not view.sentences:
        lines.append("  - (the draft has no sentences yet)")
    lines += ["", f"Link one: dictanote drafts link {view.draft_id} FIELD N GOAL (--unlink removes a link)"]
    return lines


@click.command("link")
@click.argument("draft_id", type=RECORD_ID)
@click.argument("field", metavar="FIELD")
@click.argument("number", metavar="N", type=int)
@click.argument("goal", metavar="GOAL")
@click.option("--unlink", is_flag=True, help="Remove the link instead of making it.")
def drafts_link(draft_id: int, field: str, number: int, goal: str, unlink: bool) -> None:
    """Link sentence N (from 1) of FIELD of draft DRAFT_ID to plan goal GOAL (see `drafts goals`).

    Saved as a new version of the draft; --unlink removes the link. The goal must be in the
    client's treatment plan (`dictanote plans show CLIENT`).
    """
    from ..app.goals import link_goal

    with get_dictation().open_store() as store:
        done = link_goal(store, draft_id, field, number, goal, unlink=unlink)
    where = f"sentence {number} of {field.strip().lower()} in draft {draft_id}"
    if not done.changed:
        state = "is not linked to" if unlink else "is already linked to"
        echo(f"{where[0].upper()}{where[1:]} {state} goal {done.goal}; nothing saved.")
        return
    verb = "Unlinked" if unlink else "Linked"
    prep = "from" if unlink else "to"
    echo(f"{verb} {where} {prep} goal {done.goal} (version {done.stored.version}).")
