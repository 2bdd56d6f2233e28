"""The checks themselves, and ``check_draft`` that runs them in order.

Each check reads the draft through a ``CheckContext`` and yields findings of the
kinds declared in ``findings``; it never changes the draft and never spells a
code or a severity. What a check matches is data (``vocabulary``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..core.plans import TreatmentPlan
from ..core.policy import (
    ATTENDANCE_LABELS,
    LATE_HOURS,
    NO_SHOW_FORMAT,
    NOT_HELD,
    PRIVATE_CUT_MARK,
    PRIVATE_FORMAT,
    is_uncertain,
    timeliness,
)
from ..core.types import Draft, Finding, NoteFormat, Sentence
from . import findings as kinds
from . import misheard
from .findings import FindingKind
from .vocabulary import FIRST_PERSON_REACTION, RISK_ACRONYM, CheckVocabulary, check_vocabulary

# Score ranges of common scales (inclusive maxima; all start at 0).
SCALE_MAX = {
    "PHQ-9": 27, "PHQ-2": 6, "PHQ-A": 27, "GAD-7": 21, "GAD-2": 6, "PCL-5": 80, "AUDIT-C": 12,
    "DAST-10": 10, "CUDIT-R": 32, "BDI-II": 63, "EPDS": 30, "ISI": 28, "MoCA": 30, "GDS": 30,
    "Y-BOCS": 40, "SUDS": 100, "ASRS": 72, "YMRS": 60, "BAI": 63,
}  # fmt: skip
# Psychotherapy CPT codes and the session lengths they stand for (minutes).
CPT_BANDS = {"90832": (16, 37), "90834": (38, 52), "90837": (53, 10_000)}
COPY_RATIO = 0.9
_QUOTED = re.compile(r'"[^"]*"')
_REPORTED = re.compile(r"\b(?:says|said|states|stated|reports|reported|describes|described|told)\b", re.I)


@dataclass(frozen=True)
class CheckOptions:
    """What the checks may compare with.

    ``age_hours`` is how long the draft has waited since dictation (known once it
    is in the store); it drives the documentation-timeliness check. ``previous``: the
    same client's previous note; ``plan``: the client's treatment plan as it stands.
    ``asked_format``: the format the clinician asked for, where the draft was made in
    another (a session that did not happen is drafted as a no-show note).
    """

    previous: Draft | None = None
    age_hours: float | None = None
    plan: TreatmentPlan | None = None
    asked_format: str | None = None


@dataclass(frozen=True)
class CheckContext:
    """What every check reads: the draft, its format, the vocabulary and the options."""

    draft: Draft
    fmt: NoteFormat
    vocab: CheckVocabulary
    options: CheckOptions

    def sentences(self) -> Iterator[tuple[str, Sentence]]:
        """Every sentence of the draft's own fields, with its field id, in order."""
        for field in self.draft.fields:
            for sentence in field.sentences:
                yield field.id, sentence

    def found(
        self, kind: FindingKind, message: str, field: str | None = None, sentence: Sentence | None = None
    ) -> Finding:
        """A finding of ``kind`` on this draft, pointing at ``sentence``'s words when given."""
        return kind.finding(message, self.fmt.id, field, sentence.span if sentence is not None else None)


Check = Callable[[CheckContext], Iterator[Finding]]


def _plain(text: str) -> str:
    """The clinician's own words: quotations removed."""
    return _QUOTED.sub(" ", text)


def _field_empty(ctx: CheckContext) -> Iterator[Finding]:
    for spec in ctx.fmt.fields:
        if spec.required and not ctx.draft.field(spec.id).sentences:
            hint = f" It should hold: {spec.description}" if spec.description else ""
            if spec.id == "risk" and (elsewhere := _risk_elsewhere(ctx)) is not None:
                label = next(f.label for f in ctx.fmt.fields if f.id == elsewhere[0])
                hint = (
                    f' A risk statement was dictated in {label} ("{elsewhere[1].text[:60]}"): '
                    f"move it to {spec.label} if it is the session's risk statement."
                )
            yield ctx.found(kinds.FIELD_EMPTY, f"{spec.label} is empty.{hint}", spec.id)


def _risk_elsewhere(ctx: CheckContext) -> tuple[str, Sentence] | None:
    """The first risk statement (risk words, a denial of them, or a risk judgement) outside the risk field."""
    for field_id, s in ctx.sentences():
        text = _plain(s.text)
        if field_id != "risk" and (_is_risk(ctx, text) or _risk_judged(text)):
            return field_id, s
    return None


