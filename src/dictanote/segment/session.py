"""Pick the session facts a note's header needs out of what was dictated.

Duration ("fifty-minute session", "53 minutes"), modality (telehealth, phone,
in person, home visit), a spoken date ("on March 12th") and the service type
("intake", "family session"). Only what was said is taken; nothing is guessed,
and the client's name is never extracted.
"""

from __future__ import annotations

import datetime as dt
import re

from ..core.types import MeasureValue, Medication, SessionInfo
from .units import MONTHS, ONES, TENS

_NUMBER = (
    r"(?:\d{1,3}|(?:"
    + "|".join(TENS)
    + r")(?:[- ](?:"
    + "|".join(ONES[1:10])
    + r"))?|"
    + "|".join(ONES)
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
_DATE_RE = re.compile(rf"\b((?:{'|'.join(m.capitalize() for m in MONTHS)})\s+\d{{1,2}})(?:st|nd|rd|th)?\b")
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
    if parts[0] in TENS:
        value = 10 * (TENS.index(parts[0]) + 2)
        if len(parts) > 1 and parts[1] in ONES:
            value += ONES.index(parts[1])
        return value
    return ONES.index(parts[0]) if parts[0] in ONES else None


_WORD_NUMBER_RE = re.compile(rf"\b{_NUMBER}\b", re.I)
_RISK_RE = re.compile(
    r"\b(?:SI|HI|suicid\w*|homicid\w*|self[- ]harm\w*|cutting|overdose\w*|safety plan\w*|"
    r"crisis line|firearms?|guns?|weapons?|kill|die|death|unsafe|abuse\w*|"
    r"lethal means|means restriction)\b",
    re.I,
)
_CLIENT_RE = re.compile(r"\b(?i:client|patient)(?i: initials)?[,:]?\s+((?:[A-Z]\.\s?){2,3}|[A-Z]{2,3}\b)")
_RELATIVE_DAYS = {"today": 0, "this morning": 0, "this afternoon": 0, "yesterday": -1}


def _digits(text: str) -> str:
    """Number words written as digits ("twenty two" -> "22"), for reading scores."""

    def repl(match: re.Match[str]) -> str:
        value = _number(match.group())
        return str(value) if value is not None else match.group()

    return _WORD_NUMBER_RE.sub(repl, text)


def _measures(sentences: list[str], scales: tuple[str, ...]) -> tuple[MeasureValue, ...]:
    if not scales:
        return ()
    names = "|".join(re.escape(n) for n in sorted(scales, key=len, reverse=True))
    scale_re = re.compile(rf"(?<![\w-])({names})(?![\w-])", re.I)
    found: dict[str, MeasureValue] = {}
    for sentence in sentences:
        for match in scale_re.finditer(sentence):
            window = _digits(sentence[match.end() : match.end() + 90])
            value = _score(window)
            if value is not None:
                canonical = next(n for n in scales if n.lower() == match.group(1).lower())
                found.setdefault(canonical, MeasureValue(canonical, value[1], value[0]))
    return tuple(found.values())


def _score(window: str) -> tuple[int | None, int] | None:
    """(from, to) read from the words after a scale's name."""
    window = re.split(r"(?<![\d.])[.;](?!\d)|\b(?:and|but)\b", window)[0]
    if m := re.search(r"\bfrom (\d{1,3}) (?:down |up )?to (\d{1,3})\b", window):
        return int(m.group(1)), int(m.group(2))
    if m := re.search(
        r"\b(\d{1,3})\b[^\d]{0,25}?\b(?:down|up|improved|increased|decreased) from (\d{1,3})\b",
        window,
    ):
        return int(m.group(2)), int(m.group(1))
    if m := re.search(r"\b(\d{1,3})\b", window):
        return None, int(m.group(1))
    return None


def _medications(sentences: list[str], names: tuple[str, ...]) -> tuple[Medication, ...]:
    if not names:
        return ()
    name_re = re.compile(rf"\b({'|'.join(re.escape(n) for n in names)})\b", re.I)
    dose_re = re.compile(r"^\D{0,30}?\b(\d+(?:\.\d+)?)\s?(milligrams?|mg|micrograms?|mcg)\b", re.I)
    found: dict[str, Medication] = {}
    for sentence in sentences:
        for match in name_re.finditer(sentence):
            name = match.group(1).lower()
            dose = None
            if m := dose_re.search(_digits(sentence[match.end() : match.end() + 60])):
                unit = "mg" if m.group(2).lower().startswith(("mg", "milligram")) else "mcg"
                dose = f"{m.group(1)} {unit}"
            if name not in found or (dose and not found[name].dose):
                found[name] = Medication(name, dose)
    return tuple(found.values())


def _date(text: str, session_date: dt.date) -> str | None:
    if match := _DATE_RE.search(text):
        month, day = match.group(1).split()
        try:
            spoken = dt.date(session_date.year, MONTHS.index(month.lower()) + 1, int(day))
        except ValueError:
            return None
        if spoken > session_date:
            spoken = spoken.replace(year=spoken.year - 1)
        return spoken.isoformat()
    lowered = text.lower()
    for phrase, days in _RELATIVE_DAYS.items():
        if re.search(rf"\b(?:seen|session|visit|met|saw)\b[^.]*\b{phrase}\b", lowered):
            return (session_date + dt.timedelta(days=days)).isoformat()
    return None


def extract_session(
    text: str,
    session_date: dt.date | None = None,
    scales: tuple[str, ...] = (),
    medications: tuple[str, ...] = (),
) -> SessionInfo:
    """Session facts stated in ``text``; ``None`` or empty for anything not said.

    Relative dates ("seen yesterday") resolve against ``session_date`` (default today).
    """
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", text) if s]
    duration = None
    for sentence in sentences:
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
    client = _CLIENT_RE.search(text)
    return SessionInfo(
        client=re.sub(r"\s", "", client.group(1)) if client else None,
        date=_date(text, session_date or dt.date.today()),
        duration_minutes=duration if duration and 0 < duration <= 600 else None,
        modality=modality,
        service_type=service,
        measures=_measures(sentences, scales),
        medications=_medications(sentences, medications),
        risk=tuple(s for s in sentences if _RISK_RE.search(s)),
    )
