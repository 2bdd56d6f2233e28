"""The audit log page: both logs, verified, without a word of a note or a client's identity."""

from __future__ import annotations

from contextlib import closing
from typing import Any

from dictanote.core.types import StoredDraft
from tests.review.client import login
from tests.util import open_raw


def test_auditlog_page_shows_both_logs_verified_and_no_words(
    review_server: Any, saved_draft: StoredDraft
) -> None:
    store = review_server.store
    store.finalize_draft(saved_draft.id, expected_version=saved_draft.version, signed_by="Dr Rowe")
    page = login(review_server).request("/audit").text
    assert page.count('data-verified="ok"') == 2
    clinical = page[page.index('data-record="clinical"') : page.index('data-record="private"')]
    assert "finalized" in clinical and "client 1" in clinical and ">created<" in clinical
    for word in ("T1", "J.D.", "Dr Rowe", saved_draft.draft.fields[0].sentences[0].text):
        assert word not in page


def test_auditlog_page_says_when_verification_fails(review_server: Any, saved_draft: StoredDraft) -> None:
    with closing(open_raw(review_server.store.data_dir / "clinical.db")) as conn:
        conn.execute("DROP TRIGGER audit_undeletable")
        conn.execute("DELETE FROM audit WHERE seq = 1")
    page = login(review_server).request("/audit").text
    assert 'data-verified="problem"' in page and "Verification failed" in page