def _session_facts(ctx: CheckContext) -> Iterator[Finding]:
    info = ctx.draft.session
    missing = [
        name
        for name, value in (
            ("date", info.date),
            ("duration", info.duration_minutes),
            ("modality (in person, telehealth, phone)", info.modality),
            ("service type", info.service_type),
        )
        if value is None
    ]
    if missing:
        yield ctx.found(
            kinds.SESSION_FACTS_MISSING,
            f"Session facts not stated: {', '.join(missing)}. Say or fill them in before signing.",
        )


def _is_intervention(field_id: str, s: Sentence) -> bool:
    return s.role == "intervention" or "intervention" in field_id


_OPENER = re.compile(r"^(?:(?:I|we|therapist|clinician|writer)\s+)?(?:also\s+)?", re.I)
_CLIENT_SUBJECT = re.compile(
    r"^(?:the\s+)?(?:client|patient|she|he|they|mom|dad|parents?|members?|group)\b", re.I
)


def _vague_intervention(ctx: CheckContext) -> Iterator[Finding]:
    for field_id, s in ctx.sentences():
        text = _plain(s.text)
        rest = text[_OPENER.match(text).end() :]  # type: ignore[union-attr]
        starts_vague = ctx.vocab.patterns["vague"].match(rest) is not None
        in_intervention = _is_intervention(field_id, s) and not _CLIENT_SUBJECT.match(text)
        if not (starts_vague or (in_intervention and ctx.vocab.has("vague", text))):
            continue
        if ctx.vocab.has("techniques", text):
            continue
        yield ctx.found(
            kinds.VAGUE_INTERVENTION,
            f'"{s.text[:60]}" says an intervention happened but not which. Name the technique '
            'and its target, e.g. "used cognitive restructuring on her belief that she will be fired".',
            field_id,
            s,
        )


def _no_client_response(ctx: CheckContext) -> Iterator[Finding]:
    interventions = [(f, s) for f, s in ctx.sentences() if _is_intervention(f, s)]
    if not interventions:
        return
    response_fields = [f for f in ctx.draft.fields if "response" in f.id or f.id == "evaluation"]
    if any(f.sentences for f in response_fields):
        return
    for _field_id, s in ctx.sentences():
        if s.role in {"client_response", "progress"} or ctx.vocab.has("response", s.text):
            return
    yield ctx.found(
        kinds.NO_CLIENT_RESPONSE,
        "Interventions are documented but not how the client responded to them "
        '(e.g. "she identified two distortions and rated her anxiety lower").',
        interventions[0][0],
    )


def _risk(ctx: CheckContext) -> Iterator[Finding]:
    positive: list[tuple[str, Sentence]] = []
    mentioned = False
    addressed = False
    for field_id, s in ctx.sentences():
        text = _plain(s.text)
        if _is_risk(ctx, text):
            mentioned = True
            if not ctx.vocab.has("risk_denial", text):
                positive.append((field_id, s))
        if ctx.vocab.has("risk_response", text) or _risk_judged(text):
            # Words, not the classifier's guess: a finding must point at what was said.
            addressed = True
            mentioned = True
    for field_id, s in positive:
        if not addressed:
            yield ctx.found(
                kinds.RISK_UNADDRESSED,
                f'Risk is mentioned ("{s.text[:60]}") without a documented risk assessment or '
                "safety action (risk level, safety plan, means restriction, crisis resources).",
                field_id,
                s,
            )
    if not mentioned:
        yield ctx.found(
            kinds.NO_RISK_STATEMENT,
            'No risk statement. If risk was assessed, say so (e.g. "denies SI/HI").',
            "risk" if "risk" in ctx.fmt.field_ids else None,
        )


