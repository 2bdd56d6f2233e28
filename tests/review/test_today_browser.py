"""The daily finalize block in a real browser: three drafts (two clients "M.R." told apart by id), a client
chosen with the picker, sign and next through all of them from the keyboard, and the day's summary."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from dictanote.app import Dictation, DraftResult
from dictanote.core.config import load_config
from dictanote.core.policy import format_utc
from dictanote.core.types import SessionInfo
from tests.util import TEST_ARTIFACTS, make_draft

pytestmark = pytest.mark.browser

YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()


def test_today_browser_picks_a_client_and_signs_through_the_block(
    chromium: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect

    from dictanote.review.server import start_in_thread

    monkeypatch.setenv("DICTANOTE_CLINICIAN", "A. Lee, LMFT")  # prefills "Signed by"
    config = load_config()
    dictation = Dictation(config)
    running = start_in_thread(config)
    store = running.store
    for cid, name in (("mr-1", "M.R."), ("mr-2", "M.R."), ("AB", "A.B.")):
        store.add_client(cid, name=name)
    sessions = [  # oldest first: the first names no client yet, only the spoken initials
        (SessionInfo("M.R.", YESTERDAY, time="09:00"), "Client reports better sleep.", 50),
        (SessionInfo("M.R.", YESTERDAY, client_id="mr-1", time="10:00"), "Reviewed the coping plan.", 20),
        (SessionInfo("A.B.", YESTERDAY, client_id="AB", time="11:00"), "Tearful when discussing work.", 2),
    ]
    ids = []
    for session, first, hours in sessions:
        draft = make_draft("soap", {"subjective": [first]}, session=session)
        stored = dictation.save(DraftResult(draft, dictation.format("soap"), ()), source="test")
        when = format_utc(dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=hours))
        with store.database("clinical").write() as conn:
            conn.execute("UPDATE drafts SET created_at = ? WHERE id = ?", (when, stored.id))
        ids.append(stored.id)
    page = chromium.new_context(viewport={"width": 1400, "height": 900}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(running.url)
        page.wait_for_load_state("load")
        expect(page.locator(".today-summary")).to_have_text("3 drafts to sign: 1 due soon")
        rows = page.locator("tr[data-draft]")
        expect(rows).to_have_count(3)
        assert [rows.nth(i).get_attribute("data-draft") for i in range(3)] == [str(i) for i in ids]
        TEST_ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(TEST_ARTIFACTS / "finalize-block.png"), full_page=True)
        page.keyboard.press("j")
        page.keyboard.press("j")
        page.keyboard.press("k")
        expect(page.locator(f'a.open[href="/clinical/drafts/{ids[1]}"]')).to_be_focused()
        page.keyboard.press("k")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/clinical/drafts/{ids[0]}")
        page.wait_for_load_state("load")

        page.keyboard.press("Control+Enter")  # sign and next: the dialog, then sign
        expect(page.locator("#finalize-dialog")).to_be_visible()
        page.keyboard.press("Control+Enter")
        expect(page.locator("#banner")).to_contain_text("names no client: choose one")  # the store's reason

        expect(page.locator("#client-pick option.match")).to_have_count(2)  # both "M.R.", by id
        assert page.locator("#client-pick").input_value() == ""  # never preselected
        page.locator("section.session").screenshot(path=str(TEST_ARTIFACTS / "finalize-picker.png"))
        page.select_option("#client-pick", "mr-2")
        page.click("#choose-client")
        expect(page.locator("#chosen-client")).to_have_text("mr-2 · M.R.")
        page.wait_for_load_state("load")
        for following in [*ids[1:], None]:
            page.keyboard.press("Control+Enter")
            expect(page.locator("#finalize-dialog")).to_be_visible()
            page.keyboard.press("Control+Enter")
            if following is not None:
                page.wait_for_url(f"**/clinical/drafts/{following}")
                page.wait_for_load_state("load")
        page.wait_for_url("**/today/done")
        expect(page.locator(".today-summary")).to_contain_text(
            re.compile(r"Signed today: 3\..*Still in the inbox: 0", re.S)
        )
        assert errors == []
    finally:
        page.context.close()
        running.stop()
    with dictation.open_store() as store:
        notes = store.list_notes()
        assert [(n.draft_id, n.content.session.client_id, n.signed_by) for n in notes] == [
            (ids[0], "mr-2", "A. Lee, LMFT"),
            (ids[1], "mr-1", "A. Lee, LMFT"),
            (ids[2], "AB", "A. Lee, LMFT"),
        ]
        assert store.list_drafts() == []
