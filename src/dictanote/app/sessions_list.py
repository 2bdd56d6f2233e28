"""Every session of the caseload, as one list: drafts in the inbox and signed notes, oldest first.

A row says when the service was (date and local time), whom it was with (the client id), the
note's format, whether the session happened (``attended`` where not stated), which draft or note
documents it and where that stands. The clinical record only: private (psychotherapy) notes stay
apart. Pure values from the store's drafts and notes; ``sessions list`` and the review page show them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..core.types import Note, StoredDraft
from .due import service_date

if TYPE_CHECKING:
    from ..store import Store

Documented = Literal["draft", "note"]


@dataclass(frozen=True)
class SessionRow:
    """One session: when, with whom, in which format, whether it happened, and its draft or note."""

    date: str
    time: str | None
    client_id: str | None
    format: str
    attendance: str
    reason: str | None
    kind: Documented
    id: int
    status: str

    def to_dict(self) -> dict[str, Any]:
        """The row as ``sessions list --json`` spells it."""
        return {
            "date": self.date,
            "time": self.time,
            "client_id": self.client_id,
            "format": self.format,
            "attendance": self.attendance,
            "attendance_reason": self.reason,
            "kind": self.kind,
            "id": self.id,
            "status": self.status,
        }


def _row(stored: StoredDraft | Note, zone: dt.tzinfo | None) -> SessionRow:
    kind: Documented
    if isinstance(stored, Note):
        draft, kind, status = stored.content, "note", "amended" if stored.amendments else "signed"
    else:
        draft, kind, status = stored.draft, "draft", "in inbox"
    session = draft.session
    return SessionRow(
        date=service_date(draft, stored.created_at, zone),
        time=session.time,
        client_id=session.client_id,
        format=draft.format,
        attendance=session.attendance or "attended",
        reason=session.attendance_reason,
        kind=kind,
        id=stored.id,
        status=status,
    )


def session_rows(
    store: Store, client_id: str | None = None, zone: dt.tzinfo | None = None
) -> list[SessionRow]:
    """Every session of the clinical record (of one client: an id of the list), oldest first.

    By date of service (a draft or note without one: the day it was dictated, local time), then
    time (a session without a time first in its day), drafts after notes, then id.
    ``RecordNotFoundError`` for a client not in the list.
    """
    code = store.get_client(client_id).id if client_id is not None else None
    drafts = [d for d in store.list_drafts() if code is None or d.draft.session.client_id == code]
    rows = [_row(d, zone) for d in drafts] + [_row(n, zone) for n in store.list_notes(client=code)]
    return sorted(rows, key=lambda r: (r.date, r.time or "", r.kind == "draft", r.id))
