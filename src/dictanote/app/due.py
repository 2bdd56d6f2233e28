"""The daily finalize block: each draft in the inbox as the clinician picks it out of a list.

Pure values from a stored draft, its findings and the clock: the client, the date of
service (the session's, else the day of the dictation in local time), when it was
dictated, its first words, its open warnings and where it stands in the documentation
window (``core.policy``). No store, no printing: ``drafts due`` and the review inbox show these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..core.policy import Timeliness, format_local, hours_since, parse_utc, timeliness
from ..core.types import Draft, Finding, Record, StoredDraft

# How many words of the first sentence tell one draft from another.
FIRST_WORDS = 6


@dataclass(frozen=True)
class DueDraft:
    """One draft waiting to be finalized: who, which session, when dictated, how it starts, what is open."""

    id: int
    record: Record
    format: str
    client: str | None
    service_date: str
    dictated_at: str
    dictated_local: str
    first_words: str
    open_findings: int
    age_hours: float
    state: Timeliness
    client_id: str | None = None  # the client of the list, once chosen (``client``: the initials as said)

    def to_dict(self) -> dict[str, Any]:
        """The draft as ``drafts due --json`` spells it (times stored in UTC; ``dictated_local`` to read)."""
        return {
            "id": self.id,
            "format": self.format,
            "client": self.client,
            "client_id": self.client_id,
            "service_date": self.service_date,
            "dictated_at": self.dictated_at,
            "dictated_local": self.dictated_local,
            "first_words": self.first_words,
            "open_findings": self.open_findings,
            "age_hours": round(self.age_hours, 1),
            "state": self.state,
        }


def first_words(draft: Draft, count: int = FIRST_WORDS) -> str:
    """The first ``count`` words of the draft's first sentence, with "…" where it goes on."""
    for f in draft.fields:
        for s in f.sentences:
            words = s.text.split()
            if words:
                return " ".join(words[:count]) + ("…" if len(words) > count else "")
    return ""


def service_date(draft: Draft, dictated_at: str, zone: dt.tzinfo | None = None) -> str:
    """The session's date as stored, else the day the draft was dictated, in local time."""
    if draft.session.date:
        return draft.session.date
    try:
        return parse_utc(dictated_at).astimezone(zone).strftime("%Y-%m-%d")
    except ValueError:
        return ""


def due_draft(
    stored: StoredDraft, findings: Iterable[Finding], now: dt.datetime, zone: dt.tzinfo | None = None
) -> DueDraft:
    """``stored`` as the finalize block lists it; ``findings`` are the checks' on it (info not counted)."""
    try:
        age = max(0.0, hours_since(stored.created_at, now))
    except ValueError:
        age = 0.0
    draft = stored.draft
    return DueDraft(
        id=stored.id,
        record=stored.record,
        format=draft.format,
        client=draft.session.client,
        service_date=service_date(draft, stored.created_at, zone),
        dictated_at=stored.created_at,
        dictated_local=format_local(stored.created_at, zone),
        first_words=first_words(draft),
        open_findings=sum(1 for f in findings if f.severity != "info"),
        age_hours=age,
        state=timeliness(age),
        client_id=draft.session.client_id,
    )


def due_summary(items: Iterable[DueDraft]) -> dict[Timeliness, int]:
    """How many drafts are late, due soon and within the window."""
    counts: dict[Timeliness, int] = {"late": 0, "due": 0, "ok": 0}
    for item in items:
        counts[item.state] += 1
    return counts
