"""A sentence moved between a clinical draft and its private note: two files, the destination first.

Real stores in tmp_path; the drafts to write are built by hand (the review page's
``api_move`` builds them from a draft and a sentence key).
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import replace

import pytest

from dictanote.core.types import Draft
from dictanote.store import Move, Store, move_sentences
from tests.util import RAW_ERRORS, make_draft, open_raw

MOVED = "I felt rushed by the clock."


def _move(store: Store, forget: object = None) -> tuple[Draft, Move]:
    clinical = store.save_draft(make_draft("soap", {"subjective": ["Slept well.", MOVED]}), source="t")
    kept = make_draft("soap", {"subjective": ["Slept well."]})
    landed = make_draft("psychotherapy", {"reflections": [MOVED]})
    move = Move("clinical", clinical.id, clinical.version, kept, landed, None, None, "reflections", 1)
    return clinical.draft, replace(move, forget=forget) if forget else move


def test_moves_earlier_revisions_rewritten_and_kept_append_only(store: Store) -> None:
    move_kept = make_draft("soap", {"subjective": ["Slept well."]})
    _, move = _move(store, forget=lambda d: replace(d, fields=move_kept.fields, transcript="cut"))
    source, target = move_sentences(store, move)
    assert (source.version, target.companion) == (2, source.id)
    path = store.data_dir / "clinical.db"
    with closing(open_raw(path)) as conn:
        contents = [r[0] for r in conn.execute("SELECT content FROM draft_revisions ORDER BY version")]
        assert all(MOVED not in c for c in contents)
        with pytest.raises(RAW_ERRORS, match="append-only"):
            conn.execute("UPDATE draft_revisions SET content = 'x'")
    assert store.verify_audit().ok and store.verify_audit(private=True).ok


def test_moves_failure_after_the_destination_keeps_the_words_in_both(store: Store) -> None:
    def broken(draft: Draft) -> Draft:
        raise RuntimeError("disk full")

    before, move = _move(store, forget=broken)
    with pytest.raises(RuntimeError):
        move_sentences(store, move)
    clinical = store.list_drafts()[0]
    assert (clinical.version, clinical.draft) == (1, before)  # the source write rolled back whole
    landed = store.companion_of(clinical.id)
    assert landed is not None and landed.draft.field("reflections").sentences[0].text == MOVED
