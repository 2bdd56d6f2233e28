"""The check stage: what a good note needs and this draft lacks, or has in the wrong place.

Reads a ``Draft`` (and its private companion) and returns ``Finding``s with a
stable code, a severity, a message a clinician understands and, where it helps,
the span of the words concerned. It never changes the draft: the clinician
decides. Vocabularies are data in ``templates/rules/checks.toml``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .core.config import shipped_dir
from .core.datafile import ListOf, Table, load_table
from .core.policy import LATE_HOURS, PRIVATE_FORMAT, timeliness
from .core.types import Draft, Finding, NoteFormat, Sentence, Severity

VOCABULARIES = (
    "techniques",
    "vague",
    "response",
    "risk",
    "risk_denial",
    "risk_response",
    "absolutes",
    "hedges",
    "process",
    "record",
)
# Score ranges of common scales (inclusive maxima; all start at 0).
SCALE_MAX = {
    "PHQ-9": 27, "PHQ-2": 6, "PHQ-A": 27, "GAD-7": 21, "GAD-2": 6, "PCL-5": 80, "AUDIT-C": 12,
    "DAST-10": 10, "CUDIT-R": 32, "BDI-II": 63, "EPDS": 30, "ISI": 28, "MoCA": 30, "GDS": 30,
    "Y-BOCS": 40, "SUDS": 100, "ASRS": 72, "YMRS": 60, "BAI": 63,
}  # fmt: skip
# Psychotherapy CPT codes and the session lengths they stand for (minutes).
CPT_BANDS = {"90832": (16, 37), "90834": (38, 52), "90837": (53, 10_000)}
PROGRESS_FORMATS = frozenset({"progress"})
COPY_RATIO = 0.9
_QUOTED = re.compile(r'"[^"]*"')
_REPORTED = re.compile(r"\b(?:says|said|states|stated|reports|reported|describes|described|told)\b", re.I)


@dataclass(frozen=True)
class CheckOptions:
    """What the checks may compare with.

    ``age_hours`` is how long the draft has waited since dictation (known once it
    is in the store); it drives the documentation-timeliness check.
    """

    previous: Draft | None = None
    age_hours: float | None = None


@dataclass(frozen=True)
class _Vocabulary:
    patterns: dict[str, re.Pattern[str]]

    def has(self, name: str, text: str) -> re.Match[str] | None:
        return self.patterns[name].search(text)


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    path = shipped_dir("templates") / "rules" / "checks.toml"
    raw = load_table(path, Table({name: ListOf(str) for name in VOCABULARIES}), what="rules file")
    patterns = {}
    for name in VOCABULARIES:
        phrases = sorted(raw.get(name, []), key=len, reverse=True)
        body = "|".join(r"[\s-]+".join(re.escape(w) for w in p.split()) for p in phrases) or "(?!)"
        # Acronyms match in capitals only ("SI", not "si"); phrases in any case.
        patterns[name] = re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.I)
    acronyms = [p for p in raw.get("risk", []) if p.isupper() and len(p) <= 3]
    patterns["risk_acronym"] = re.compile(rf"\b(?:{'|'.join(acronyms) or '(?!)'})\b")
    return _Vocabulary(patterns)


@dataclass(frozen=True)
class _Context:
    draft: Draft
    fmt: NoteFormat
    vocab: _Vocabulary
    options: CheckOptions

    def sentences(self) -> Iterator[tuple[str, Sentence]]:
        for field in self.draft.fields:
            for sentence in field.sentences:
                yield field.id, sentence


def _plain(text: str) -> str:
    """The clinician's own words: quotations removed."""
    return _QUOTED.sub(" ", text)


def _finding(
    code: str, severity: Severity, message: str, field: str | None, s: Sentence | None = None
) -> Finding:
    return Finding(code, field, severity, message, s.span if s is not None else None)


