"""The Clients page in a real browser: two clients with the same initials, told apart by id."""

from __future__ import annotations

from typing import Any

import pytest

from tests.util import TEST_ARTIFACTS

pytestmark = pytest.mark.browser


def test_clients_browser_adds_two_mr_told_apart_by_id(chromium: Any, review_server: Any) -> None:
    from playwright.sync_api import expect

    page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(review_server.url)
        page.click('header a[href="/clients"]')
        for cid, dob in (("mr-1", "1990-04-02"), ("mr-2", "")):
            page.fill("#client-id", cid)
            page.fill("#client-name", "M.R.")
            if dob:
                page.fill("#client-dob", dob)
            page.click("#client-add")
            expect(page.locator(f'tr[data-client="{cid}"]')).to_be_visible()
        row = page.locator('tr[data-client="mr-2"]')
        row.locator("summary").click()
        row.locator('input[name="pronouns"]').fill("he/him")
        row.locator('button[type="submit"]', has_text="Save").click()
        expect(page.locator('tr[data-client="mr-2"]')).to_contain_text("he/him")
        TEST_ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(TEST_ARTIFACTS / "clients.png"), full_page=True)
        assert errors == []
    finally:
        page.context.close()
    found = review_server.store.list_clients()
    assert [(c.id, c.name, c.dob, c.pronouns) for c in found] == [
        ("mr-1", "M.R.", "1990-04-02", None),
        ("mr-2", "M.R.", None, "he/him"),
    ]
