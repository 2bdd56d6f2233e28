"""`dictanote drafts goals|link` as a user types them, against a real store with a client's plan."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from dictanote.core.plans import plan_from_text
from dictanote.core.types import SessionInfo
from dictanote.store import Store
from tests.util import assert_one_line_error, make_draft, run_cli

PLAN = """\
[[goals]]
id = "G1"
text = "Reduce depressive symptoms"

[[goals]]
id = "G2"
text = "Return to work"

[[objectives]]
goal = "G1"
text = "PHQ-9 below 10 by 2027-03-01"
"""
PROGRESS = {
    "session_focus": ["Talked through the week since the last visit."],
    "progress": ["PHQ-9 down to 12 from 16.", "She sent two job applications on Monday."],
}
# Draft ids as saved by the fixture: C1 with a plan, no client, C2 without a plan.
LINKED, NO_CLIENT, NO_PLAN = 1, 2, 3


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A store: C1 (with a plan) and C2 (none), and a progress draft for C1, one for no one, one for C2."""
    data = tmp_path / "store"
    with Store.open(data) as store:
        store.add_client("C1", name="M.R.")
        store.add_client("C2", name="M.R.")
        content, reason = plan_from_text(PLAN, dt.date.today())
        store.save_plan("C1", content, reason=reason, signed_by="A. Lee")
        for client_id in ("C1", None, "C2"):
            session = SessionInfo("M.R.", "2026-11-20", client_id=client_id)
            store.save_draft(make_draft("progress", PROGRESS, session=session), source="test")
    return data


def _ok(data: Path, *args: str) -> str:
    done = run_cli("--data-dir", str(data), "drafts", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _squeezed(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def _shown(data: Path, draft_id: int = LINKED) -> dict[str, object]:
    shown: dict[str, object] = json.loads(_ok(data, "show", str(draft_id), "--json"))
    return shown


def _codes(shown: dict[str, object]) -> set[str]:
    return {f["code"] for f in shown["findings"]}  # type: ignore[attr-defined]


def _progress_goals(shown: dict[str, object]) -> list[list[str]]:
    fields = shown["draft"]["fields"]  # type: ignore[index]
    [progress] = [f for f in fields if f["id"] == "progress"]
    return [s.get("goals", []) for s in progress["sentences"]]


def test_goals_link_is_listed_clears_the_finding_and_unlinks(data: Path) -> None:
    listed = _ok(data, "goals", str(LINKED))
    assert listed.splitlines()[0] == "Draft 1 (progress), client C1, plan version 1"
    assert "  G1       Reduce depressive symptoms" in listed and "  G2       Return to work" in listed
    assert 'progress 1 "PHQ-9 down to 12 from 16." suggest: G1' in _squeezed(listed)
    assert 'progress 2 "She sent two job applications on Monday." suggest: G2' in _squeezed(listed)
    assert "linked:" not in listed
    assert "plan-goal-missing" in _codes(_shown(data))

    # The field and goal as typed, any case; kept as the draft and the plan spell them.
    linked = _ok(data, "link", str(LINKED), "Progress", "1", "g1")
    assert linked.strip() == "Linked sentence 1 of progress in draft 1 to goal G1 (version 2)."
    relisted = _squeezed(_ok(data, "goals", str(LINKED)))
    assert 'progress 1 "PHQ-9 down to 12 from 16." linked: G1' in relisted
    shown = _shown(data)
    assert shown["version"] == 2 and _progress_goals(shown) == [["G1"], []]
    assert "plan-goal-missing" not in _codes(shown)
    again = _ok(data, "link", str(LINKED), "progress", "1", "G1")
    assert again.strip() == "Sentence 1 of progress in draft 1 is already linked to goal G1; nothing saved."

    as_json = json.loads(_ok(data, "goals", str(LINKED), "--json"))
    assert (as_json["client_id"], as_json["plan_version"], as_json["version"]) == ("C1", 1, 2)
    assert as_json["goals"] == [
        {"id": "G1", "text": "Reduce depressive symptoms"},
        {"id": "G2", "text": "Return to work"},
    ]
    first = next(s for s in as_json["sentences"] if s["field"] == "progress" and s["number"] == 1)
    assert (first["goals"], first["suggested"]) == (["G1"], None)

    unlinked = _ok(data, "link", str(LINKED), "progress", "1", "G1", "--unlink")
    assert unlinked.strip() == "Unlinked sentence 1 of progress in draft 1 from goal G1 (version 3)."
    shown = _shown(data)
    assert _progress_goals(shown) == [[], []] and "plan-goal-missing" in _codes(shown)
    not_linked = _ok(data, "link", str(LINKED), "progress", "2", "G2", "--unlink")
    assert not_linked.strip() == "Sentence 2 of progress in draft 1 is not linked to goal G2; nothing saved."
    assert _shown(data)["version"] == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((str(NO_CLIENT), "progress", "1", "G1"), "draft 2 has no client, so no treatment plan to link to"),
        ((str(NO_PLAN), "progress", "1", "G1"), "C2 has no treatment plan, so no goal to link to"),
        (
            (str(LINKED), "progress", "1", "G9"),
            "goal 'G9' is not in C1's treatment plan (version 1); goals: G1, G2",
        ),
        (
            (str(LINKED), "goals", "1", "G1"),
            "draft 1 (progress) has no field 'goals'; fields: session_focus,",
        ),
        (
            (str(LINKED), "progress", "3", "G1"),
            "field 'progress' of draft 1 has 2 sentences (numbered from 1)",
        ),
        ((str(LINKED), "progress", "0", "G1"), "there is no sentence 0"),
        ((str(LINKED), "risk", "1", "G1"), "field 'risk' of draft 1 is empty: there is no sentence 1"),
        ((str(LINKED), "progress", "one", "G1"), "'one' is not a valid integer"),
        (("99", "progress", "1", "G1"), "99"),
    ],
)
def test_goals_link_bad_input_is_one_line_and_saves_nothing(
    data: Path, args: tuple[str, ...], message: str
) -> None:
    refused = run_cli("--data-dir", str(data), "drafts", "link", *args)
    assert_one_line_error(refused)
    assert message in refused.stderr
    with Store.open(data) as store:
        assert [d.version for d in store.list_drafts()] == [1, 1, 1]


@pytest.mark.parametrize(
    ("draft_id", "message"), [(NO_CLIENT, "has no client"), (NO_PLAN, "no treatment plan")]
)
def test_goals_listing_needs_a_client_with_a_plan(data: Path, draft_id: int, message: str) -> None:
    refused = run_cli("--data-dir", str(data), "drafts", "goals", str(draft_id))
    assert_one_line_error(refused)
    assert message in refused.stderr