def _field_empty(ctx: _Context) -> Iterator[Finding]:
    for spec in ctx.fmt.fields:
        if spec.required and not ctx.draft.field(spec.id).sentences:
            hint = f" It should hold: {spec.description}" if spec.description else ""
            yield _finding("field-empty", "warning", f"{spec.label} is empty.{hint}", spec.id)


def _session_facts(ctx: _Context) -> Iterator[Finding]:
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
        severity: Severity = "warning" if ctx.fmt.id in PROGRESS_FORMATS else "info"
        yield _finding(
            "session-facts-missing",
            severity,
            f"Session facts not stated: {', '.join(missing)}. Say or fill them in before signing.",
            None,
        )


def _is_intervention(field_id: str, s: Sentence) -> bool:
    return s.role == "intervention" or "intervention" in field_id


def _vague_intervention(ctx: _Context) -> Iterator[Finding]:
    opener = re.compile(r"^(?:(?:I|we|therapist|clinician|writer)\s+)?(?:also\s+)?", re.I)
    client_subject = re.compile(
        r"^(?:the\s+)?(?:client|patient|she|he|they|mom|dad|parents?|members?|group)\b", re.I
    )
    for field_id, s in ctx.sentences():
        text = _plain(s.text)
        rest = text[opener.match(text).end() :]  # type: ignore[union-attr]
        starts_vague = ctx.vocab.patterns["vague"].match(rest) is not None
        in_intervention = _is_intervention(field_id, s) and not client_subject.match(text)
        if not (starts_vague or (in_intervention and ctx.vocab.has("vague", text))):
            continue
        if ctx.vocab.has("techniques", text):
            continue
        yield _finding(
            "vague-intervention",
            "warning",
            f'"{s.text[:60]}" says an intervention happened but not which. Name the technique '
            'and its target, e.g. "used cognitive restructuring on her belief that she will be fired".',
            field_id,
            s,
        )


def _no_client_response(ctx: _Context) -> Iterator[Finding]:
    interventions = [(f, s) for f, s in ctx.sentences() if _is_intervention(f, s)]
    if not interventions:
        return
    response_fields = [f for f in ctx.draft.fields if "response" in f.id or f.id == "evaluation"]
    if any(f.sentences for f in response_fields):
        return
    for _field_id, s in ctx.sentences():
        if s.role in {"client_response", "progress"} or ctx.vocab.has("response", s.text):
            return
    yield _finding(
        "no-client-response",
        "warning",
        "Interventions are documented but not how the client responded to them "
        '(e.g. "she identified two distortions and rated her anxiety lower").',
        interventions[0][0],
    )


def _risk(ctx: _Context) -> Iterator[Finding]:
    positive: list[tuple[str, Sentence]] = []
    mentioned = False
    addressed = False
    for field_id, s in ctx.sentences():
        text = _plain(s.text)
        risky = ctx.vocab.has("risk", text) and (
            ctx.vocab.has("risk_acronym", text) or not _acronym_only(ctx, text)
        )
        if risky:
            mentioned = True
            if not ctx.vocab.has("risk_denial", text):
                positive.append((field_id, s))
        if ctx.vocab.has("risk_response", text):
            # Words, not the classifier's guess: a finding must point at what was said.
            addressed = True
            mentioned = True
    for field_id, s in positive:
        if not addressed:
            yield _finding(
                "risk-unaddressed",
                "warning",
                f'Risk is mentioned ("{s.text[:60]}") without a documented risk assessment or '
                "safety action (risk level, safety plan, means restriction, crisis resources).",
                field_id,
                s,
            )
    if not mentioned:
        yield _finding(
            "no-risk-statement",
            "info",
            'No risk statement. If risk was assessed, say so (e.g. "denies SI/HI").',
            "risk" if "risk" in ctx.fmt.field_ids else None,
        )


def _acronym_only(ctx: _Context, text: str) -> bool:
    """Whether every risk word in ``text`` is a short acronym written in lower case."""
    return all(
        len(m.group()) <= 3 and not m.group().isupper() for m in ctx.vocab.patterns["risk"].finditer(text)
    )


