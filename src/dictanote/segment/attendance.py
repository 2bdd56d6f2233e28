"""Did the session happen? Attendance (``policy.ATTENDANCE``) and its reason, read from what was dictated.

Only from a clause that says THIS session did not happen ("No-show, no call.", "Client cancelled
because of a sick child.", "Late cancellation."), said by or of the client, the clinic or the
clinician; never from history, counts, policies or what might happen ("no-shows in the past", "if
she doesn't show up", "her last session was a no-show"). Precision first: in doubt, None.
"""

from __future__ import annotations

import re

_CANCELLED = r"cancel(?:l)?ed"
# What may follow "did not show" / "cancelled" in a clause about the session itself.
_SESSION_NOUN = r"(?:session|appointment|appt|visit|check-in|group|therapy)"
_SESSION_KIND = (
    r"(?:(?:scheduled|usual|regular|weekly|therapy|individual|family|couples|group|telehealth|video|phone|"
    r"in-person|morning|afternoon|\d{1,2}(?::\d\d)?\s*(?:am|pm|o'clock)?)\s+)?"
)
_ABOUT_SESSION = (
    r"(?:\s+(?:today|this morning|this afternoon|tonight|(?:for|to)?\s*(?:the|her|his|their|today's|this|"
    rf"a|an|our)?\s*{_SESSION_KIND}{_SESSION_NOUN}))?"
)
_CLAUSE_END = r"(?=\s*(?:[.,;:!?]|$|\b(?:and|or|with|by|because|due|citing|as|after|since|so)\b))"
# (kind, pattern): checked in this order within a sentence; a late cancellation is also a cancellation.
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "late-cancel",
        re.compile(
            r"\blate[- ]cancel(?:l?ation|l?ed)?\b(?!\s+(?:polic|fees?\b|charges?\b))"
            r"|\bsame[- ]day cancel(?:l?ation|l?ed)?\b"
            rf"|\b(?:{_CANCELLED}|cancel(?:l)?ation)\b[^.;]{{0,40}}?"
            r"\b(?:less than|under|within|inside|without)\s+"
            r"(?:(?:24|twenty[- ]four)[- ]hours?|(?:a|one) day)",
            re.I,
        ),
    ),
    (
        "no-show",
        re.compile(
            r"\bno[- ]?show(?:ed)?\b(?!s|\s+(?:of|polic|fees?\b|rates?\b|letters?\b))"
            rf"|\bdid(?:\s+not|n't)\s+(?:show(?:\s+up)?|attend|come\s+in){_ABOUT_SESSION}{_CLAUSE_END}"
            rf"|\bfailed\s+to\s+(?:show(?:\s+up)?|attend){_ABOUT_SESSION}{_CLAUSE_END}",
            re.I,
        ),
    ),
    (
        "cancelled",
        re.compile(
            rf"\b{_CANCELLED}{_ABOUT_SESSION}{_CLAUSE_END}"
            rf"|\bcalled\s+(?:in\s+)?(?:\w+\s+){{0,3}}?to\s+cancel{_ABOUT_SESSION}{_CLAUSE_END}",
            re.I,
        ),
    ),
)
# Words that put a clause at another time, in a count, a policy or a condition: never this session.
_ELSEWHEN = re.compile(
    r"\b(?:last|previous|prior|past|ago|history|historically|if|unless|when|whenever|would|will|might|may|"
    r"could|should|policy|policies|fees?|pattern|next|worried|afraid|plans?|planning|discharge\w*|"
    r"second|third|fourth|several|multiple|repeated|frequent(?:ly)?|often|usually|sometimes|times|"
    r"another|twice|rate|risk|threatened|considering|wants?|wanted|thinking)\b",
    re.I,
)
# Who may come before the attendance words: the client, the session, the clinic or the clinician, and
# small words ("Client J.T. was a no-show today", "The 2 pm appointment was cancelled by the clinic").
_SUBJECT_WORDS = frozenset(
    " ".join(
        (
            "the client patient pt she he they client's patient's i we my our her his their",
            "today today's this morning afternoon session appointment appt visit scheduled",
            "individual family couples group telehealth video phone in-person initials",
            "was is were a an clinic office clinician therapist writer provider agency",
            "also then unfortunately pm am at o'clock no call no-call calls",
        )
    ).split()
)
_INITIALS = re.compile(r"^(?:[A-Z]\.?){2,3}$|^\d{1,2}(?::\d\d)?$")
_CLAUSE_RE = re.compile(
    r";|,\s+(?:and|but|so|while)\s+|\s+but\s+|,\s+(?=(?:she|he|they|her|his|their|I|we)\b)", re.I
)
# A reason plainly given, to the end of its sentence in at most 100 characters: "because (of) ...",
# "due to ...", "citing ...", "texted that ...".
_REASON = re.compile(
    r"\b(?:because(?:\s+of)?|due\s+to|citing|reason(?:\s+given)?(?:\s+was|:)|"
    r"(?:texted|called|emailed|messaged|said|reported|explained|stated|wrote)(?:\s+(?:us|me|the\s+office|"
    r"the\s+clinic))?\s+(?:that|to\s+say(?:\s+that)?))\s+(?P<reason>[^.;!?]{3,100})(?=[.;!?]|$)",
    re.I,
)


def _subject_ok(before: str) -> bool:
    """Whether the words before the attendance words say only who, or which session (``_SUBJECT_WORDS``)."""
    words = re.findall(r"[\w'.:-]+", before)
    return all(w.lower().strip(".") in _SUBJECT_WORDS or _INITIALS.match(w) for w in words)


_PART_END = re.compile(r"[,.;:!?]")


def _kinds_in(sentence: str) -> set[str]:
    """The attendance kinds that the sentence's clauses about this session state.

    Another time, a condition or a count rules a match out when it is said before it or in its own
    comma-part ("her last session was a no-show", "no-show last week"), not when a later part of the
    run-on says what comes next ("No show, no call, left a voicemail, will call again tomorrow").
    """
    found: set[str] = set()
    for clause in _CLAUSE_RE.split(sentence):
        for kind, pattern in _KINDS:
            for match in pattern.finditer(clause):
                stop = _PART_END.search(clause, match.end())
                own = clause[: stop.start() if stop else len(clause)]
                if not _ELSEWHEN.search(own) and _subject_ok(clause[: match.start()]):
                    found.add(kind)
    return found


def extract_attendance(sentences: list[str]) -> tuple[str | None, str | None]:
    """(attendance, reason) stated about this session; (None, None) when not said, or said two ways.

    The reason is taken only from a sentence that states the attendance, where it is plainly given
    ("because of a sick child", "texted that her car broke down").
    """
    kinds: set[str] = set()
    stating: list[str] = []
    for sentence in sentences:
        found = _kinds_in(sentence)
        if found:
            kinds |= found
            stating.append(sentence)
    if "late-cancel" in kinds:
        kinds.discard("cancelled")  # "cancelled less than 24 hours before" is one late cancellation
    if len(kinds) != 1:
        return None, None
    reasons = [m.group("reason").strip(" ,") for s in stating if (m := _REASON.search(s))]
    return kinds.pop(), reasons[0] if len(reasons) == 1 else None