# A stated level of risk is the risk assessment itself: "his risk of self-harm remains moderate",
# "Risk level: low", "no acute risk", "at elevated risk of suicide". A risk of something else
# ("risk of relapse remains high") is not.
_LEVEL = (
    r"(?:low|lower|minimal|mild|moderate|medium|high|higher|elevated|significant|severe|serious|acute|"
    r"chronic|imminent|increased|decreased|unchanged|stable|baseline)"
)
_RISK_OF = r"(?:\s+(?:of|for|to)\s+(?P<what>[^.;:,]{1,40}?))?"  # what the risk is of, up to its level
_RISK_OF_ALL = r"(?:\s+(?:of|for|to)\s+(?P<what>[^.;:,]{1,40}))?"  # ... up to the clause's end
_RISK_JUDGED = tuple(
    re.compile(pattern, re.I)
    for pattern in (
        rf"\b{_LEVEL}(?:(?:\s+to|,|\s+and)?\s+{_LEVEL})*(?:\s+(?:suicide|suicidal|self-harm|violence))?"
        rf"\s+risk\b(?!\s+(?:behaviou?rs?|factors?|activit|taking|sex|situations?|groups?)){_RISK_OF_ALL}",
        rf"\b(?:risk(?:\s+level)?|level\s+of\s+risk){_RISK_OF}\s*(?::|\b(?:is|was|remains|remained|appears|"
        r"seems|judged|considered|rated|assessed|estimated|continues\s+to\s+be|stays))\s*"
        rf"(?:(?:as|to\s+be|currently|still|now|overall)\s+)*{_LEVEL}\b",
        rf"\b(?:no|not\s+at)\s+(?:{_LEVEL}\s+|current\s+|immediate\s+)+risk\b{_RISK_OF_ALL}",
    )
)
_RISK_OF_HARM = re.compile(
    r"self|others|suicid|harm|violen|death|dying|overdose|kill|danger|safety|\bSI\b|\bHI\b", re.I
)


def _risk_judged(text: str) -> bool:
    """Whether ``text`` states a level of risk to life or safety (see ``_RISK_JUDGED``)."""
    return any(
        m.group("what") is None or _RISK_OF_HARM.search(m.group("what")) is not None
        for pattern in _RISK_JUDGED
        for m in pattern.finditer(text)
    )


def _is_risk(ctx: CheckContext, text: str) -> bool:
    """Whether ``text`` holds risk language (a short acronym only in capitals: "SI", not "si")."""
    return ctx.vocab.has("risk", text) is not None and (
        ctx.vocab.has(RISK_ACRONYM, text) is not None or not _acronym_only(ctx, text)
    )


# A marked word this many words from a risk word (or its denial) may change what the statement says.
RISK_NEAR_WORDS = 2
_WORD_SPAN = re.compile(r"\S+")


def _near_risk(ctx: CheckContext, text: str, marks: list[tuple[int, int]]) -> bool:
    """Whether a marked span lies on a risk word or its denial, or within ``RISK_NEAR_WORDS`` words of one.

    A risk statement whose unsure words are elsewhere ("... since the session on Tuesday")
    says what it says; one unsure at "denies" or "SI" may say the opposite.
    """
    words = [(m.start(), m.end()) for m in _WORD_SPAN.finditer(text)]
    hits = [
        (m.start(), m.end())
        for name in ("risk", "risk_sounds", "risk_denial", RISK_ACRONYM)
        for m in ctx.vocab.patterns[name].finditer(text)
    ]
    for start, end in hits:
        first = next((i for i, (a, b) in enumerate(words) if b > start), 0)
        last = max((i for i, (a, b) in enumerate(words) if a < end), default=first)
        lo = words[max(0, first - RISK_NEAR_WORDS)][0] if words else start
        hi = words[min(len(words) - 1, last + RISK_NEAR_WORDS)][1] if words else end
        if any(a < hi and b > lo for a, b in marks):
            return True
    return False


def _risk_unconfirmed(ctx: CheckContext) -> Iterator[Finding]:
    candidates = misheard.phrases(ctx.vocab.phrases["risk_sounds"] + ctx.vocab.phrases["risk"])
    labels = {spec.id: spec.label for spec in ctx.fmt.fields}
    for field_id, s in ctx.sentences():
        marks = [(m.start, m.end) for m in s.uncertain] + [(c.start, c.end) for c in s.corrections]
        if not marks:
            continue
        risky = _is_risk(ctx, s.text) or ctx.vocab.has("risk_sounds", s.text) is not None
        if not (risky and _near_risk(ctx, s.text, marks)) and (
            misheard.misheard_phrase(s.text, marks, candidates) is None
        ):
            continue
        how = {(True, False): "unsure of", (False, True): "corrected"}.get(
            (bool(s.uncertain), bool(s.corrections)), "unsure of or corrected"
        )
        # The words themselves stay out of the message: they may be wrong, and the span points at them.
        yield ctx.found(
            kinds.RISK_UNCONFIRMED,
            f"A risk statement in {labels.get(field_id, field_id)} has words the transcriber was {how}. "
            "Listen back or confirm what was said before signing.",
            field_id,
            s,
        )


