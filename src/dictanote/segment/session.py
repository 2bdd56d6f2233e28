"""Pick the session facts a note's header needs out of what was dictated.

Duration ("fifty-minute session", "53 minutes"), modality (telehealth, phone,
in person, home visit), a spoken date ("on March 12th") and the service type
("intake", "family session"). Only what was said is taken; nothing is guessed,
and the client's name is never extracted.
"""

from __future__ import annotations

import re

from ..types import SessionInfo

_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_NUMBER = (
    r"(?:\d{1,3}|(?:"
    + "|".join(_TENS)
    + r")(?:[- ](?:"
    + "|".join(_UNITS[1:10])
    + r"))?|"
    + "|".join(_UNITS)
    + r")"
)
_DURATION_RE = re.compile(rf"\b({_NUMBER})[- ]?(?:minutes?|mins?)\b", re.I)
_HOUR_RE = re.compile(r"\b(half an hour|an hour and a half|an hour|one hour|hour[- ]long)\b", re.I)
_HOURS = {"half an hour": 30, "an hour and a half": 90, "an hour": 60, "one hour": 60}
_MODALITIES = (
    ("telehealth", r"tele\s?health|telemedicine|video|zoom|virtual(?:ly)?|telepsychiatry"),
    ("phone", r"(?:tele)?phone(?: session| call)?|by phone|over the phone"),
    ("home visit", r"home visit"),
    ("in-person", r"in[- ]person|in the office|in office|office visit|in clinic|in the clinic"),
)
_SESSION_WORDS = re.compile(
    r"\b(?:session|visit|appointment|meeting|met|seen|saw|call|telehealth|video|phone|"
    r"in[- ]person|office|intake|therapy|psychotherapy|counseling|spent)\b",
    re.I,
)
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_DATE_RE = re.compile(
    rf"\b((?:{'|'.join(m.capitalize() for m in _MONTHS)})\s+\d{{1,2}})(?:st|nd|rd|th)?\b"
)
_SERVICES = (
    ("intake assessment", r"intake|initial (?:assessment|evaluation)|biopsychosocial"),
    ("crisis intervention", r"crisis (?:session|intervention|visit)"),
    ("family therapy", r"family (?:session|therapy|meeting)"),
    ("couples therapy", r"couples? (?:session|therapy|counseling)|conjoint"),
    ("group therapy", r"group (?:session|therapy)"),
    ("medication management", r"medication (?:management|check|follow[- ]up)|med check"),
    (
        "individual psychotherapy",
        r"individual (?:psycho)?therapy|individual session|individual counseling",
    ),
)


def _number(text: str) -> int | None:
    text = text.lower().replace("-", " ")
    if text.isdigit():
        return int(text)
    parts = text.split()
    if parts[0] in _TENS:
        value = 10 * (_TENS.index(parts[0]) + 2)
        if len(parts) > 1 and parts[1] in _UNITS:
            value += _UNITS.index(parts[1])
        return value
    return _UNITS.index(parts[0]) if parts[0] in _UNITS else None


def extract_session(text: str) -> SessionInfo:
    """Session facts stated in ``text``; ``None`` for anything not said."""
    duration = None
    for sentence in re.split(r"(?<=[.?!])\s+", text):
        if not _SESSION_WORDS.search(sentence):
            continue  # "five minutes of panic" is not the session's length
        if match := _DURATION_RE.search(sentence):
            duration = _number(match.group(1))
        elif match := _HOUR_RE.search(sentence):
            duration = _HOURS.get(match.group(1).lower(), 60)
        if duration:
            break
    modality = next(
        (name for name, pattern in _MODALITIES if re.search(rf"\b(?:{pattern})\b", text, re.I)),
        None,
    )
    service = next(
        (name for name, pattern in _SERVICES if re.search(rf"\b(?:{pattern})\b", text, re.I)),
        None,
    )
    date = match.group(1) if (match := _DATE_RE.search(text)) else None
    return SessionInfo(
        date=date,
        duration_minutes=duration if duration and 0 < duration <= 600 else None,
        modality=modality,
        service_type=service,
    )
