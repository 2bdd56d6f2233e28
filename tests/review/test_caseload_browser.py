"""Goal links, the plan page and the client page in a real browser: a suggested goal linked with
the keyboard only, then the plan and the client page (goals, notes, chart) as screenshots."""

from __future__ import annotations

from typing import Any

import pytest

from dictanote.store import Store
from tests.review.caseload import PLAN, give_plan, session_draft, sign
from tests.util import TEST_ARTIFACTS

pytestmark = pytest.mark.browser


def _caseload(store: Store) -> int:
    """A client with a plan, two signed notes with PHQ-9 scores, and a draft to link; the draft's id."""
    store.add_client("mr-1", name="M.R.", pronouns="she/her")
    store.add_client("mr-2", name="M.R.")
    give_plan(store)
    sign(store, session_draft("mr-1", "2026-09-15", "Low mood, not working.", 19))
    sign(store, session_draft("mr-1", "2026-10-20", "Some better days.", 14))
    return store.save_draft(
        session_draft("mr-1", "2026-11-25", "PHQ-9 down to 11, feeling less depressed.", 11)
    ).id


def test_caseload_browser_links_a_suggested_goal_with_the_keyboard(chromium: Any, review_server: Any) -> None:
    from playwright.sync_api import expect

    store: Store = review_server.store
    draft_id = _caseload(store)
    page = chromium.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        base = review_server.url[: review_server.url.index("/", len("http://"))]
        page.goto(review_server.url)  # the token becomes the session cookie
        page.goto(f"{base}/clinical/drafts/{draft_id}")
        sentence = page.locator('li.sentence[data-key="subjective:0"]')
        expect(sentence.locator(".goal-suggest")).to_contain_text("Suggest: G1 Reduce depressive symptoms")
        sentence.focus()
        for _ in range(8):  # Tab through the sentence's own controls to its suggestion's Link button
            if page.evaluate("document.activeElement.classList.contains('goal-link')"):
                break
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.classList.contains('goal-link')")
        page.keyboard.press("Enter")
        expect(sentence.locator('.goal-chip[data-goal="G1"]')).to_contain_text(
            "G1 Reduce depressive symptoms"
        )
        expect(page.locator("#save-status")).to_contain_text("Linked to goal G1")
        assert page.evaluate("document.activeElement.classList.contains('goal-remove')")  # focus stays near
        TEST_ARTIFACTS.mkdir(exist_ok=True)
        sentence.screenshot(path=str(TEST_ARTIFACTS / "goal-link.png"))
        assert store.get_draft(draft_id).draft.field("subjective").sentences[0].goals == ("G1",)
        words = sentence.locator(".text")  # split after "11," (Alt+Enter): the first part keeps the link
        words.focus()
        page.evaluate(
            "t => { const r = document.createRange(); r.setStart(t.firstChild, t.textContent.indexOf('feeling'));"
            " r.collapse(true); const s = window.getSelection(); s.removeAllRanges(); s.addRange(r); }",
            words.element_handle(),
        )
        page.keyboard.press("Alt+Enter")
        page.keyboard.press("Control+s")
        expect(page.locator("#save-status")).to_contain_text("Saved")
        split = store.get_draft(draft_id)
        assert [s.goals for s in split.draft.field("subjective").sentences] == [("G1",), ()]
        sentence.focus()
        page.keyboard.press("Alt+j")  # merged again: the union of the links
        page.keyboard.press("Control+s")
        expect(page.locator("#save-status")).to_contain_text(f"Saved (version {split.version + 1})")
        linked = store.get_draft(draft_id)
        assert [s.goals for s in linked.draft.field("subjective").sentences] == [("G1",)]
        store.finalize_draft(draft_id, expected_version=linked.version, signed_by="Dr A")
        page.goto(base + "/clients/mr-1/plan")
        expect(page.locator("#plan-version")).to_contain_text("Version 1")
        page.screenshot(path=str(TEST_ARTIFACTS / "plan.png"), full_page=True)
        page.goto(base + "/clients/mr-1")
        goal = page.locator('li.plan-goal[data-goal="G1"]')
        expect(goal.locator(".goal-notes")).to_contain_text("Note 3")
        chart = page.locator('figure[data-measure="PHQ-9"] svg')
        expect(chart.locator("rect.band")).to_have_count(5)
        expect(chart.locator("line.target")).to_have_count(1)
        assert "target below 10 by 2027-03-31" in (chart.get_attribute("aria-label") or "")
        page.screenshot(path=str(TEST_ARTIFACTS / "client-page.png"), full_page=True)
        assert errors == []
    finally:
        page.context.close()
    assert "G1" in PLAN
