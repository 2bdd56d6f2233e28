"""``app.goals``: the one rule for linking a draft's sentence to a plan goal, over a real store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from dictanote.app import Dictation, goal_links, link_goal
from dictanote.core.errors import BadInputError, EditConflictError
from dictanote.core.plans import plan_from_text
from dictanote.core.types import SessionInfo
from dictanote.store import Store
from tests.util import make_draft

PLAN = '[[goals]]\nid = "G1"\ntext = "Lift her mood"\n\n[[goals]]\nid = "G2"\ntext = "Return to work"\n'
WITHOUT_G1 = '[[goals]]\nid = "G2"\ntext = "Return to work"\n'


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A store with client C1, its plan (G1, G2) and a progress draft (id 1) of two progress sentences."""
    with Store.open(tmp_path / "store") as opened:
        opened.add_client("C1", name="M.R.")
        content = plan_from_text(PLAN, dt.date.today())[0]
        opened.save_plan("C1", content, reason="initial plan", signed_by="A")
        session = SessionInfo("M.R.", "2026-11-20", client_id="C1")
        progress = {"progress": ["Her mood is brighter.", "She applied for two jobs."]}
        opened.save_draft(make_draft("progress", progress, session=session), source="test")
        yield opened


def _goals(store: Store) -> list[tuple[str, ...]]:
    return [s.goals for s in store.get_draft(1).draft.field("progress").sentences]


def test_goals_a_link_to_a_goal_the_plan_dropped_can_still_be_removed(store: Store) -> None:
    assert link_goal(store, 1, "progress", 1, "G1").changed
    content = plan_from_text(WITHOUT_G1, dt.date.today())[0]
    store.save_plan("C1", content, reason="mood goal met", signed_by="A")
    with pytest.raises(
        BadInputError, match=r"goal 'G1' is not in C1's treatment plan \(version 2\); goals: G2"
    ):
        link_goal(store, 1, "progress", 2, "G1")
    done = link_goal(store, 1, "progress", 1, "g1", unlink=True)
    assert (done.changed, done.goal, done.stored.version) == (True, "G1", 3)
    assert _goals(store) == [(), ()]


def test_goals_a_link_made_on_an_old_version_is_refused(store: Store) -> None:
    link_goal(store, 1, "progress", 2, "G2")
    with pytest.raises(EditConflictError):
        link_goal(store, 1, "progress", 1, "G1", expected_version=1)
    assert _goals(store) == [(), ("G2",)]


def test_goals_view_lists_links_and_suggestions_by_field_and_number(
    dictation: Dictation, store: Store
) -> None:
    link_goal(store, 1, "progress", 2, "G2")
    view = goal_links(dictation, store, 1)
    assert (view.client_id, view.plan_version, view.version) == ("C1", 1, 2)
    assert view.goals == (("G1", "Lift her mood"), ("G2", "Return to work"))
    assert [(s.field, s.number, s.goals, s.suggested) for s in view.sentences] == [
        ("progress", 1, (), "G1"),  # "mood": a suggestion, never a link
        ("progress", 2, ("G2",), None),
    ]
