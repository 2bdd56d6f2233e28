"""Pick the session facts a note's header needs out of what was dictated.

Duration, modality, date and service type are taken only from a clause about this session
("fifty-minute session by video", "seen in the office for 53 minutes", "In person, twenty
minutes."), never from history, plans or other people ("down from 17 at intake", "uses a phone
reminder"); in doubt a fact stays empty. Measures, medications and risk sentences are read too,
and whether the session happened (``attendance``). The client's name is never extracted.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TypeVar

from ..core.types import MeasureValue, Medication, SessionInfo
from .attendance import extract_attendance
from .units import MONTHS, ONES, TENS, ordinal

_NUMBER = (
    r"(?:\d{1,3}|(?:"
    + "|".join(TENS)
    + r")(?:[- ](?:"
    + "|".join(ONES[1:10])
    + r"))?|"
    + "|".join(ONES)
    + r")"
)
# A clause is about this session when it names the session or the clinician seeing the client ...
_ANCHOR = re.compile(
    r"\b(?:sessions?|visit|appointment|check[- ]in|telehealth|intake|consultation|date of service|DOS|"
    r"initial (?:assessment|evaluation)|biopsychosocial)\b"
    r"|\b(?:client|patient|pt|we|I)\s+(?:was\s+|were\s+)?(?:met|seen|saw|spoke)\b|^\W*(?:seen|met|saw)\b"
    r"|\b(?:was|were)\s+seen\b|\bjoined\s+(?:by|via|on|over|from)\s+(?:video|zoom|phone|telehealth)\b",
    re.I,
)
# ... and says nothing of another time, a plan, a habit, someone else or what someone said.
_OTHER_TIME = re.compile(
    r"\b(?:next|last|previous|prior|ago|will|would|going to|plans?|planned|scheduled|return\w*|switch\w*|"
    r"refer\w*|recommend\w*|prefers?|rather|used to|attends?|attended|history|until|before|after|since|"
    r"every|each|usually|often|sometimes|homework|weekend|on-call|(?:she|he|they) (?:had|went)|when|if|"
    r"said|says|told|tells|mentioned|recalled|remembers|"
    r"seen by (?:his|her|their|the|a|an|dr|doctor|PCP)|in (?:" + "|".join(MONTHS) + r"))\b"
    r"|^\W*(?:her|his|their)\s+(?!(?:sessions?|visit|appointment|intake)\b)\w+",
    re.I,
)
# Clauses: at a semicolon, a conjunction, or a comma that starts a new subject ("..., her teacher ...").
_Fact = TypeVar("_Fact", str, int)
_CLAUSE_RE = re.compile(
    r";|,\s+(?:and|but|so|while)\s+|\s+but\s+|,\s+(?=(?:she|he|they|her|his|their|I|we)\b)", re.I
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
# Initials, not a clinical acronym said after "client" ("Client SI denied", "Client PHQ-9 is 12").
_NOT_INITIALS = (
    "SI|HI|AH|VH|PHQ|GAD|PCL|CBT|DBT|ACT|OCD|MDD|BP|HR|ED|ER|PCP|MSE|SUD|AOD|IOP|PHP|TMS|ECT|IEP|CPS|DV|IPV"
)
_CLIENT_RE = re.compile(
    r"\b(?i:client|patient)(?i: initials)?[,:]?\s+"
    rf"(?!(?:{_NOT_INITIALS})\b)((?:[A-Z]\.\s?){{2,3}}|[A-Z]{{2,3}}\b(?!-\d))"
)
_TODAYS_SESSION = re.compile(r"\btoday'?s (?:[\w-]+ ){0,2}(?:session|visit|appointment|check-in)\b")
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
    # "PHQ-9-12": Whisper's hyphen between a scale's name and its score; "PHQ-9-A" is another scale.
    scale_re = re.compile(rf"(?<![\w-])({names})(?!\w|-(?!\d))", re.I)
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


# Durations. A range ("four to five minutes", "45-50 minutes") is left empty: it is often a
# misheard "forty-five", and a guessed length would bill the wrong code.
_RANGE_BEFORE = re.compile(rf"(?:\b{_NUMBER}\s+(?:to|or)\s+|\d\s*[-\u2013]\s*)$", re.I)
_MINUTES_RE = re.compile(rf"\b({_NUMBER})(?:[- ]|\s+)?(?:minutes?|mins?\b\.?|min\b\.?)", re.I)
_HOURS_RE = re.compile(
    rf"\b(?:(an?|one|1|two|2)[- ]hours?(?:[- ]long)?(?:\s+and\s+(a half|{_NUMBER}\s+minutes?))?"
    r"|half an hour|(?:a )?half[- ]hour)\b",
    re.I,
)
# What may come between "session"/"seen" and its length: "seen in the office for 53 minutes".
_PLACE_WORDS = (
    r"in|the|office|by|video|phone|today|with|client|patient|her|him|them|via|zoom|telehealth|person|"
    r"clinic|individually|at|home|over|individual|family|this|total|length|time|was|lasted|lasting|"
    r"of|for|approximately|about|around|roughly|one-on-one|alone|privately|together"
)
_LENGTH_OF = re.compile(
    r"\b(?:sessions?|visit|appointment|call|check[- ]in|intake|seen|met|saw (?:\w+))\b"
    rf"(?:[\s,]+(?:{_PLACE_WORDS})\b)*[\s,]+$",
    re.I,
)
_NOUN_AFTER = re.compile(
    r"^(?:[\s-]+[\w']+(?:-[\w']+)*+){0,3}?[\s-]+"
    r"(?:sessions?|visit|appointment|check[- ]in|call|intake|meeting|consultation|telehealth)\b",
    re.I,
)
_NOT_LENGTH_AFTER = re.compile(
    r"^\W*(?:of|late|early|ago|before|after|each|a day|per|at a time|into|during|left|remaining|to go|"
    r"in(?!\s+(?:person|the office|office|clinic|the clinic)\b))\b",
    re.I,
)
_NOT_LENGTH_BEFORE = re.compile(
    r"\b(?:last|first|final|every|each|after|within|another|extra|only)\s+$", re.I
)
_FILLER = re.compile(
    r"\b(?:a|an|the|today|for|by|via|on|over|was|this|is|held|conducted|seen|session|visit|total|about|"
    r"approximately|around|length|time|duration|date|of|service)\b|[^\w]+",
    re.I,
)
_MODALITIES = (
    (
        "telehealth",
        r"tele-?health|telemedicine|telepsychiatry|virtual(?:ly)?|(?:by|via|over|on) (?:video|zoom|teams|"
        r"doxy(?:\.me)?)|(?:video|zoom) (?:sessions?|visit|call|appointment|check[- ]in)",
    ),
    (
        "phone",
        r"telephonic(?:ally)?|(?:tele)?phone (?:sessions?|visit|call|check[- ]in|appointment|contact)"
        r"|(?:by|via) (?:tele)?phone|over the (?:tele)?phone",
    ),
    (
        "home visit",
        r"home visit|(?:saw|seen|met with|visited) (?:him|her|them) at home"
        r"|(?:at|in) (?:his|her|their|the client's|the family's) home",
    ),
    (
        "in-person",
        r"in[- ]person|face[- ]to[- ]face|in the office|in office|office visit|in (?:the )?clinic",
    ),
)
# A fact list may name the modality with one bare word: "Phone, twenty minutes."
_BARE_MODALITY = {"phone": "phone", "telephone": "phone", "video": "telehealth", "zoom": "telehealth"}
_SERVICES = (
    (
        "intake assessment",
        r"intake(?: session| assessment| evaluation| appointment| visit| interview)?"
        r"|initial (?:assessment|evaluation|session|visit|appointment)|biopsychosocial assessment",
    ),
    ("crisis intervention", r"crisis (?:session|intervention|visit)"),
    ("family therapy", r"family (?:sessions?|therapy|meeting)"),
    ("couples therapy", r"couples? (?:sessions?|therapy|counseling)|conjoint session"),
    ("group therapy", r"group (?:sessions?|therapy)"),
    ("medication management", r"medication (?:management|check|follow[- ]up)|med check"),
    ("individual psychotherapy", r"individual (?:psycho)?therapy|individual (?:sessions?|counseling)"),
)
# "at intake", "since her intake", "than the initial evaluation": a service said about another time.
_HISTORY_BEFORE = re.compile(
    r"\b(?:at|since|from|after|during|before|on|in|of|than|to|until|post|pre|compared|with)"
    r"(?:\s+(?:the|her|his|their|an?))?\s+$",
    re.I,
)
_POSSESSIVE_BEFORE = re.compile(
    r"(?:^|\b(?!for\b|completed\b|began\b|started\b)\w+\s+)(?:her|his|their)\s+$", re.I
)
_NOUN_AFTER_INTAKE = re.compile(
    r"^\s+(?!(?:today|with|by|via|in|for|and|on|at|of|was|is|completed|this|over)\b)[A-Za-z]", re.I
)
_MEASURE_AFTER = re.compile(r"^\s+(?:scores?|PHQ|GAD|PCL|measures?|ratings?|questionnaire)", re.I)


_FACT_WORDS = tuple(
    re.compile(rf"\b(?:{p})\b", re.I)
    for p in (*(p for _, p in _MODALITIES), *(p for _, p in _SERVICES), "|".join(_BARE_MODALITY), "yesterday")
)


_DAYS = {ordinal(n): n for n in range(1, 32)}
_DAY = (
    r"(?:\d{1,2}(?:st|nd|rd|th)?|"
    + "|".join(d.replace(" ", "[- ]") for d in sorted(_DAYS, key=len)[::-1])
    + ")"
)
_MONTH = "(?:" + "|".join(MONTHS) + ")"
_YEAR = rf"(?:,?\s+(20\d\d|(?:twenty|two thousand(?: and)?)[- ](?:{_NUMBER})))?"
_DATE_RE = re.compile(
    rf"\b(?:({_MONTH})\s+(?:the\s+)?({_DAY})|(?:the\s+)?({_DAY})\s+(?:of\s+)?({_MONTH})){_YEAR}\b", re.I
)
_TODAYS_SESSION = re.compile(r"\btoday'?s (?:[\w-]+ ){0,2}(?:session|visit|appointment|check-in)\b")
_RELATIVE_DAYS = {"today": 0, "this morning": 0, "this afternoon": 0, "yesterday": -1}


def _clauses(text: str) -> list[str]:
    """Clauses of ``text`` that are about this session (see ``_ANCHOR`` and ``_OTHER_TIME``)."""
    found = []
    for sentence in re.split(r"(?<=[.?!])\s+", text):
        for clause in _CLAUSE_RE.split(sentence):
            if not clause.strip() or _OTHER_TIME.search(clause):
                continue
            if _ANCHOR.search(clause) or _fact_list(clause):
                found.append(clause.strip())
            elif sentence.startswith(clause) and _bare_fact(opening := clause.split(",")[0]):
                found.append(opening.strip())  # "Twenty-five minutes in person, dressed casually, ..."
    return found


def _fact_list(clause: str) -> bool:
    """Whether every comma part of ``clause`` is a session fact: "In person, twenty minutes."."""
    parts = [p for p in re.split(r",\s*", clause.strip(" .?!")) if p.strip()]
    return bool(parts) and all(_bare_fact(p) for p in parts)


def _bare_fact(part: str) -> bool:
    """Whether ``part`` says only session facts (a length, a modality, a date ...) and filler words."""
    rest = part
    for pattern in (
        _MINUTES_RE,
        _HOURS_RE,
        _DATE_RE,
        *_FACT_WORDS,
    ):
        rest = pattern.sub(" ", rest)
    return rest != part and not _FILLER.sub("", rest)


def _one(values: list[_Fact]) -> _Fact | None:
    """The value all clauses agree on; None when none was said or they differ (in doubt, empty)."""
    return values[0] if values and all(v == values[0] for v in values) else None


def _durations(clause: str) -> list[int]:
    found = []
    hours = list(_HOURS_RE.finditer(clause))
    minutes = [
        m for m in _MINUTES_RE.finditer(clause) if not any(h.start() <= m.start() < h.end() for h in hours)
    ]
    for match in (*minutes, *hours):  # "one hour and fifteen minutes" is one length
        before, after = clause[max(0, match.start() - 80) : match.start()], clause[match.end() :]
        if (
            _RANGE_BEFORE.search(before)
            or _NOT_LENGTH_BEFORE.search(before)
            or _NOT_LENGTH_AFTER.search(after)
        ):
            continue
        part = re.split(r",\s*", before)[-1] + match.group() + re.split(r",", after)[0]
        if not (_LENGTH_OF.search(before) or _NOUN_AFTER.match(after) or _bare_fact(part)):
            continue
        length = _minutes(match)
        if length is not None and 0 < length <= 600:
            found.append(length)
    return found


def _minutes(match: re.Match[str]) -> int | None:
    said = match.group().lower()
    if match.re is _MINUTES_RE:
        return _number(match.group(1))
    if said.startswith(("half", "a half")):
        return 30
    hours = 2 if re.match(r"(?:two|2)\b", said) else 1
    extra = 30 if said.endswith("a half") else 0
    if m := re.search(rf"and ({_NUMBER})\s+minutes?", said):
        extra = _number(m.group(1)) or 0
    return 60 * hours + extra


def _modalities(clause: str) -> list[str]:
    found = [name for name, pattern in _MODALITIES if re.search(rf"\b(?:{pattern})\b", clause, re.I)]
    if not found and _fact_list(clause):
        found = [
            _BARE_MODALITY[w.lower()] for w in re.findall(r"\b\w+\b", clause) if w.lower() in _BARE_MODALITY
        ]
    return found


def _services(clause: str) -> list[str]:
    found = []
    for name, pattern in _SERVICES:
        for match in re.finditer(rf"\b(?:{pattern})\b", clause, re.I):
            before, after = clause[max(0, match.start() - 80) : match.start()], clause[match.end() :]
            if (
                _HISTORY_BEFORE.search(before)
                or _POSSESSIVE_BEFORE.search(before)
                or _MEASURE_AFTER.match(after)
            ):
                continue
            if match.group().lower() == "intake" and _NOUN_AFTER_INTAKE.match(after):
                continue  # "the intake paperwork", "intake PHQ-9"
            found.append(name)
    return found


def _dates(clause: str, session_date: dt.date) -> list[str]:
    found = []
    for match in _DATE_RE.finditer(clause):
        month = (match.group(1) or match.group(4)).lower()
        day_said = (match.group(2) or match.group(3)).lower().replace("-", " ")
        day = int(re.sub(r"\D", "", day_said)) if day_said[0].isdigit() else _DAYS[" ".join(day_said.split())]
        year = _year(match.group(5))
        try:
            spoken = dt.date(year or session_date.year, MONTHS.index(month) + 1, day)
        except ValueError:
            return []  # a date that does not exist was misheard: in doubt, no date
        if spoken > session_date and year is None:
            spoken = spoken.replace(year=spoken.year - 1)
        if spoken <= session_date:
            found.append(spoken.isoformat())
    lowered = clause.lower()
    for phrase, days in _RELATIVE_DAYS.items():
        if re.search(rf"\b(?:seen|session|visit|met|saw|check-in)\b[^.]{{0,120}}?\b{phrase}\b", lowered) or (
            phrase == "today" and _TODAYS_SESSION.search(lowered)
        ):
            found.append((session_date + dt.timedelta(days=days)).isoformat())
    return found


def _year(said: str | None) -> int | None:
    if not said:
        return None
    if said.isdigit():
        return int(said)
    rest = re.sub(r"^(?:twenty|two thousand(?: and)?)[- ]", "", said.lower())
    value = _number(rest)
    return 2000 + value if value is not None and (value >= 10 or said.lower().startswith("two")) else None


def extract_session(
    text: str,
    session_date: dt.date | None = None,
    scales: tuple[str, ...] = (),
    medications: tuple[str, ...] = (),
) -> SessionInfo:
    """Session facts stated in ``text``; ``None`` or empty for anything not said about this session.

    Relative dates ("seen yesterday") resolve against ``session_date`` (default today); a date
    said without its year is the latest such day on or before it.
    """
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", text) if s]
    clauses = _clauses(text)
    today = session_date or dt.date.today()
    duration = _one([m for c in clauses for m in _durations(c)])
    client = _CLIENT_RE.search(text)
    attendance, reason = extract_attendance(sentences)
    return SessionInfo(
        client=re.sub(r"\s", "", client.group(1)) if client else None,
        date=_one([d for c in clauses for d in _dates(c, today)]),
        duration_minutes=duration,
        modality=_one([m for c in clauses for m in _modalities(c)]),
        service_type=_one([s for c in clauses for s in _services(c)]),
        measures=_measures(sentences, scales),
        medications=_medications(sentences, medications),
        risk=tuple(s for s in sentences if _RISK_RE.search(s)),
        attendance=attendance,
        attendance_reason=reason,
    )
