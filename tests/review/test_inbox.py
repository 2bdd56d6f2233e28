"""The review inbox over HTTP: rows told apart (client, date of service, time, first words, warnings), oldest first."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from dictanote.app import Dictation, DraftResult
from dictanote.core.policy import format_local, format_utc
from dictanote.core.types import Record, SessionInfo, StoredDraft
from tests.review.client import login
from tests.util import make_draft

CANARY = "countertransference"


def _aged(
    dictation: Dictation, stored: StoredDraft, hours: float, record: Record = "clinical"
) -> StoredDraft:
    """``stored`` made ``hours`` old, as if dictated then, and read back."""
    when = format_utc(dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=hours))
    with dictation.open_store() as store:
        with store.database(record).write() as conn:
            conn.execute("UPDATE drafts SET created_at = ? WHERE id = ?", (when, stored.id))
        return store.get_draft(stored.id, private=record == "private")


def test_inbox_rows_are_told_apart_oldest_first(review_server: Any, dictation: Dictation) -> None:
    fmt = dictation.format("soap")
    specs = [  # (client, date, first sentence, hours old), saved newest first
        ("M.R.", None, "Reviewed the coping plan together.", 1),
        ("M.R.", "2026-11-20", "Client tearful while discussing her father's illness this week.", 50),
        ("A.B.", None, "Client reports better sleep.", 80),
    ]
    saved = []
    for client, date, first, hours in specs:
        draft = make_draft(
            "soap",
            {"subjective": [first]},
            session=SessionInfo(client, date),
            private={"reflections": [CANARY]},
        )
        stored = dictation.save(DraftResult(draft, fmt, ()), source="test")
        saved.append(_aged(dictation, stored, hours))
    with dictation.open_store() as store:
        companion = store.companion_of(saved[0].id)
    assert companion is not None
    private = _aged(dictation, companion, 90, "private")
    page = login(review_server).request("/").text
    assert CANARY not in page
    clinical_part, private_part = page.split('id="private-heading"')
    rows = re.findall(r'<tr class="age-\w+" data-draft="(\d+)"[^>]*>(.*?)</tr>', clinical_part, re.S)
    assert [int(i) for i, _ in rows] == [s.id for s in reversed(saved)]  # oldest first
    for (_, row), stored in zip(rows, reversed(saved), strict=True):
        text = html.unescape(row)
        session = stored.draft.session
        local = format_local(stored.created_at)
        assert (session.client or "") in text and local in text
        assert (session.date or local[:10]) in text
        opened = sum(1 for f in dictation.findings(stored) if f.severity != "info")
        assert f"{opened} warning" in text
    first = html.unescape(rows[0][1])
    assert "Client reports better sleep." in first and "late" in first
    second = html.unescape(rows[1][1])
    assert "Client tearful while discussing her father's…" in second and "due soon" in second
    assert "2026-11-20" in second
    assert f'data-draft="{private.id}"' in private_part and "kept private" in private_part