def _measures(ctx: _Context) -> Iterator[Finding]:
    for m in ctx.draft.session.measures:
        top = SCALE_MAX.get(m.name)
        for value in (m.from_, m.to):
            if top is not None and value is not None and not 0 <= value <= top:
                yield _finding(
                    "measure-out-of-range",
                    "error",
                    f"{m.name} of {value} is impossible: scores run from 0 to {top}. Check the number.",
                    None,
                )
    item9 = re.compile(
        r"\b(?:item|question)\s+(?:9|nine)\b[^.]{0,40}?\b(?:[1-3]|one|two|three|positive|endorsed)\b",
        re.I,
    )
    for field_id, s in ctx.sentences():
        if item9.search(s.text) and not any(
            ctx.vocab.has("risk_response", t.text) for _, t in ctx.sentences()
        ):
            yield _finding(
                "phq9-item9-unaddressed",
                "warning",
                "PHQ-9 item 9 (thoughts of death or self-harm) is above zero but no risk "
                "assessment is documented.",
                field_id,
                s,
            )


def _duration(ctx: _Context) -> Iterator[Finding]:
    minutes = ctx.draft.session.duration_minutes
    if minutes is None:
        return
    for field_id, s in ctx.sentences():
        for code in re.findall(r"\b9083[247]\b", s.text):
            low, high = CPT_BANDS[code]
            if not low <= minutes <= high:
                band = f"{low}+" if high > 1000 else f"{low}-{high}"
                yield _finding(
                    "duration-inconsistent",
                    "warning",
                    f"{minutes} minutes does not fit {code}, which is for {band} minutes of psychotherapy.",
                    field_id,
                    s,
                )
    text = " ".join(s.text for _, s in ctx.sentences())
    if re.search(r"\b53\s*(?:\+|plus|or more)\s*minutes?\b", text, re.I) and minutes < 53:
        yield _finding(
            "duration-inconsistent",
            "warning",
            f"The session lasted {minutes} minutes but is documented as a 53+ minute service.",
            None,
        )


_WORDING = (
    ("absolutes", "absolute-language", "is an absolute; say what was observed or reported instead."),
    ("hedges", "hedge-language", "hedges; state the observation and your clinical judgement plainly."),
)


def _wording(ctx: _Context) -> Iterator[Finding]:
    for field_id, s in ctx.sentences():
        if '"' in s.text or _REPORTED.search(s.text):
            continue  # the client's words, not the clinician's
        for vocabulary, code, advice in _WORDING:
            if m := ctx.vocab.has(vocabulary, s.text):
                yield _finding(code, "info", f'"{m.group()}" {advice}', field_id, s)


def _unquoted_client_words(ctx: _Context) -> Iterator[Finding]:
    direct = re.compile(
        r"\b(?:client|patient|she|he|they|mom|dad)\s+(?:said|says|stated|states)[,:]?\s+(?!that\b)(?:I|I'm|I've|I'll|my|me)\b",
        re.I,
    )
    for field_id, s in ctx.sentences():
        if '"' not in s.text and direct.search(s.text):
            yield _finding(
                "unquoted-client-words",
                "info",
                "These look like the client's own words; put them in quotation marks "
                '(say "quote ... end quote" when dictating).',
                field_id,
                s,
            )


def _process_in_record(ctx: _Context) -> Iterator[Finding]:
    if ctx.fmt.id == PRIVATE_FORMAT:
        return
    for field_id, s in ctx.sentences():
        text = _plain(s.text)
        if ctx.vocab.has("process", text):
            yield _finding(
                "process-in-record",
                "warning",
                "This reads as process content (your reactions, transference, dynamics); it belongs "
                'in a psychotherapy note. Dictate it after "private note".',
                field_id,
                s,
            )


