"""The checks (``check.rules``) on hand-built drafts: examples that must fire, near-misses that must not.

Each draft is what the segmenter hands the checks for a dictation (fields, roles,
session facts), built with ``make_draft``, so no model runs here and a placement
change cannot break these tests. ``tests/integration/test_checks_from_text.py``
keeps the path from dictated text to findings covered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import NamedTuple

import pytest

from dictanote.check import CheckOptions, check_draft, finding_codes
from dictanote.check.findings import FINDING_KINDS
from dictanote.core.config import Config
from dictanote.core.formats import load_format
from dictanote.core.plans import Goal, PlanContent, TreatmentPlan
from dictanote.core.policy import PRIVATE_CUT_MARK
from dictanote.core.types import Draft, Finding, MeasureValue, Origin, Sentence, SessionInfo, UnclosedPrivate
from tests.util import make_draft, marked, segment_text


def said(text: str, role: str, origin: Origin = "spoken_header") -> Sentence:
    """A sentence as the segmenter placed it: under a spoken header unless told, with its role."""
    return Sentence(text, origin, 1.0, role=role)


# "Behavior. Fifty minute individual session by video on March 3rd. Client reports poor sleep.
#  Intervention. I used cognitive restructuring on her belief that she will be fired.
#  Response. She identified two distortions and rated her anxiety lower.
#  Plan. Continue weekly CBT. Denies SI and HI."
GOOD_BIRP: dict[str, list[Sentence]] = {
    "behavior": [
        said("Fifty minute individual session by video on March 3rd.", "session_facts"),
        said("Client reports poor sleep.", "client_report"),
    ],
    "intervention": [
        said("I used cognitive restructuring on her belief that she will be fired.", "intervention")
    ],
    "response": [said("She identified two distortions and rated her anxiety lower.", "intervention")],
    "plan": [said("Continue weekly CBT.", "plan"), said("Denies SI and HI.", "risk_report")],
}
GOOD_SESSION = SessionInfo(
    date="2026-03-03",
    duration_minutes=50,
    modality="telehealth",
    service_type="individual psychotherapy",
    risk=("Denies SI and HI.",),
)
WEEKLY = [said("Weekly.", "plan")]
# The client's treatment plan, as the store hands it to the checks (plan-goal-missing, plan-review-due).
PLAN = TreatmentPlan(
    "C1",
    1,
    "2026-11-01T10:00:00Z",
    "initial plan",
    "A. Lee",
    PlanContent(
        goals=(Goal("G1", "Sleep through the night"), Goal("G2", "Return to work")), review_date="2027-03-01"
    ),
)
PLANNED = SessionInfo(client_id="C1", date="2027-02-01")
# A session that did not happen (issue 15): "No-show, no call. Left a voicemail. Will send a letter."
NO_SHOW = [said("No-show, no call.", "observation", "inferred")]
VOICEMAIL = [said("Left a voicemail.", "intervention", "inferred")]
NOT_HELD = SessionInfo(client_id="C1", date="2026-11-30", attendance="no-show")


def linked(*goals: str) -> Sentence:
    """A progress sentence the clinician linked to plan goals on the review page."""
    return Sentence(
        "She slept through five nights of seven.", "spoken_header", 1.0, role="progress", goals=goals
    )


class Case(NamedTuple):
    """A draft as the checks see it (built inside the test, in the isolated directories)."""

    format_id: str
    fields: Mapping[str, Sequence[Sentence]]
    session: SessionInfo = SessionInfo()
    private: Mapping[str, Sequence[Sentence]] | None = None
    previous: Mapping[str, Sequence[Sentence]] | None = None
    age_hours: float | None = None
    unclosed: UnclosedPrivate | None = None
    plan: TreatmentPlan | None = None
    asked_format: str | None = None

    def draft(self) -> Draft:
        draft = make_draft(self.format_id, self.fields, session=self.session, private=self.private)
        return replace(draft, unclosed_private=self.unclosed)

    def findings(self, config: Config) -> tuple[Finding, ...]:
        previous = make_draft(self.format_id, self.previous) if self.previous is not None else None
        options = CheckOptions(
            previous=previous, age_hours=self.age_hours, plan=self.plan, asked_format=self.asked_format
        )
        return check_draft(self.draft(), load_format(self.format_id, config.paths), options)


def good_birp(
    changes: Mapping[str, Sequence[Sentence]] | None = None,
    *,
    previous: Mapping[str, Sequence[Sentence]] | None = None,
    age_hours: float | None = None,
) -> Case:
    """The good BIRP note, with some fields replaced, checked against a previous note or at an age."""
    return Case("birp", {**GOOD_BIRP, **(changes or {})}, GOOD_SESSION, None, previous, age_hours)


FIRES = [
    pytest.param(good_birp({"response": []}), "field-empty", id="field-empty"),
    pytest.param(
        good_birp({"intervention": [said("Discussed feelings.", "intervention")]}),
        "vague-intervention",
        id="vague-intervention-birp",
    ),
    pytest.param(
        Case(
            "soap",
            {
                "subjective": [said("Client was upset.", "session_facts")],
                "plan": [said("Provided support and processed feelings.", "intervention")],
            },
        ),
        "vague-intervention",
        id="vague-intervention-soap",
    ),
    pytest.param(
        Case(
            "birp",
            {
                "behavior": [said("Calm.", "observation")],
                "intervention": [said("I taught paced breathing.", "intervention")],
                "plan": WEEKLY,
            },
        ),
        "no-client-response",
        id="no-client-response",
    ),
    pytest.param(
        Case(
            "soap",
            {
                "subjective": [said("She reported thoughts of killing herself this week.", "risk_report")],
                "plan": [said("Weekly sessions.", "plan")],
            },
        ),
        "risk-unaddressed",
        id="risk-unaddressed",
    ),
    pytest.param(
        Case(
            "soap",
            {
                "subjective": [said("Feels better.", "risk_report")],
                "plan": [said("Weekly sessions.", "plan")],
            },
        ),
        "no-risk-statement",
        id="no-risk-statement",
    ),
    *(
        pytest.param(good_birp({"plan": [*WEEKLY, marked(text, "risk_report")]}), "risk-unconfirmed", id=name)
        for name, text in (
            ("risk-unconfirmed-garbled", "[Denysu iscital] thoughts."),  # no risk word left to see
            ("risk-unconfirmed-ideation", "[Deniesu a sital] ideation."),
            ("risk-unconfirmed-denial-unsure", "[Denies] SI and HI."),
            ("risk-unconfirmed-plan-unsure", "Passive SI, no [plan] or intent."),
            ("risk-unconfirmed-corrected", "{Denies} SI since starting sertraline."),
            ("risk-unconfirmed-near", "She denies [any] SI today."),
        )
    ),
    pytest.param(
        Case(
            "soap",
            {"objective": [said("PHQ-9 was 31 today.", "measure")], "plan": WEEKLY},
            SessionInfo(measures=(MeasureValue("PHQ-9", 31),)),
        ),
        "measure-out-of-range",
        id="measure-out-of-range",
    ),
    pytest.param(
        Case(
            "soap",
            {"objective": [said("PHQ-9 was 12, item 9 was 1.", "measure")], "plan": WEEKLY},
            SessionInfo(measures=(MeasureValue("PHQ-9", 12),)),
        ),
        "phq9-item9-unaddressed",
        id="phq9-item9-unaddressed",
    ),
    pytest.param(
        Case(
            "progress",
            {
                "session_focus": [
                    said("Twenty minute individual session by video, billed as 90837.", "session_facts")
                ],
                "plan": WEEKLY,
            },
            SessionInfo(duration_minutes=20, modality="telehealth", service_type="individual psychotherapy"),
        ),
        "duration-inconsistent",
        id="duration-inconsistent-cpt",
    ),
    pytest.param(
        Case(
            "progress",
            {
                "session_focus": [
                    said("Forty five minute session, documented as 53 plus minutes.", "session_facts")
                ],
                "plan": WEEKLY,
            },
            SessionInfo(duration_minutes=45),
        ),
        "duration-inconsistent",
        id="duration-inconsistent-53-plus",
    ),
    pytest.param(
        Case("soap", {"assessment": [said("She always catastrophizes.", "observation")], "plan": WEEKLY}),
        "absolute-language",
        id="absolute-language",
    ),
    pytest.param(
        Case("soap", {"assessment": [said("I think she is improving.", "assessment")], "plan": WEEKLY}),
        "hedge-language",
        id="hedge-language",
    ),
    pytest.param(
        Case(
            "soap",
            {
                "subjective": [said("Client said I just want to sleep all day.", "client_report")],
                "plan": WEEKLY,
            },
        ),
        "unquoted-client-words",
        id="unquoted-client-words",
    ),
    pytest.param(
        Case(
            "soap",
            {
                "assessment": [
                    said("Improving.", "assessment"),
                    said("I noticed my own countertransference when she cried.", "reflection"),
                ],
                "plan": WEEKLY,
            },
        ),
        "process-in-record",
        id="process-in-record",
    ),
    pytest.param(
        Case(
            "soap",
            {"plan": WEEKLY},
            private={
                "reflections": [
                    said(
                        "She is on sertraline 100 milligrams for major depressive disorder.",
                        "assessment",
                        "inferred",
                    )
                ]
            },
        ),
        "record-in-private",
        id="record-in-private",
    ),
    pytest.param(
        Case(
            "progress",
            {"session_focus": [said("Intake by phone.", "session_facts")]},
            SessionInfo(modality="phone", service_type="intake assessment"),
        ),
        "session-facts-missing",
        id="session-facts-missing",
    ),
    pytest.param(
        Case(
            "soap",
            {
                "assessment": [
                    Sentence("Lungs clear, heart regular.", "spoken_header", 0.02, role="observation")
                ]
            },
        ),
        "placement-questioned",
        id="placement-questioned",
    ),
    pytest.param(good_birp(previous=GOOD_BIRP), "copied-forward", id="copied-forward"),
    pytest.param(
        Case("progress", {"progress": [said("Slept better.", "progress")]}, PLANNED, plan=PLAN),
        "plan-goal-missing",
        id="plan-goal-missing",
    ),
    pytest.param(
        Case("soap", {"plan": WEEKLY}, replace(PLANNED, date="2027-03-02"), plan=PLAN),
        "plan-review-due",
        id="plan-review-due",
    ),
    pytest.param(
        Case(
            "soap",
            {"subjective": [said("Slept better.", "client_report")]},
            private={"reflections": [said("I felt tired.", "reflection"), said("Plan.", "plan")]},
            unclosed=UnclosedPrivate(2, ("plan",)),
        ),
        "private-unclosed",
        id="private-unclosed",
    ),
    pytest.param(
        Case("noshow", {"attendance": NO_SHOW}, NOT_HELD, asked_format="soap"),
        "format-switched-no-show",
        id="format-switched-no-show",
    ),
    pytest.param(Case("noshow", {"outreach": VOICEMAIL}), "attendance-missing", id="attendance-missing"),
    pytest.param(Case("soap", {"plan": VOICEMAIL}, NOT_HELD), "session-not-held", id="session-not-held"),
    pytest.param(good_birp(age_hours=50.0), "documentation-due", id="documentation-due"),
    pytest.param(good_birp(age_hours=73.0), "documentation-late", id="documentation-late"),
]


@pytest.mark.parametrize(("case", "code"), FIRES)
def test_rules_fire(config: Config, case: Case, code: str) -> None:
    assert code in {f.code for f in case.findings(config)}


@pytest.mark.parametrize(("case", "code"), FIRES)
def test_rules_findings_have_their_declared_severity(config: Config, case: Case, code: str) -> None:
    declared = {kind.code: kind for kind in FINDING_KINDS}
    for finding in case.findings(config):
        assert finding.severity == declared[finding.code].severity_in(case.format_id), finding.code


def test_rules_every_declared_code_has_a_case_that_fires() -> None:
    assert {param.values[1] for param in FIRES} == set(finding_codes())


@pytest.mark.parametrize(
    ("case", "code"),
    [
        pytest.param(
            Case(
                "soap",
                {"subjective": [said("Client denies SI/HI.", "risk_report")], "plan": WEEKLY},
                SessionInfo(risk=("Client denies SI/HI.",)),
            ),
            code,
            id=f"denial-{code}",
        )
        for code in ("risk-unaddressed", "no-risk-statement")
    ]
    + [
        pytest.param(
            Case(
                "soap",
                {
                    "subjective": [
                        said("Passive SI this week, no plan or intent; safety plan reviewed.", "risk_report")
                    ],
                    "plan": WEEKLY,
                },
                SessionInfo(risk=("Passive SI this week, no plan or intent; safety plan reviewed.",)),
            ),
            "risk-unaddressed",
            id="risk-with-safety-plan",
        ),
        pytest.param(
            Case(
                "soap",
                {"subjective": [said('She said "I never missed a dose."', "client_report")], "plan": WEEKLY},
            ),
            "absolute-language",
            id="absolute-quoted",
        ),
        pytest.param(
            Case(
                "soap",
                {"subjective": [said("She says she never misses a dose.", "client_report")], "plan": WEEKLY},
            ),
            "absolute-language",
            id="absolute-reported",
        ),
        pytest.param(
            Case(
                "soap",
                {
                    "objective": [
                        said("We discussed the CBT triangle using her own example.", "intervention")
                    ],
                    "plan": WEEKLY,
                },
            ),
            "vague-intervention",
            id="vague-but-names-a-technique",
        ),
        pytest.param(
            Case(
                "dap", {"data": [said("Client discussed stress at work.", "client_report")], "plan": WEEKLY}
            ),
            "vague-intervention",
            id="client-discussed",
        ),
        pytest.param(
            Case(
                "soap",
                {"objective": [said("PHQ-9 was 27 today.", "measure")], "plan": WEEKLY},
                SessionInfo(measures=(MeasureValue("PHQ-9", 27),)),
            ),
            "measure-out-of-range",
            id="measure-at-maximum",
        ),
        pytest.param(
            Case(
                "progress",
                {
                    "session_focus": [
                        said("Sixty minute individual session by video, billed as 90837.", "session_facts")
                    ]
                },
                SessionInfo(
                    duration_minutes=60, modality="telehealth", service_type="individual psychotherapy"
                ),
            ),
            "duration-inconsistent",
            id="duration-fits-cpt",
        ),
        pytest.param(
            Case(
                "soap",
                {
                    "subjective": [said('She said "I felt abandoned by my father."', "reflection")],
                    "plan": WEEKLY,
                },
            ),
            "process-in-record",
            id="process-words-quoted",
        ),
        pytest.param(
            Case(
                "soap",
                {
                    "subjective": [said('Client said "I just want to sleep all day."', "client_report")],
                    "plan": WEEKLY,
                },
            ),
            "unquoted-client-words",
            id="client-words-quoted",
        ),
        pytest.param(
            Case(
                "soap", {"subjective": [said("She said that I was helpful.", "reflection")], "plan": WEEKLY}
            ),
            "unquoted-client-words",
            id="reported-speech",
        ),
        pytest.param(
            Case(
                "soap",
                {"plan": WEEKLY},
                private={
                    "reflections": [
                        said("I felt protective of her, like with my sister.", "reflection", "inferred")
                    ]
                },
            ),
            "record-in-private",
            id="process-in-private",
        ),
        pytest.param(
            Case(
                "soap",
                {"plan": WEEKLY},
                private={"reflections": [said("I think I rushed her.", "reflection", "inferred")]},
            ),
            "hedge-language",
            id="hedge-in-private",
        ),
        pytest.param(
            Case(
                "soap",
                {
                    "objective": [said("PHQ-9 was 12, item 9 was 1.", "measure")],
                    "assessment": [said("Passive thoughts, no plan or intent, low risk.", "risk_assessment")],
                    "plan": [said("Safety plan reviewed.", "safety_action")],
                },
                SessionInfo(measures=(MeasureValue("PHQ-9", 12),), risk=("Safety plan reviewed.",)),
            ),
            "phq9-item9-unaddressed",
            id="item9-with-risk-assessment",
        ),
        pytest.param(
            Case(
                "progress",
                {
                    "session_focus": [
                        said("Fifty minute individual session by video on March 3rd.", "session_facts")
                    ]
                },
                SessionInfo(
                    date="2026-03-03",
                    duration_minutes=50,
                    modality="telehealth",
                    service_type="individual psychotherapy",
                ),
            ),
            "session-facts-missing",
            id="session-facts-stated",
        ),
        pytest.param(
            Case(
                "birp",
                {
                    "behavior": [said("Calm.", "observation")],
                    "intervention": [said("I taught paced breathing.", "intervention")],
                    "response": [said("She practiced it twice.", "client_response")],
                },
            ),
            "no-client-response",
            id="response-given",
        ),
        pytest.param(good_birp(), "field-empty", id="good-birp"),
        *(
            pytest.param(good_birp({"plan": [*WEEKLY, marked(text, "plan")]}), "risk-unconfirmed", id=name)
            for name, text in (
                ("risk-heard-surely", "Denies SI and HI."),
                ("unsure-words-of-no-risk", "Continue [circling] fifty milligrams daily."),
                ("unsure-denial-of-no-risk", "[Denies] nausea on the new dose."),
                ("lower-case-hi", "She said [hi] to her brother."),
                ("sounds-alike-only", "Sleep latency [down to 30] minutes."),
                # a risk statement unsure only of words far from what it says about risk
                ("far-from-the-risk-words", "Denies SI since starting {sertraline} in [March]."),
                ("far-before-the-risk-words", "On [Tuesday] after the group session she denied SI."),
            )
        ),
        pytest.param(good_birp(age_hours=72.0), "documentation-late", id="exactly-72-hours"),
        pytest.param(
            Case("soap", {"plan": WEEKLY}, unclosed=UnclosedPrivate(0)),
            "private-unclosed",
            id="private-note-with-nothing-after-it",
        ),
        *(
            pytest.param(
                Case(
                    "soap", {"assessment": [Sentence("Lungs clear.", origin, confidence, role="observation")]}
                ),
                "placement-questioned",
                id=name,
            )
            # the segmenter did not question it, or placed it by content (its own uncertainty)
            for name, origin, confidence in (
                ("pinned-and-confident", "spoken_header", 1.0),
                ("inferred-and-unsure", "inferred", 0.3),
            )
        ),
        pytest.param(
            # questioned under Assessment, then moved in review to the field its content reads like
            Case(
                "soap", {"objective": [Sentence("Lungs clear.", "spoken_header", 0.02, role="observation")]}
            ),
            "placement-questioned",
            id="moved-where-it-reads",
        ),
    ],
)
def test_rules_near_misses_stay_quiet(config: Config, case: Case, code: str) -> None:
    assert code not in {f.code for f in case.findings(config)}


def test_rules_good_note_has_no_warnings(config: Config) -> None:
    assert [f for f in good_birp().findings(config) if f.severity != "info"] == []


@pytest.mark.parametrize(
    ("format_id", "severity"),
    [("progress", "warning"), ("soap", "info"), ("birp", "info")],
)
def test_rules_session_facts_matter_most_in_a_progress_note(
    config: Config, format_id: str, severity: str
) -> None:
    found = Case(format_id, {}).findings(config)
    assert [f.severity for f in found if f.code == "session-facts-missing"] == [severity]


def test_rules_copied_forward(config: Config) -> None:
    def copied(fields: Mapping[str, Sequence[Sentence]]) -> set[str | None]:
        case = Case("birp", fields, GOOD_SESSION, previous=GOOD_BIRP)
        return {f.field for f in case.findings(config) if f.code == "copied-forward"}

    assert copied(GOOD_BIRP) == {"behavior", "intervention", "response"}
    fresh = {
        **GOOD_BIRP,
        "behavior": [
            GOOD_BIRP["behavior"][0],
            said("Slept seven hours most nights and went back to the gym twice.", "client_report"),
        ],
    }
    assert "behavior" not in copied(fresh)


def test_rules_findings_carry_spans_and_known_codes(config: Config) -> None:
    risky = Sentence(
        "She reported thoughts of killing herself this week.", "spoken_header", 1.0, (12, 63), "risk_report"
    )
    found = Case("soap", {"subjective": [risky], "plan": [said("Weekly sessions.", "plan")]}).findings(config)
    risk = next(f for f in found if f.code == "risk-unaddressed")
    assert risk.span == (12, 63)
    assert {f.code for f in found} <= set(finding_codes())


def test_rules_never_change_the_draft(config: Config) -> None:
    case = good_birp({"intervention": [said("Discussed feelings.", "intervention")], "response": []})
    draft = case.draft()
    fmt = load_format("birp", config.paths)
    first = check_draft(draft, fmt)
    assert first and check_draft(draft, fmt) == first
    assert draft == case.draft()


@pytest.mark.parametrize(
    ("hours", "code", "severity"),
    [
        (1.0, None, None),
        (47.9, None, None),
        (48.0, "documentation-due", "info"),
        (50.0, "documentation-due", "info"),
        (71.9, "documentation-due", "info"),
        (72.0, "documentation-due", "info"),  # late only past 72 hours (core.policy)
        (72.1, "documentation-late", "warning"),
        (73.0, "documentation-late", "warning"),
        (200.0, "documentation-late", "warning"),
    ],
)
def test_rules_timeliness_against_the_72_hour_window(
    config: Config, hours: float, code: str | None, severity: str | None
) -> None:
    found = [
        (f.code, f.severity)
        for f in good_birp(age_hours=hours).findings(config)
        if f.code.startswith("documentation-")
    ]
    assert found == ([(code, severity)] if code else [])


def test_rules_private_unclosed_says_how_many_and_which_headers(config: Config) -> None:
    """Counts and header names only: the finding travels with the clinical record."""
    draft = replace(
        make_draft("soap", {"subjective": ["Slept better."]}, private={"reflections": ["I felt tired."]}),
        transcript="Subjective. Slept better. " + PRIVATE_CUT_MARK,
        unclosed_private=UnclosedPrivate(5, ("assessment", "plan")),
    )
    found = [f for f in check_draft(draft, load_format("soap", config.paths)) if f.code == "private-unclosed"]
    assert len(found) == 1 and found[0].severity == "warning" and found[0].field is None
    message = found[0].message
    assert "5 sentences" in message and "Assessment, Plan" in message and "end private note" in message
    assert "tired" not in message
    assert found[0].span is not None
    assert draft.transcript[found[0].span[0] : found[0].span[1]] == PRIVATE_CUT_MARK


def test_rules_risk_unconfirmed_names_the_field_never_the_words(config: Config) -> None:
    risky = marked("[Deniesu a sital] ideation.", "risk_report", span=(40, 66))
    found = good_birp({"plan": [*WEEKLY, risky]}).findings(config)
    (finding,) = [f for f in found if f.code == "risk-unconfirmed"]
    assert (finding.field, finding.severity, finding.span) == ("plan", "error", (40, 66))
    assert "Plan" in finding.message and "unsure of" in finding.message
    assert not {"Deniesu", "sital", "ideation"} & set(finding.message.replace(".", " ").split())


# Issue 14: the clinician's own reaction, said in the first person, is process content (rows ours).
@pytest.mark.parametrize(
    ("text", "fires"),
    [
        pytest.param("I catch myself wanting to rescue her when she cries.", True, id="catch-myself"),
        pytest.param("I caught myself hurrying him toward an answer.", True, id="caught-myself"),
        pytest.param("It left me feeling drained and a bit useless.", True, id="left-me-feeling"),
        pytest.param("I felt protective and a bit parental with him.", True, id="felt-parental"),
        pytest.param("I was a little irritated when he changed the subject again.", True, id="irritated"),
        pytest.param("I'm aware of wanting to fix this for her.", True, id="wanting-to-fix"),
        pytest.param("I got really bored during the second half.", True, id="got-bored"),
        pytest.param("I had the urge to end the session early.", True, id="urge"),
        pytest.param("Part of me wanted to take her side against her sister.", True, id="part-of-me"),
        pytest.param("I've been a bit guarded with him since the complaint.", True, id="guarded"),
        pytest.param("I liked her from the first session, which I should watch.", True, id="liked"),
        pytest.param("I reviewed the safety plan with her and she agreed to call.", False, id="did"),
        pytest.param("I am concerned about his drinking on weekends.", False, id="concerned"),
        pytest.param("I will see her again in two weeks.", False, id="will-see"),
        pytest.param("I would be reluctant to change the dose now.", False, id="reluctant"),
        pytest.param("I think the anxiety is improving with exposure work.", False, id="think"),
        pytest.param("She catches herself before snapping at the kids now.", False, id="client-catches"),
        pytest.param('She said "I catch myself crying at work."', False, id="quoted"),
        pytest.param("He was irritated that the bus was late.", False, id="client-irritated"),
    ],
)
def test_rules_process_in_record_catches_the_clinicians_reaction(
    config: Config, text: str, fires: bool
) -> None:
    found = Case("soap", {"assessment": [said(text, "assessment")], "plan": WEEKLY}).findings(config)
    assert ("process-in-record" in {f.code for f in found}) is fires


# Issue 14: a risk judgement is itself the documented assessment (rows ours).
KILLING = "She reported thoughts of killing herself."


@pytest.mark.parametrize(
    ("sentences", "fires"),
    [
        pytest.param(["His risk of self-harm remains moderate."], False, id="risk-of-remains"),
        pytest.param(["Passive SI this week.", "Risk level: low."], False, id="risk-level"),
        pytest.param(["She has thoughts of death most nights.", "Low risk."], False, id="low-risk"),
        pytest.param(["Passive SI.", "Risk remains elevated."], False, id="remains-elevated"),
        pytest.param([KILLING, "No acute risk."], False, id="no-acute-risk"),
        pytest.param(["No acute risk of self-harm."], False, id="no-acute-risk-of-self-harm"),
        pytest.param(["Her risk for suicide is elevated after the loss."], False, id="risk-for-is"),
        pytest.param(["He is at elevated risk of suicide after the attempt."], False, id="at-elevated"),
        pytest.param(["Passive SI.", "Suicide risk judged low to moderate."], False, id="judged"),
        pytest.param(["Passive SI.", "Level of risk: moderate."], False, id="level-of-risk"),
        pytest.param([KILLING], True, id="no-judgement"),
        pytest.param([KILLING, "Risk of relapse remains high."], True, id="other-risk"),
        pytest.param([KILLING, "At risk of losing her job."], True, id="job"),
    ],
)
def test_rules_risk_judgement_addresses_risk(config: Config, sentences: list[str], fires: bool) -> None:
    found = Case(
        "soap", {"assessment": [said(t, "risk_assessment") for t in sentences], "plan": WEEKLY}
    ).findings(config)
    assert ("risk-unaddressed" in {f.code for f in found}) is fires


def test_rules_empty_risk_field_says_where_the_risk_statement_is(config: Config) -> None:
    endorsed = said("Client endorsed passive suicidal ideation without plan or intent.", "client_report")
    found = Case("progress", {"session_focus": [endorsed], "plan": WEEKLY}).findings(config)
    (empty,) = [f for f in found if f.code == "field-empty" and f.field == "risk"]
    assert "Session focus" in empty.message and "Client endorsed passive suicidal" in empty.message
    assert "is empty" in empty.message
    sleep = said("Reviewed sleep log.", "client_report")
    quiet = Case("progress", {"session_focus": [sleep]}).findings(config)
    (plain,) = [f for f in quiet if f.code == "field-empty" and f.field == "risk"]
    assert "Session focus" not in plain.message


# Issue 14: a spoken header is the clinician's decision; content only questions it (rows ours).
@pytest.mark.parametrize(
    ("role", "suggested"),
    [
        ("observation", "reads like Objective"),
        ("session_facts", "reads like Objective"),
        (None, "another field"),
    ],
)
def test_rules_placement_questioned_names_the_field_the_content_suggests(
    config: Config, role: str | None, suggested: str
) -> None:
    sentence = Sentence(
        "Alert and oriented, speech of normal rate and volume, affect bright.",
        "spoken_header",
        0.01,
        role=role,
    )
    case = Case("soap", {"assessment": [sentence], "plan": WEEKLY})
    [finding] = [f for f in case.findings(config) if f.code == "placement-questioned"]
    assert (finding.field, finding.severity) == ("assessment", "info")
    assert finding.message.startswith(
        '"Alert and oriented, speech of normal …" was dictated under Assessment'
    )
    assert suggested in finding.message


def test_rules_placement_questioned_from_dictated_text(config: Config) -> None:
    """Through the real segmenter: exam findings said after "Assessment." stay there and are questioned."""
    text = (
        "Subjective. Mood is better. Assessment. Major depression, improving. "
        "Alert and oriented, speech of normal rate and volume, affect bright. "
        "Blood pressure 128 over 82, pulse 76, lungs clear to auscultation bilaterally. Plan. Weekly CBT."
    )
    fmt = load_format("soap", config.paths)
    draft = segment_text(text)
    questioned = [f for f in check_draft(draft, fmt) if f.code == "placement-questioned"]
    assert [f.field for f in questioned] == ["assessment", "assessment"]
    assert all("reads like Objective" in f.message for f in questioned)
    assert draft.field("objective").sentences == ()


@pytest.mark.parametrize(
    "text",
    [
        "Plan. Return to clinic in two weeks. Assessment. Lungs clear, heart regular, abdomen soft.",
        "Assessment. She appeared anxious and tearful, with good eye contact. Plan. Weekly CBT.",
    ],
)
def test_rules_placement_questioned_first_sentence_after_a_header(config: Config, text: str) -> None:
    """Exam findings right after "Assessment." stay there and are questioned on their content alone."""
    fmt = load_format("soap", config.paths)
    draft = segment_text(text)
    questioned = [f for f in check_draft(draft, fmt) if f.code == "placement-questioned"]
    assert [f.field for f in questioned] == ["assessment"]
    assert draft.field("objective").sentences == ()


# --- the client's treatment plan (plan-goal-missing, plan-review-due) --------------------------


@pytest.mark.parametrize(
    ("format_id", "fields", "plan", "fires"),
    [
        ("progress", {"progress": [said("Slept better.", "progress")]}, PLAN, True),
        ("progress", {}, PLAN, True),
        ("girp", {"goal": [said("Work on sleep.", "goal")]}, PLAN, True),
        ("progress", {"progress": [linked("G9")]}, PLAN, True),  # only an id the plan does not have
        ("progress", {"progress": [linked("G1")]}, PLAN, False),
        (
            "progress",
            {"session_focus": [said("Sleep.", "session_facts")], "plan": [linked("g2")]},
            PLAN,
            False,
        ),
        ("girp", {"goal": [linked("G9", "G2")]}, PLAN, False),
        (
            "progress",
            {"progress": [said("Slept better.", "progress")]},
            None,
            False,
        ),  # no plan: not its business
        ("soap", {"assessment": [said("Slept better.", "progress")]}, PLAN, False),
        ("birp", {"response": [said("Slept better.", "progress")]}, PLAN, False),
    ],
)
def test_rules_plan_goal_missing(
    config: Config,
    format_id: str,
    fields: Mapping[str, Sequence[Sentence]],
    plan: TreatmentPlan | None,
    fires: bool,
) -> None:
    draft = make_draft(format_id, fields, session=PLANNED)
    found = check_draft(draft, load_format(format_id, config.paths), CheckOptions(plan=plan))
    missing = [f for f in found if f.code == "plan-goal-missing"]
    assert len(missing) == (1 if fires else 0)
    if fires:
        assert missing[0].severity == "warning" and "review page" in missing[0].message


@pytest.mark.parametrize(
    ("format_id", "date", "plan", "fires"),
    [
        ("soap", "2027-03-02", PLAN, True),
        ("progress", "2027-04-15", PLAN, True),
        ("psychotherapy", "2027-04-15", PLAN, False),  # the private note: the record's checks do not apply
        ("noshow", "2027-04-15", PLAN, False),
        ("soap", "2027-03-01", PLAN, False),  # the review date itself is not past
        ("soap", None, PLAN, False),  # no date of service: not reported
        ("soap", "2027-04-15", replace(PLAN, content=replace(PLAN.content, review_date=None)), False),
        ("soap", "2027-04-15", None, False),
    ],
)
def test_rules_plan_review_due(
    config: Config, format_id: str, date: str | None, plan: TreatmentPlan | None, fires: bool
) -> None:
    draft = make_draft(format_id, {}, session=replace(PLANNED, date=date))
    found = check_draft(draft, load_format(format_id, config.paths), CheckOptions(plan=plan))
    due = [f for f in found if f.code == "plan-review-due"]
    assert len(due) == (1 if fires else 0)
    if fires:
        assert due[0].severity == "warning"
        assert "2027-03-01" in due[0].message and "`dictanote plans edit C1`" in due[0].message


# issue 15: a no-show note documents a session that did not happen. The nags of a session's note
# (interventions and the client's response, a risk statement, session facts and length) stay quiet;
# the same sentences in a SOAP note get them. Risk actually mentioned is still reported.
NAGS = {
    "vague-intervention",
    "no-client-response",
    "no-risk-statement",
    "session-facts-missing",
    "duration-inconsistent",
}
SUPPORT = [said("Provided support and processed feelings.", "intervention"), said("Billed 90837.", "plan")]


def test_rules_no_show_note_is_not_nagged_like_a_session(config: Config) -> None:
    session = replace(NOT_HELD, duration_minutes=10)
    noshow = Case("noshow", {"attendance": NO_SHOW, "outreach": SUPPORT, "plan": WEEKLY}, session)
    soap = Case("soap", {"subjective": NO_SHOW, "plan": SUPPORT}, replace(session, attendance=None))
    assert {f.code for f in noshow.findings(config)}.isdisjoint(NAGS)
    assert {f.code for f in soap.findings(config)} >= NAGS
    risky = Case(
        "noshow", {"attendance": NO_SHOW, "outreach": [said("She mentioned suicide.", "risk_report")]}
    )
    assert "risk-unaddressed" in {f.code for f in risky.findings(config)}


@pytest.mark.parametrize(
    ("case", "codes"),
    [
        (Case("noshow", {"attendance": NO_SHOW}, NOT_HELD, asked_format="soap"), {"format-switched-no-show"}),
        (Case("noshow", {"attendance": NO_SHOW}, NOT_HELD), set()),  # drafted as asked
        (Case("noshow", {"attendance": NO_SHOW}, NOT_HELD, asked_format="noshow"), set()),
        (Case("noshow", {"outreach": VOICEMAIL}), {"attendance-missing"}),
        (
            Case("noshow", {"outreach": VOICEMAIL}, replace(NOT_HELD, attendance="attended")),
            {"attendance-missing"},
        ),
        (Case("noshow", {"outreach": VOICEMAIL}, replace(NOT_HELD, attendance="late-cancel")), set()),
        (Case("soap", {"plan": WEEKLY}), set()),  # only a no-show note must say what happened
        (Case("soap", {"plan": WEEKLY}, NOT_HELD), {"session-not-held"}),  # set to no-show in review
        (Case("progress", {"plan": WEEKLY}, replace(NOT_HELD, attendance="cancelled")), {"session-not-held"}),
        (Case("soap", {"plan": WEEKLY}, replace(NOT_HELD, attendance="attended")), set()),
    ],
)
def test_rules_no_show_switch_and_attendance_missing(config: Config, case: Case, codes: set[str]) -> None:
    about = {"format-switched-no-show", "attendance-missing", "session-not-held"}
    found = [f for f in case.findings(config) if f.code in about]
    assert {f.code for f in found} == codes
    for f in found:
        if f.code == "format-switched-no-show":
            assert "'soap'" in f.message and "no-show" in f.message and f.severity == "info"
        elif f.code == "session-not-held":
            assert "did not happen" in f.message and "switch it to the no-show note" in f.message
            assert f.severity == "error"
        else:
            assert "no-show, late cancellation or cancelled" in f.message and f.severity == "warning"
