"""The clinician's flow on the review page in a real browser (Debian's Chromium driven by Playwright).

Each test checks the store afterwards: what the page showed saved is what was kept.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from dictanote.core.types import StoredDraft
from tests.util import MARKED_TEXT, TEST_ARTIFACTS, make_draft, marked_sentence

pytestmark = pytest.mark.browser


def _screenshot(page: Any, name: str) -> None:
    TEST_ARTIFACTS.mkdir(exist_ok=True)
    path = TEST_ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    data = path.read_bytes()
    assert len(data) > 1000 and data.startswith(b"\x89PNG\r\n\x1a\n")


def _sentence(page: Any, field: str, index: int = 0) -> Any:
    return page.locator(f'ol.sentences[data-field="{field}"] > li.sentence').nth(index)


def test_pages_browser_move_edit_save_finalize(
    chromium: Any, review_server: Any, saved_draft: StoredDraft
) -> None:
    from playwright.sync_api import expect

    started = time.monotonic()
    context = chromium.new_context(viewport={"width": 1280, "height": 1400})  # the drop target in view
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: d.accept())
    try:
        page.goto(review_server.url)
        assert page.url.endswith("/")  # the token left the address bar
        _screenshot(page, "review-inbox.png")
        page.click(f'a[href="/clinical/drafts/{saved_draft.id}"]')
        page.wait_for_selector("#draft")
        # the page's deferred script sets the draft up at DOMContentLoaded: act only after it ran
        page.wait_for_load_state("load")
        _screenshot(page, "review-draft.png")

        by_mouse = _sentence(page, "subjective", 0)
        mouse_text = by_mouse.locator(".text").inner_text()
        by_mouse.locator(".handle").drag_to(page.locator('ol.sentences[data-field="objective"]'))
        assert mouse_text in page.locator('ol.sentences[data-field="objective"]').inner_text()
        assert mouse_text not in page.locator('ol.sentences[data-field="subjective"]').inner_text()

        by_keys = _sentence(page, "assessment", 0)
        keys_text = by_keys.locator(".text").inner_text()
        by_keys.focus()
        page.keyboard.press("Alt+ArrowDown")  # assessment -> the start of plan
        assert _sentence(page, "plan", 0).locator(".text").inner_text() == keys_text
        assert page.evaluate("document.activeElement.closest('ol').dataset.field") == "plan"

        word = page.locator("li.sentence .text", has_text="Continue weekly therapy")
        original = word.inner_text()
        edited = original.replace("weekly", "fortnightly", 1)
        word.click()
        page.keyboard.press("Control+a")  # selects the words of this sentence only
        page.keyboard.type(edited)
        page.click("#save")
        expect(page.locator("#save-status")).to_have_text(re.compile("^Saved"))
        page.click("#copy-note")
        expect(page.locator("#copy-status")).to_have_text(re.compile("^Copied"))
        assert edited in page.evaluate("navigator.clipboard.readText()")
        page.fill("#signed-by", "A. Lee, LMFT")  # the `clinician` setting prefills it when set
        page.click("#finalize")
        expect(page.locator("#finalize-dialog")).to_be_visible()
        page.click("#finalize-confirm")
        page.wait_for_url(re.compile(r".*/clinical/notes/\d+$"))
        assert not errors, errors
    finally:
        context.close()

    store = review_server.store
    note = store.list_notes()[-1]
    content = note.content.by_id
    assert mouse_text in [s.text for s in content["objective"].sentences]
    assert mouse_text not in [s.text for s in content["subjective"].sentences]
    assert keys_text == content["plan"].sentences[0].text
    assert original not in [s.text for f in note.content.fields for s in f.sentences]
    assert edited in [s.text for s in content["plan"].sentences]
    actions = [e.action for e in store.audit_entries()]
    assert {"created", "edited", "moved", "finalized"} <= set(actions)
    assert store.verify_audit().ok
    assert note.signed_by == "A. Lee, LMFT"
    assert time.monotonic() - started < 30


def test_pages_browser_amend_a_signed_note(
    chromium: Any, review_server: Any, saved_draft: StoredDraft
) -> None:
    from playwright.sync_api import expect

    store = review_server.store
    note = store.finalize_draft(saved_draft.id, expected_version=saved_draft.version, signed_by="Dr Rowe")
    context = chromium.new_context(viewport={"width": 1280, "height": 1400})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(review_server.url)
        page.goto(page.url.rstrip("/") + f"/clinical/notes/{note.id}")
        page.click("#amend")  # the Amend button opens the form: the note's text, a reason, the signer
        text = page.input_value("#amend-text")
        assert "Continue weekly therapy with her counselor." in text
        amended = text.replace("with her counselor.", "with her counselor, and a call on Friday.", 1)
        page.fill("#amend-text", amended)
        page.fill("#amend-signed-by", "Dr Rowe")
        page.click("#amend-save")  # no reason: the browser refuses to send it
        assert page.evaluate("document.querySelector('#amend-reason').validity.valueMissing")
        assert store.get_note(note.id).amendments == ()
        page.fill("#amend-reason", "added the Friday call")
        page.click("#amend-save")
        page.wait_for_url(re.compile(rf".*/clinical/notes/{note.id}$"))
        shown = page.locator("section.amendments")
        expect(shown).to_contain_text("added the Friday call")
        expect(shown).to_contain_text("and a call on Friday.")
        _screenshot(page, "amended-note.png")
        assert not errors, errors
    finally:
        context.close()
    kept = store.get_note(note.id)
    assert [(a.reason, a.signed_by) for a in kept.amendments] == [("added the Friday call", "Dr Rowe")]
    assert "and a call on Friday." in kept.content.field("plan").text
    assert "and a call on Friday." not in kept.original.field("plan").text
    assert [e.action for e in store.audit_entries()][-1] == "amended" and store.verify_audit().ok


def test_pages_browser_second_page_is_told_to_reload(
    chromium: Any, review_server: Any, saved_draft: StoredDraft
) -> None:
    from playwright.sync_api import expect

    context = chromium.new_context()
    try:
        first, second = context.new_page(), context.new_page()
        first.goto(review_server.url)
        for page in (first, second):
            page.goto(f"http://127.0.0.1:{review_server.server.port}/clinical/drafts/{saved_draft.id}")
        first.fill('input[name="client"]', "P.L.")
        first.click("#save")
        expect(first.locator("#save-status")).to_have_text(re.compile("^Saved"))
        second.fill('input[name="client"]', "W.W.")
        second.click("#save")
        banner = second.locator("#banner")
        banner.wait_for(state="visible")
        assert "Reload" in banner.inner_text()
        assert review_server.store.get_draft(saved_draft.id).draft.session.client == "P.L."
        second.click("#reload")
        second.wait_for_load_state()
        assert second.input_value('input[name="client"]') == "P.L."
    finally:
        context.close()


def test_pages_browser_word_marks_shown_and_a_correction_undone_by_key(
    chromium: Any, review_server: Any
) -> None:
    from playwright.sync_api import expect

    store = review_server.store
    draft = make_draft(
        "soap", {"subjective": ["Client reports sleeping six hours."], "plan": [marked_sentence()]}
    )
    stored = store.save_draft(draft, source="test")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(review_server.url)
        page.goto(f"http://127.0.0.1:{review_server.server.port}/clinical/drafts/{stored.id}")
        sentence = _sentence(page, "plan", 0)
        corrected, uncertain = sentence.locator(".w-corrected"), sentence.locator(".w-uncertain")
        expect(corrected).to_have_text("sertraline")
        assert "heard: circling" in (corrected.get_attribute("title") or "")
        expect(uncertain).to_have_text("PHQ")
        assert "31% sure" in (uncertain.get_attribute("title") or "")
        styles = [m.evaluate("e => getComputedStyle(e).textDecorationStyle") for m in (corrected, uncertain)]
        assert styles == ["solid", "dotted"]  # told apart without colour
        sentence.focus()
        expect(page.locator("#word-note")).to_contain_text("heard: circling")
        _screenshot(page, "review-word-marks.png")

        page.keyboard.press("u")
        expect(page.locator("#save-status")).to_have_text(re.compile("^Saved"))
        expect(sentence.locator(".text")).to_have_text(MARKED_TEXT.replace("sertraline", "circling"))
        expect(sentence.locator(".w-corrected")).to_have_count(0)
        expect(sentence.locator(".w-uncertain")).to_have_text("PHQ")
        undone = store.get_draft(stored.id)
        sentence.focus()
        page.keyboard.press("c")  # the clinician confirms the words left marked
        expect(sentence.locator(".w-uncertain")).to_have_count(0)
        expect(page.locator("#version")).to_have_text(str(stored.version + 2))
        assert not errors, errors
    finally:
        context.close()

    plan = undone.draft.field("plan").sentences[0]
    assert (plan.text, plan.corrections) == (MARKED_TEXT.replace("sertraline", "circling"), ())
    assert [plan.text[w.start : w.end] for w in plan.uncertain] == ["PHQ"]
    assert undone.version == stored.version + 1 and "edited" in [e.action for e in store.audit_entries()]
    confirmed = store.get_draft(stored.id).draft.field("plan").sentences[0]
    assert (confirmed.text, confirmed.uncertain, confirmed.corrections) == (plan.text, (), ())
    assert not [
        e for e in store.audit_entries() if "circling" in str(e.detail) or "sertraline" in str(e.detail)
    ]


def test_pages_browser_split_merge_by_keys_move_to_private_and_finalize_dialog(
    chromium: Any, review_server: Any, dictation: Any
) -> None:
    from playwright.sync_api import expect

    store = review_server.store
    stored = store.save_draft(
        make_draft(
            "soap", {"subjective": ["Client reports sleeping six hours."], "plan": [marked_sentence()]}
        ),
        source="test",
    )
    original = stored.draft.field("plan").sentences
    page = chromium.new_page(viewport={"width": 1280, "height": 1100})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(review_server.url)
        page.goto(f"http://127.0.0.1:{review_server.server.port}/clinical/drafts/{stored.id}")
        sentence = _sentence(page, "plan", 0)
        sentence.focus()
        page.keyboard.press("Enter")  # edit its words: the cursor at the end
        for _ in MARKED_TEXT[MARKED_TEXT.index("PHQ") :]:
            page.keyboard.press("ArrowLeft")
        page.keyboard.press("Alt+Enter")
        halves = [MARKED_TEXT[: MARKED_TEXT.index("PHQ")].strip(), MARKED_TEXT[MARKED_TEXT.index("PHQ") :]]
        expect(page.locator('ol.sentences[data-field="plan"] > li.sentence')).to_have_count(2)
        assert [_sentence(page, "plan", i).locator(".text").inner_text().strip() for i in (0, 1)] == halves
        _sentence(page, "plan", 1).locator(".split").hover()
        _screenshot(page, "review-split-merge.png")
        page.keyboard.press("Control+s")
        expect(page.locator("#save-status")).to_have_text(re.compile("^Saved"))
        split = store.get_draft(stored.id).draft.field("plan").sentences
        assert [s.text for s in split] == halves
        assert [[s.text[w.start : w.end] for w in (*s.corrections, *s.uncertain)] for s in split] == [
            ["sertraline"],
            ["PHQ"],
        ]
        _sentence(page, "plan", 0).focus()
        page.keyboard.press("Alt+j")
        expect(page.locator('ol.sentences[data-field="plan"] > li.sentence')).to_have_count(1)
        page.keyboard.press("Control+s")
        expect(page.locator("#save-status")).to_have_text(re.compile("^Saved"))
        assert store.get_draft(stored.id).draft.field("plan").sentences == original

        _sentence(page, "subjective", 0).focus()
        with page.expect_navigation():
            page.keyboard.press("Alt+p")  # into the private note (created: there was none)
        private = store.companion_of(stored.id)
        assert private is not None
        assert "sleeping six hours" not in page.locator("#draft").inner_text()
        assert page.locator(f'a[href="/private/drafts/{private.id}"]').count() == 1

        page.fill("#signed-by", "A. Lee, LMFT")
        page.click("#finalize")
        dialog = page.locator("#finalize-dialog")
        expect(dialog).to_be_visible()
        expected = [f for f in dictation.findings(store.get_draft(stored.id)) if f.severity != "info"]
        expect(dialog.locator("li.finding")).to_have_count(len(expected))
        assert {f.code for f in expected} >= {"field-empty"}
        page.click("#finalize-cancel")
        expect(dialog).to_be_hidden()
        assert store.get_draft(stored.id).version == 4  # nothing finalized
        assert not errors, errors
    finally:
        page.close()
