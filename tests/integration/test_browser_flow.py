"""The review page end to end: a dictation saved by `draft --save`, reviewed, signed and exported as FHIR."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.util import SAMPLES, run_cli


@pytest.mark.slow
@pytest.mark.browser
def test_browser_flow_dictation_to_fhir_document(chromium: Any, review_server: Any, tmp_path: Path) -> None:
    from fhir.resources.R4B.bundle import Bundle
    from playwright.sync_api import expect

    assert run_cli("clients", "add", "ada-1", "--name", "A.L.").returncode == 0
    saved = run_cli(
        "draft", str(SAMPLES / "soap-headed.flac"), "--format", "soap", "--client", "ada-1", "--save"
    )
    assert saved.returncode == 0, saved.stderr
    draft_id = re.search(r"saved as draft (\d+)", saved.stderr)
    assert draft_id, saved.stderr

    context = chromium.new_context(accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: d.accept())
    try:
        page.goto(review_server.url)
        page.click(f'a[href="/clinical/drafts/{draft_id.group(1)}"]')
        page.wait_for_selector("#draft")
        # the page's deferred script sets the draft up at DOMContentLoaded: act only after it ran
        page.wait_for_load_state("load")
        first = page.locator('ol.sentences[data-field="subjective"] > li.sentence').first
        moved = first.locator(".text").inner_text()
        first.locator("select.move").select_option("assessment")
        expect(page.locator('ol.sentences[data-field="assessment"]')).to_contain_text(moved)
        page.click("#save")
        expect(page.locator("#save-status")).to_have_text(re.compile("^Saved"))
        page.fill("#signed-by", "Dr. Ada Lind, PsyD")
        page.click("#finalize")
        expect(page.locator("#finalize-dialog")).to_be_visible()  # it lists the open findings
        page.click("#finalize-confirm")
        page.wait_for_url(re.compile(r".*/clinical/notes/\d+$"))
        page.select_option("#export-kind", "fhir")
        with page.expect_download() as download:
            page.click("#export")
        target = tmp_path / "note.json"
        download.value.save_as(target)
        assert not errors, errors
    finally:
        context.close()

    data = json.loads(target.read_text(encoding="utf-8"))
    bundle = Bundle.model_validate(data)
    assert bundle.type == "document"
    composition = data["entry"][0]["resource"]
    sections = {s["code"]["coding"][0]["code"]: s["text"]["div"] for s in composition["section"]}
    assert list(sections) == ["61150-9", "61149-1", "51848-0", "18776-5"]  # S, O, A, P
    assert moved.split()[-1] in sections["51848-0"]  # the moved sentence went with its new section
    store = review_server.store
    actions = [e.action for e in store.audit_entries()]
    assert actions[-1] == "exported" and "moved" in actions and "finalized" in actions
    assert [n.content.session.client_id for n in store.list_notes(client="ada-1")] == ["ada-1"]
    assert store.verify_audit().ok
