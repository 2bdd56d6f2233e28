"""Rules of the practice that several parts of dictanote apply, each declared once here.

The private (psychotherapy) format id, the documentation window, the confidence
below which a placement is shown as uncertain, and how times are written: stored in
UTC, shown to people in local time. Every other module imports these; none restates
them. Plain values and small pure functions only: nothing here reads files or the
clock except ``utc_now``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

# The format of psychotherapy (process) notes: stored in private.db, never in the clinical record.
PRIVATE_FORMAT = "psychotherapy"

# What the clinical transcript says where a private (psychotherapy) span was cut out of it:
# where it was, never what was said. The private words go to private.db only.
PRIVATE_CUT_MARK = "[private note: kept in the private record]"

# "Did the session happen?": attended, or why not. A session that did not happen is written in the
# NO_SHOW_FORMAT (a short note of what happened and what was done), never in a clinical format;
# NOT_HELD are the answers that say it did not happen.
ATTENDANCE = ("attended", "no-show", "late-cancel", "cancelled")
NOT_HELD = ATTENDANCE[1:]
NO_SHOW_FORMAT = "noshow"
# Each answer as a person reads it (the session header of notes and exports, the review page).
ATTENDANCE_LABELS = {
    "attended": "attended",
    "no-show": "no-show",
    "late-cancel": "late cancellation",
    "cancelled": "cancelled",
}

# Rating scales' severity bands (the lowest score of each band above the first) and the bands' names,
# for the client page's charts: PHQ-9 5/10/15/20, GAD-7 5/10/15.
SEVERITY_BANDS: dict[str, tuple[tuple[int, str], ...]] = {
    "PHQ-9": ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately severe"), (20, "severe")),
    "GAD-7": ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")),
}

# A note is expected within LATE_HOURS of dictation; from DUE_HOURS on the clinician is told it is due.
DUE_HOURS = 48.0
LATE_HOURS = 72.0

# Placements the segmenter is less sure of than this are shown to the clinician as uncertain.
LOW_CONFIDENCE = 0.6

# Words Whisper heard with a probability below this are shown to the clinician as uncertain.
# Chosen with `benchmarks/terms.py --half odd --sweep 0.2,0.3,...,0.9` (tiny.en, both voices): the
# lowest threshold at which the marks (with the corrections) cover 70 % or more of the wrong words
# for each voice: 70.5 % (espeak) and 77 % (piper); 0.5 covered 42 % and 41 %. Of the words marked,
# 49 % and 28 % are wrong (the aim is 30 %); held out (--half even): 74 %/81 % and 46 %/33 %.
UNCERTAIN_WORD = 0.8

# Stored times: ISO-8601 UTC to the second with a Z, e.g. 2026-11-29T19:09:17Z.
UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

# Times a person reads: local time (the machine's zone, TZ) to the minute, with the zone's name.
LOCAL_FORMAT = "%Y-%m-%d %H:%M %Z"

Timeliness = Literal["ok", "due", "late"]


def timeliness(age_hours: float) -> Timeliness:
    """Where a draft of this age stands in the documentation window: ok, due, or late.

    Late means past the window: a draft exactly ``LATE_HOURS`` old is due, not late.
    """
    if age_hours > LATE_HOURS:
        return "late"
    if age_hours >= DUE_HOURS:
        return "due"
    return "ok"


# A calendar day as people and forms write it: 2026-11-30 (exactly this shape; what is stored and shown).
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_day(text: str) -> dt.date:
    """A day written YYYY-MM-DD (spaces around it ignored); ``ValueError`` for any other text."""
    value = text.strip()
    if not ISO_DAY.fullmatch(value):
        raise ValueError(f"not YYYY-MM-DD: {value[:20]!r}")
    return dt.date.fromisoformat(value)


def is_uncertain(confidence: float) -> bool:
    """Whether a placement this confident is shown to the clinician for review."""
    return confidence < LOW_CONFIDENCE


def format_utc(moment: dt.datetime) -> str:
    """A moment as stored: UTC, to the second, ``Z`` suffix (a naive moment is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).strftime(UTC_FORMAT)


def utc_now() -> str:
    """Now, as stored."""
    return format_utc(dt.datetime.now(dt.timezone.utc))


def parse_utc(text: str) -> dt.datetime:
    """A stored time as an aware UTC datetime; ``Z``, an offset or none (taken as UTC) are accepted.

    Raises ``ValueError`` when ``text`` is not an ISO-8601 time.
    """
    parsed = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc)


def format_local(stored: str, zone: dt.tzinfo | None = None) -> str:
    """A stored (UTC) time as a person reads it: ``2026-11-29 14:09 EST`` in the machine's zone.

    ``zone`` overrides the machine's (TZ) zone. Only ever for display: what is stored,
    compared or exported as data stays UTC. Text that is not a time is returned as it is.
    """
    try:
        return parse_utc(stored).astimezone(zone).strftime(LOCAL_FORMAT)
    except ValueError:
        return stored


def hours_since(text: str, now: dt.datetime | None = None) -> float:
    """Hours from a stored time until ``now`` (default: the clock); ``ValueError`` if unreadable."""
    moment = now or dt.datetime.now(dt.timezone.utc)
    return (moment - parse_utc(text)).total_seconds() / 3600