def _acronym_only(ctx: CheckContext, text: str) -> bool:
    """Whether every risk word in ``text`` is a short acronym written in lower case."""
    return all(
        len(m.group()) <= 3 and not m.group().isupper() for m in ctx.vocab.patterns["risk"].finditer(text)
    )


_ITEM9 = re.compile(
    r"\b(?:item|question)\s+(?:9|nine)\b[^.]{0,40}?\b(?:[1-3]|one|two|three|positive|endorsed)\b", re.I
)


def _measures(ctx: CheckContext) -> Iterator[Finding]:
    for m in ctx.draft.session.measures:
        top = SCALE_MAX.get(m.name)
        for value in (m.from_, m.to):
            if top is not None and value is not None and not 0 <= value <= top:
                yield ctx.found(
                    kinds.MEASURE_OUT_OF_RANGE,
                    f"{m.name} of {value} is impossible: scores run from 0 to {top}. Check the number.",
                )
    assessed = any(ctx.vocab.has("risk_response", t.text) for _, t in ctx.sentences())
    for field_id, s in ctx.sentences():
        if _ITEM9.search(s.text) and not assessed:
            yield ctx.found(
                kinds.PHQ9_ITEM9_UNADDRESSED,
                "PHQ-9 item 9 (thoughts of death or self-harm) is above zero but no risk "
                "assessment is documented.",
                field_id,
                s,
            )


def _duration(ctx: CheckContext) -> Iterator[Finding]:
    minutes = ctx.draft.session.duration_minutes
    if minutes is None:
        return
    for field_id, s in ctx.sentences():
        for code in re.findall(r"\b9083[247]\b", s.text):
            low, high = CPT_BANDS[code]
            if not low <= minutes <= high:
                band = f"{low}+" if high > 1000 else f"{low}-{high}"
                yield ctx.found(
                    kinds.DURATION_INCONSISTENT,
                    f"{minutes} minutes does not fit {code}, which is for {band} minutes of psychotherapy.",
                    field_id,
                    s,
                )
    text = " ".join(s.text for _, s in ctx.sentences())
    if re.search(r"\b53\s*(?:\+|plus|or more)\s*minutes?\b", text, re.I) and minutes < 53:
        yield ctx.found(
            kinds.DURATION_INCONSISTENT,
            f"The session lasted {minutes} minutes but is documented as a 53+ minute service.",
        )


# Vocabulary list -> the kind of finding a phrase of it makes, and the advice.
_WORDING = (
    ("absolutes", kinds.ABSOLUTE_LANGUAGE, "is an absolute; say what was observed or reported instead."),
    ("hedges", kinds.HEDGE_LANGUAGE, "hedges; state the observation and your clinical judgement plainly."),
)


def _wording(ctx: CheckContext) -> Iterator[Finding]:
    for field_id, s in ctx.sentences():
        if '"' in s.text or _REPORTED.search(s.text):
            continue  # the client's words, not the clinician's
        for vocabulary, kind, advice in _WORDING:
            if m := ctx.vocab.has(vocabulary, s.text):
                yield ctx.found(kind, f'"{m.group()}" {advice}', field_id, s)


_DIRECT_SPEECH = re.compile(
    r"\b(?:client|patient|she|he|they|mom|dad)\s+(?:said|says|stated|states)[,:]?\s+(?!that\b)(?:I|I'm|I've|I'll|my|me)\b",
    re.I,
)


def _unquoted_client_words(ctx: CheckContext) -> Iterator[Finding]:
    for field_id, s in ctx.sentences():
        if '"' not in s.text and _DIRECT_SPEECH.search(s.text):
            yield ctx.found(
                kinds.UNQUOTED_CLIENT_WORDS,
                "These look like the client's own words; put them in quotation marks "
                '(say "quote ... end quote" when dictating).',
                field_id,
                s,
            )


def _process_in_record(ctx: CheckContext) -> Iterator[Finding]:
    if ctx.fmt.id == PRIVATE_FORMAT:
        return
    for field_id, s in ctx.sentences():
        plain = _plain(s.text)
        if ctx.vocab.has("process", plain) or ctx.vocab.has(FIRST_PERSON_REACTION, plain):
            yield ctx.found(
                kinds.PROCESS_IN_RECORD,
                "This reads as process content (your reactions, transference, dynamics); it belongs "
                'in a psychotherapy note. Dictate it after "private note".',
                field_id,
                s,
            )