def _record_in_private(ctx: _Context) -> Iterator[Finding]:
    private = ctx.draft if ctx.fmt.id == PRIVATE_FORMAT else ctx.draft.private
    if private is None:
        return
    for field in private.fields:
        for s in field.sentences:
            if ctx.vocab.has("record", s.text):
                yield _finding(
                    "record-in-private",
                    "warning",
                    "This reads as clinical-record content (diagnosis, medication, times, modality, "
                    "symptoms, progress or plan); it belongs in the progress note.",
                    f"private:{field.id}",
                    s,
                )


def _copied_forward(ctx: _Context) -> Iterator[Finding]:
    previous = ctx.options.previous
    if previous is None:
        return
    before = {f.id: f.text for f in previous.fields}
    for field in ctx.draft.fields:
        old = before.get(field.id, "")
        if len(field.text) > 40 and old:
            ratio = difflib.SequenceMatcher(a=old.lower(), b=field.text.lower()).ratio()
            if ratio >= COPY_RATIO:
                yield _finding(
                    "copied-forward",
                    "warning",
                    f"{field.label} is {ratio:.0%} the same as in the previous note; "
                    "document what happened in this session.",
                    field.id,
                )


def _timeliness(ctx: _Context) -> Iterator[Finding]:
    age = ctx.options.age_hours
    if age is None:
        return
    state = timeliness(age)
    if state == "late":
        yield _finding(
            "documentation-late",
            "warning",
            f"This draft was dictated {age:.0f} hours ago, past the {LATE_HOURS:.0f}-hour window for "
            "documentation; finalize it now (a late entry may need to say so).",
            None,
        )
    elif state == "due":
        left = LATE_HOURS - age
        yield _finding(
            "documentation-due",
            "info",
            f"{left:.0f} hours left of the {LATE_HOURS:.0f}-hour window to finalize this note.",
            None,
        )


CHECKS: tuple[Callable[[_Context], Iterator[Finding]], ...] = (
    _timeliness,
    _field_empty,
    _session_facts,
    _vague_intervention,
    _no_client_response,
    _risk,
    _measures,
    _duration,
    _wording,
    _unquoted_client_words,
    _process_in_record,
    _record_in_private,
    _copied_forward,
)


# A psychotherapy note is the clinician's private process record: the record's
# checks (session facts, risk statement, wording) do not apply to it.
PRIVATE_CHECKS = (_field_empty, _record_in_private)


def check_draft(draft: Draft, fmt: NoteFormat, options: CheckOptions | None = None) -> tuple[Finding, ...]:
    """Every finding of every check on ``draft``, in check order."""
    ctx = _Context(draft, fmt, _vocabulary(), options or CheckOptions())
    checks = PRIVATE_CHECKS if fmt.id == PRIVATE_FORMAT else CHECKS
    return tuple(f for check in checks for f in check(ctx))


def finding_codes() -> dict[str, Any]:
    """The stable codes the checks can report (for documentation and tests)."""
    return {
        "field-empty": "a required field of the format is empty",
        "session-facts-missing": "date, duration, modality or service type not stated",
        "vague-intervention": "an intervention that names no technique",
        "no-client-response": "interventions without the client's response",
        "risk-unaddressed": "risk language without a risk assessment or safety action",
        "no-risk-statement": "no risk statement at all",
        "measure-out-of-range": "a scale score outside its range",
        "phq9-item9-unaddressed": "PHQ-9 item 9 above zero without a risk assessment",
        "duration-inconsistent": "session length does not fit the documented service",
        "absolute-language": "absolute words in the clinician's own words",
        "hedge-language": "hedges in the clinician's own words",
        "unquoted-client-words": "the client's own words without quotation marks",
        "process-in-record": "process content in the clinical record",
        "record-in-private": "record content in the psychotherapy note",
        "copied-forward": "a field nearly identical to the previous note's",
        "documentation-due": "a draft waiting 48 hours or more: the 72-hour window is closing",
        "documentation-late": "a draft not finalized within 72 hours of dictation",
    }
