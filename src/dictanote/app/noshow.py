"""A session that did not happen, typed rather than dictated (``dictanote sessions noshow``).

``typed_no_show`` checks what was typed (the client against the list, the attendance, the date,
time and reason as written) and makes a draft in the no-show format: the session's client, date
and time (default: now, local), attendance and reason, and the clinician's note, if any, placed
in the format's fields. It saves nothing: the caller does (``Dictation.save``). No printing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..core.errors import BadInputError
from ..core.policy import NO_SHOW_FORMAT, NOT_HELD
from .choices import check_reason
from .sessions import check_service_date, check_service_time
from .values import DraftResult, SessionStart

if TYPE_CHECKING:
    from ..store import Store
    from .dictation import Dictation

# The answers to "did the session happen?" that mean it did not.


@dataclass(frozen=True)
class NoShowEntry:
    """What the clinician typed about a session that did not happen.

    ``attendance``: one of ``NOT_HELD``; ``date`` (YYYY-MM-DD) and ``time`` (HH:MM, local) of
    service, None for now (a date without a time leaves the time unstated); ``note``: free text
    placed in the no-show format's fields ("" for none).
    """

    client_id: str
    attendance: str
    reason: str | None = None
    date: str | None = None
    time: str | None = None
    note: str = ""


def typed_no_show(
    dictation: Dictation, entry: NoShowEntry, store: Store, now: dt.datetime | None = None
) -> DraftResult:
    """A checked no-show draft of ``entry`` (not saved); ``BadInputError`` or ``RecordNotFoundError``
    (an unknown client) before anything is made.

    The typed attendance and reason stand; a reason only dictated in the note is kept when the
    note states the same attendance.
    """
    from ..check import CheckOptions, check_draft

    if entry.attendance not in NOT_HELD:
        raise BadInputError(f"a session that did not happen is one of: {', '.join(NOT_HELD)}")
    client_id = dictation.client(entry.client_id, store)
    date = check_service_date(entry.date) if entry.date else None
    time = check_service_time(entry.time) if entry.time else None
    reason = check_reason(entry.reason)
    start = SessionStart(client_id=client_id, started=now or dt.datetime.now(dt.timezone.utc))
    result = dictation.from_text(entry.note, NO_SHOW_FORMAT, start=start)
    session = result.draft.session
    said = session.attendance_reason if session.attendance == entry.attendance else None
    session = replace(session, attendance=entry.attendance, attendance_reason=reason or said)
    if date is not None:
        session = replace(session, date=date, time=time)
    elif time is not None:
        session = replace(session, time=time)
    draft = replace(result.draft, session=session)
    findings = check_draft(draft, result.format, CheckOptions())
    return replace(result, draft=draft, findings=findings)