def _record_in_private(ctx: CheckContext) -> Iterator[Finding]:
    private = ctx.draft if ctx.fmt.id == PRIVATE_FORMAT else ctx.draft.private
    if private is None:
        return
    for field in private.fields:
        for s in field.sentences:
            if ctx.vocab.has("record", s.text):
                yield ctx.found(
                    kinds.RECORD_IN_PRIVATE,
                    "This reads as clinical-record content (diagnosis, medication, times, modality, "
                    "symptoms, progress or plan); it belongs in the progress note.",
                    f"private:{field.id}",
                    s,
                )


def _private_unclosed(ctx: CheckContext) -> Iterator[Finding]:
    unclosed = ctx.draft.unclosed_private
    if unclosed is None or not unclosed.sentences:
        return
    labels = {spec.id: spec.label for spec in ctx.fmt.fields}
    said = ", ".join(labels.get(h, h) for h in unclosed.headers)
    headers = f", including what you dictated under {said}" if said else ""
    n = unclosed.sentences
    where = ctx.draft.transcript.rfind(PRIVATE_CUT_MARK)
    yield kinds.PRIVATE_UNCLOSED.finding(
        f'"Private note" was never closed with "end private note": the {n} sentence{"s" if n != 1 else ""} '
        f"after it went to the private note{headers}. If any belong in the record, move them back into "
        'their fields in review, or dictate again with "end private note" where the private part ends.',
        ctx.fmt.id,
        span=(where, where + len(PRIVATE_CUT_MARK)) if where >= 0 else None,
    )


# How much of a questioned sentence the finding quotes, to find it by.
QUESTIONED_WORDS = 6


def _placement_questioned(ctx: CheckContext) -> Iterator[Finding]:
    """A sentence kept under its spoken header whose content the segmenter questioned (low confidence)."""
    owner = {role: spec for spec in ctx.fmt.fields for role in spec.roles}
    labels = {spec.id: spec.label for spec in ctx.fmt.fields}
    for field_id, s in ctx.sentences():
        suggested = owner.get(s.role or "")
        if s.origin != "spoken_header" or not is_uncertain(s.confidence):
            continue
        if suggested is not None and suggested.id == field_id:
            continue  # it reads like where it is (moved there in review)
        reads = f"reads like {suggested.label}" if suggested is not None else "reads like another field"
        words = s.text.split()
        quoted = " ".join(words[:QUESTIONED_WORDS]) + (" …" if len(words) > QUESTIONED_WORDS else "")
        yield ctx.found(
            kinds.PLACEMENT_QUESTIONED,
            f'"{quoted}" was dictated under {labels.get(field_id, field_id)} but {reads}. It stays where '
            "you said it; move it in review if it belongs there.",
            field_id,
            s,
        )


def _copied_forward(ctx: CheckContext) -> Iterator[Finding]:
    previous = ctx.options.previous
    if previous is None:
        return
    before = {f.id: f.text for f in previous.fields}
    for field in ctx.draft.fields:
        old = before.get(field.id, "")
        if len(field.text) > 40 and old:
            ratio = difflib.SequenceMatcher(a=old.lower(), b=field.text.lower()).ratio()
            if ratio >= COPY_RATIO:
                yield ctx.found(
                    kinds.COPIED_FORWARD,
                    f"{field.label} is {ratio:.0%} the same as in the previous note; "
                    "document what happened in this session.",
                    field.id,
                )


# The formats whose notes document progress toward the plan's goals (plan-goal-missing).
GOAL_FORMATS = ("progress", "girp")


def _plan_goal_missing(ctx: CheckContext) -> Iterator[Finding]:
    """A progress or GIRP note of a client with a plan, no sentence linked to one of its goals."""
    plan = ctx.options.plan
    if plan is None or ctx.fmt.id not in GOAL_FORMATS:
        return
    if any(plan.content.goal(g) is not None for _, s in ctx.sentences() for g in s.goals):
        return
    yield ctx.found(
        kinds.PLAN_GOAL_MISSING,
        "No sentence is linked to a goal of the treatment plan: link a goal or progress sentence to "
        "the plan goal it addresses (on the review page, or `dictanote drafts link`).",
    )


