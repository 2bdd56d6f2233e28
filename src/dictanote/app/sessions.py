"""A draft's session as the clinician sets it afterwards: its client, date and time of service, attendance.

``set_session`` checks what was typed (the client against the list, the date and time as
written), saves it as a new revision of the draft, and keeps a private companion naming the
same client, date and time. The CLI (``drafts client``) and the review page's picker use it.
Nothing here prints, parses flags or speaks HTTP; the store does the saving and the audit.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from ..core.errors import BadInputError
from ..core.policy import iso_day
from .choices import check_attendance, check_reason

if TYPE_CHECKING:
    from ..core.types import StoredDraft
    from ..store import Store

_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def check_service_date(text: str, today: dt.date | None = None) -> str:
    """A date of service as YYYY-MM-DD, not after today (local); else a one-line ``BadInputError``."""
    try:
        day = iso_day(text)
    except ValueError:
        raise BadInputError(
            f"a date of service is a date as YYYY-MM-DD, e.g. 2026-03-02 (got {text!r})"
        ) from None
    if day > (today or dt.date.today()):
        raise BadInputError(
            f"the date of service {day.isoformat()} is in the future; a note follows its session"
        )
    return day.isoformat()


def check_service_time(text: str) -> str:
    """A local time of service as HH:MM (24-hour); else a one-line ``BadInputError``."""
    value = text.strip()
    if len(value) == 4 and value[1] == ":":
        value = "0" + value  # 9:30 is 09:30
    if not _TIME.fullmatch(value):
        raise BadInputError(f"a time of service is HH:MM on the 24-hour clock, e.g. 14:30 (got {text!r})")
    return value


def set_session(
    store: Store,
    draft_id: int,
    *,
    client_id: str | None = None,
    date: str | None = None,
    time: str | None = None,
    attendance: tuple[str | None, str | None] | None = None,
    private: bool = False,
    expected_version: int | None = None,
) -> StoredDraft:
    """Set a draft's client, date and time of service (None: left as they are) as a new revision.

    ``attendance``: "did the session happen?" and its reason, both as given (None in the pair: not
    stated, no reason), checked by ``choices``; the pair None leaves them as they are. It is the
    draft's own: a private companion is given the client, date and time only.

    ``client_id`` must name a client of the list (``RecordNotFoundError`` otherwise; the id is
    kept as the list spells it); ``date`` is YYYY-MM-DD and not in the future, ``time`` HH:MM
    (``BadInputError``). ``expected_version``: the version the caller saw (None: the current
    one); a draft saved since is refused (``EditConflictError``). A clinical draft's private
    companion, if it is still in the inbox, is given the same client, date and time. Returns the
    draft as saved; a change that changes nothing saves nothing.
    """
    changes: dict[str, str | None] = {}
    if client_id is not None:
        changes["client_id"] = store.get_client(client_id).id
    if date is not None:
        changes["date"] = check_service_date(date)
    if time is not None:
        changes["time"] = check_service_time(time)
    if attendance is not None:
        changes["attendance"] = check_attendance(attendance[0])
        changes["attendance_reason"] = check_reason(attendance[1])
    stored = store.get_draft(draft_id, private=private)
    version = stored.version if expected_version is None else expected_version
    saved = _changed(store, stored, changes, version, private)
    if not private:
        companion = store.companion_of(draft_id)
        if companion is not None:
            when = {k: v for k, v in changes.items() if k in ("client_id", "date", "time")}
            _changed(store, companion, when, companion.version, True)
    return saved


def _changed(
    store: Store, stored: StoredDraft, changes: dict[str, str | None], version: int, private: bool
) -> StoredDraft:
    """``stored`` with ``changes`` made to its session, saved as a new revision if anything changed."""
    session = replace(stored.draft.session, **changes)  # type: ignore[arg-type]
    if session == stored.draft.session and version == stored.version:
        return stored
    draft = replace(stored.draft, session=session)
    return store.update_draft(stored.id, draft, expected_version=version, private=private)