def _plan_review_due(ctx: CheckContext) -> Iterator[Finding]:
    """A note whose date of service is after its client's plan's review date."""
    plan = ctx.options.plan
    if plan is None or ctx.fmt.id == NO_SHOW_FORMAT or not plan.review_overdue(ctx.draft.session.date):
        return
    yield ctx.found(
        kinds.PLAN_REVIEW_DUE,
        f"The treatment plan was due for review on {plan.content.review_date}: review it "
        f"(`dictanote plans edit {plan.client_id}`).",
    )


def _format_switched_no_show(ctx: CheckContext) -> Iterator[Finding]:
    """A dictation asked in another format, drafted as a no-show note: the session did not happen."""
    asked = ctx.options.asked_format
    if ctx.fmt.id != NO_SHOW_FORMAT or asked is None or asked == NO_SHOW_FORMAT:
        return
    said = ATTENDANCE_LABELS.get(ctx.draft.session.attendance or "", "not stated")
    yield ctx.found(
        kinds.FORMAT_SWITCHED_NO_SHOW,
        f"The dictation says the session did not happen ({said}): drafted as a no-show note, not in "
        f"the {asked!r} format asked. If it did happen, switch the format in review.",
    )


def _session_not_held(ctx: CheckContext) -> Iterator[Finding]:
    """A session note for a session that did not happen (attendance set in review, or typed)."""
    attendance = ctx.draft.session.attendance
    if attendance not in NOT_HELD or ctx.fmt.id in (NO_SHOW_FORMAT, PRIVATE_FORMAT):
        return
    yield ctx.found(
        kinds.SESSION_NOT_HELD,
        f"The session did not happen ({ATTENDANCE_LABELS[attendance]}) but this is a {ctx.fmt.label}: "
        "switch it to the no-show note, or set attendance back to attended if it did happen.",
    )


def _attendance_missing(ctx: CheckContext) -> Iterator[Finding]:
    """A no-show note that does not say whether the session was a no-show, late-cancelled or cancelled."""
    if ctx.fmt.id != NO_SHOW_FORMAT or ctx.draft.session.attendance in NOT_HELD:
        return
    yield ctx.found(
        kinds.ATTENDANCE_MISSING,
        "Say whether the session happened: no-show, late cancellation or cancelled "
        '(dictate "no-show", or set it in review).',
    )


def _timeliness(ctx: CheckContext) -> Iterator[Finding]:
    age = ctx.options.age_hours
    if age is None:
        return
    state = timeliness(age)
    if state == "late":
        yield ctx.found(
            kinds.DOCUMENTATION_LATE,
            f"This draft was dictated {age:.0f} hours ago, past the {LATE_HOURS:.0f}-hour window for "
            "documentation; finalize it now (a late entry may need to say so).",
        )
    elif state == "due":
        yield ctx.found(
            kinds.DOCUMENTATION_DUE,
            f"{LATE_HOURS - age:.0f} hours left of the {LATE_HOURS:.0f}-hour window to finalize this note.",
        )


CHECKS: tuple[Check, ...] = (
    _timeliness,
    _field_empty,
    _session_facts,
    _vague_intervention,
    _no_client_response,
    _risk,
    _risk_unconfirmed,
    _measures,
    _duration,
    _wording,
    _unquoted_client_words,
    _process_in_record,
    _record_in_private,
    _private_unclosed,
    _placement_questioned,
    _copied_forward,
    _plan_goal_missing,
    _plan_review_due,
    _format_switched_no_show,
    _session_not_held,
    _attendance_missing,
)
# A psychotherapy note is the clinician's private process record: the record's
# checks (session facts, risk statement, wording) do not apply to it.
PRIVATE_CHECKS: tuple[Check, ...] = (_field_empty, _record_in_private)


def check_draft(draft: Draft, fmt: NoteFormat, options: CheckOptions | None = None) -> tuple[Finding, ...]:
    """Every finding of every check on ``draft``, in check order, but those its format leaves out
    (``FindingKind.not_in``: a no-show note gets no intervention, response or risk-statement nags)."""
    ctx = CheckContext(draft, fmt, check_vocabulary(), options or CheckOptions())
    checks = PRIVATE_CHECKS if fmt.id == PRIVATE_FORMAT else CHECKS
    silenced = {kind.code for kind in kinds.FINDING_KINDS if not kind.applies_in(fmt.id)}
    return tuple(f for check in checks for f in check(ctx) if f.code not in silenced)
