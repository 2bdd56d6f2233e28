"""Spoken-header segmentation: tables of how clinicians and Whisper say headers."""

from __future__ import annotations

import pytest

from dictanote.core.config import Config
from dictanote.core.formats import load_format
from dictanote.segment import match_header, segment_transcript, split_sentences
from dictanote.segment.rules import segmenter_rules


def _header(sentence: str, fmt):  # type: ignore[no-untyped-def]
    return match_header(sentence, fmt, segmenter_rules()[0])


@pytest.mark.parametrize(
    ("format_id", "sentence", "field", "rest"),
    [
        ("soap", "Subjective.", "subjective", ""),
        ("soap", "SUBJECTIVE:", "subjective", ""),
        (
            "soap",
            "Subjective: client reports poor sleep.",
            "subjective",
            "Client reports poor sleep.",
        ),
        ("soap", "Okay, objective.", "objective", ""),
        ("soap", "Um, so, assessment,", "assessment", ""),
        ("soap", "For the plan, continue weekly CBT.", "plan", "Continue weekly CBT."),
        ("soap", "Moving on to assessment.", "assessment", ""),
        ("soap", "Next, plan.", "plan", ""),
        ("soap", "Okay, back to the plan.", "plan", ""),
        ("soap", "S.", "subjective", ""),
        ("soap", "Treatment plan: titrate sertraline.", "plan", "Titrate sertraline."),
        ("dap", "D: client arrived on time.", "data", "Client arrived on time."),
        ("birp", "Behaviour.", "behavior", ""),
        ("birp", "Client response, engaged well.", "response", "Engaged well."),
        ("girp", "Goals.", "goal", ""),
        ("progress", "Risk assessment.", "risk", ""),
        ("progress", "Okay, session focus.", "session_focus", ""),
        ("psychotherapy", "Process observations.", "process_observations", ""),
    ],
)
def test_segment_header_matches(config: Config, format_id: str, sentence: str, field: str, rest: str) -> None:
    match = _header(sentence, load_format(format_id, config.paths))
    assert match is not None
    assert (match.field_id, match.rest) == (field, rest)


@pytest.mark.parametrize(
    ("format_id", "sentence"),
    [
        ("soap", "Plan to continue CBT weekly."),
        ("soap", "Subjectively she feels better."),
        ("soap", "The assessment of risk was completed."),
        ("soap", "A good week overall."),
        ("soap", "So the client reports sleeping well."),
        ("birp", "Response to exposure was strong."),
        ("dap", "Data from the PHQ-9 shows improvement."),
    ],
)
def test_segment_content_is_not_a_header(config: Config, format_id: str, sentence: str) -> None:
    assert _header(sentence, load_format(format_id, config.paths)) is None


def test_segment_headed_dictation_fills_each_field(config: Config) -> None:
    text = (
        "Subjective. Client reports two panic attacks this week. She slept better. "
        "Objective. Fifty minute session in person, affect anxious. "
        "Assessment: panic disorder, improving. "
        "Okay, for the plan, continue interoceptive exposure. Next session in one week."
    )
    draft = segment_transcript(text, load_format("soap", config.paths))
    assert draft.field("subjective").text == "Client reports two panic attacks this week. She slept better."
    assert draft.field("objective").text == "Fifty minute session in person, affect anxious."
    assert draft.field("assessment").text == "Panic disorder, improving."
    assert draft.field("plan").text == "Continue interoceptive exposure. Next session in one week."
    assert all(s.origin == "spoken_header" for f in draft.fields for s in f.sentences)


def test_segment_every_sentence_exactly_once(config: Config) -> None:
    text = (
        "Client was late. Plan. Call the pharmacy. Subjective. Feels flat. "
        "Back to the plan. Review the safety plan."
    )
    draft = segment_transcript(text, load_format("soap", config.paths))
    placed = [s.text for f in draft.fields for s in f.sentences]
    assert sorted(placed) == sorted(
        ["Client was late.", "Call the pharmacy.", "Feels flat.", "Review the safety plan."]
    )
    assert draft.field("plan").text == "Call the pharmacy. Review the safety plan."
    origins = {s.text: s.origin for f in draft.fields for s in f.sentences}
    assert origins["Client was late."] == "inferred"
    assert origins["Feels flat."] == "spoken_header"


def test_segment_empty_text_gives_every_field_empty(config: Config) -> None:
    fmt = load_format("birp", config.paths)
    draft = segment_transcript("   ", fmt)
    assert [f.id for f in draft.fields] == list(fmt.field_ids)
    assert all(f.text == "" for f in draft.fields)


def test_segment_split_sentences_normalizes_whitespace() -> None:
    assert split_sentences("One here.\n\n  Two  there. ") == ["One here.", "Two there."]


# --- the full segmenter: commands, headers as Whisper writes them, placement ----------

from dictanote.core.types import Draft  # noqa: E402
from dictanote.core.vocabulary import load_vocabulary  # noqa: E402
from dictanote.evaluate import score_placement  # noqa: E402
from dictanote.segment import SegmentOptions  # noqa: E402
from dictanote.segment.headers import split_inline_headers  # noqa: E402
from dictanote.segment.normalize import build_normalizer  # noqa: E402
from dictanote.segment.rules import clinical_rules  # noqa: E402


def _segment(config: Config, text: str, format_id: str = "soap") -> Draft:
    options = SegmentOptions(
        replacements=load_vocabulary(config.paths).replacements,
        private_format=load_format("psychotherapy", config.paths),
    )
    return segment_transcript(text, load_format(format_id, config.paths), options)


def _fields(draft: Draft) -> dict[str, str]:
    return {f.id: f.text for f in draft.fields}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Increase to fifty milligrams. Scratch that. Increase to forty milligrams.",
            "Increase to forty milligrams.",
        ),
        ("Increase to 50 milligrams, scratch that, 40 milligrams.", "40 milligrams."),
        ("Note. Strike that. Stable.", "Stable."),
        ("call the school. Scratch that. Call her mother.", "Call her mother."),
        (
            "Call the school. New paragraph. Review meds next week.",
            "Call the school.\n\nReview meds next week.",
        ),
        ("She said quote, I can't sleep, end quote.", 'She said "I can\'t sleep."'),
        ("He said quote. I hate it. It's awful. End quote.", 'He said "I hate it. It\'s awful."'),
        (
            "She called it quote the worst week ever unquote and cried.",
            'She called it "the worst week ever" and cried.',
        ),
        ("Mood better period she slept well period", "Mood better. She slept well."),
        ("Anxious comma tearful comma engaged.", "Anxious, tearful, engaged."),
        ("Over a two-week period she improved.", "Over a two-week period she improved."),
        ("Told him to scratch that itch.", "Told him to scratch that itch."),
        ("Call the school. Oh scratch that. Call her mother.", "Call her mother."),
        ("She keeps a journal and private note cards.", "She keeps a journal and private note cards."),
        # Whisper's unpunctuated run-on: the capital letter is the only sign of the command
        (
            "We talked about a plan for the weekend He agreed to quit caffeine completely "
            "Scratch that he said he would cut back to one cup a day",
            "We talked about a plan for the weekend. He said he would cut back to one cup a day.",
        ),
        ("Denies S I and H I. PHQ nine was fourteen.", "Denies SI and HI. PHQ-9 was fourteen."),
    ],
)
def test_segment_voice_commands(config: Config, text: str, expected: str) -> None:
    """Commands on a one-field format, so that placement cannot blur what they did."""
    folder = config.paths.config_dir / "formats"
    folder.mkdir(parents=True)
    (folder / "memo.toml").write_text(
        'id = "memo"\nlabel = "Memo"\n[[fields]]\nid = "body"\nlabel = "Body"\ncues = ["note"]\n'
    )
    assert _fields(_segment(config, text, "memo"))["body"] == expected


def test_segment_private_note_goes_to_companion(config: Config) -> None:
    text = (
        "Data. Client arrived on time and discussed her move. Private note. I felt protective of her "
        "and noticed I was rushing. End private note. Plan. Meet next week."
    )
    draft = _segment(config, text, "dap")
    assert "protective" not in " ".join(f.text for f in draft.fields)
    assert draft.private is not None
    assert draft.private.format == "psychotherapy"
    assert "I felt protective of her and noticed I was rushing." in draft.private.field("reflections").text
    assert draft.field("plan").text == "Meet next week."


@pytest.mark.parametrize(
    "switch",
    ["And private note.", "Okay, so, private note,", "Um private note.", "Now, psychotherapy note."],
)
def test_segment_private_switch_after_fillers_keeps_reflections_out_of_the_record(
    config: Config, switch: str
) -> None:
    text = f"Data. She talked about her move. {switch} I felt impatient with her today. End private note."
    draft = _segment(config, text, "dap")
    assert "impatient" not in " ".join(f.text for f in draft.fields)
    assert draft.private is not None
    assert draft.private.field("reflections").text == "I felt impatient with her today."


def test_segment_private_note_with_its_own_headers(config: Config) -> None:
    text = "Plan. Weekly. Private note. Questions. Is the anger covering grief? End private note."
    draft = _segment(config, text)
    assert draft.private is not None
    assert draft.private.field("questions").text == "Is the anger covering grief?"


def test_segment_no_private_note_means_null(config: Config) -> None:
    assert _segment(config, "Plan. Weekly sessions.").private is None


@pytest.mark.parametrize(
    ("format_id", "text", "expected"),
    [
        (
            "dap",
            "He is willing to try a smaller meeting, assessment, alcohol use disorder.",
            ["He is willing to try a smaller meeting,", "assessment, alcohol use disorder."],
        ),
        (
            "progress",
            "her stuck points about blame interventions Reviewed her worksheet",
            ["her stuck points about blame", "interventions Reviewed her worksheet"],
        ),
        (
            "progress",
            "Overall risk is low plan Continue weekly therapy",
            ["Overall risk is low", "plan Continue weekly therapy"],
        ),
        (
            "soap",
            "We reviewed her safety plan Tuesday and the plan I made.",
            ["We reviewed her safety plan Tuesday and the plan I made."],
        ),
        (
            "soap",
            "He is doing well, okay, plan, continue.",
            ["He is doing well,", "okay, plan, continue."],
        ),
        ("soap", "He wants a plan for the weekend.", ["He wants a plan for the weekend."]),
    ],
)
def test_segment_inline_headers(config: Config, format_id: str, text: str, expected: list[str]) -> None:
    fmt = load_format(format_id, config.paths)
    assert split_inline_headers(text, fmt, segmenter_rules()[0]) == expected


@pytest.mark.parametrize(
    ("format_id", "sentence", "field"),
    [
        ("soap", "Climb.", "plan"),
        ("dap", "Back to data for a second,", "data"),
        ("progress", "Oh wait, back to session focus,", "session_focus"),
        ("soap", "On exam,", "objective"),
        ("progress", "Risk She denies suicidal ideation.", "risk"),
        ("girp", "Goal for this session,", "goal"),
        ("girp", "Go for this session.", "goal"),  # tiny.en's "Goal" on synthetic speech
        ("soap", "Plan for today:", "plan"),
        ("progress", "Group dynamics in factors.", "client_response"),  # "and" heard as "in"
        ("progress", "Statement on medical necessity.", "progress"),
    ],
)
def test_segment_header_variants(config: Config, format_id: str, sentence: str, field: str) -> None:
    match = _header(sentence, load_format(format_id, config.paths))
    assert match is not None and match.field_id == field


@pytest.mark.parametrize(
    ("format_id", "sentence"),
    [
        ("soap", "Climb the stairs daily."),
        ("girp", "Go for a walk after dinner."),
        ("girp", "Go today."),
        ("progress", "Group dynamics in the family were tense."),
        ("progress", "Group dynamics and conflict."),  # a content word swapped is not a near cue
    ],
)
def test_segment_misheard_header_word_is_content_inside_a_sentence(
    config: Config, format_id: str, sentence: str
) -> None:
    assert _header(sentence, load_format(format_id, config.paths)) is None


def test_segment_back_to_header_returns_to_field(config: Config) -> None:
    text = (
        "Subjective. Feels flat. Assessment. Depression, stable. Plan. Continue sertraline. "
        "Oh, and back to subjective, she also mentioned poor appetite."
    )
    fields = _fields(_segment(config, text))
    assert fields["subjective"] == "Feels flat. She also mentioned poor appetite."
    assert fields["plan"] == "Continue sertraline."


@pytest.mark.parametrize(
    ("raw", "written"),
    [
        ("Denies S I and H I.", "Denies SI and HI."),
        ("P D M P checked.", "PDMP checked."),
        ("pH Q 9 score today is 9.", "PHQ-9 score today is 9."),
        ("GAD seven of eleven.", "GAD-7 of eleven."),
        ("PCL five was 38.", "PCL-5 was 38."),
        ("Her audit C was 4.", "Her AUDIT-C was 4."),
        ("Started CBT I for insomnia.", "Started CBT-I for insomnia."),
        ("Continue search line 100 milligrams.", "Continue sertraline 100 milligrams."),
        ("Denyse SI, 50-minute session in person.", "Denies SI, 50-minute session in person."),
        ("Denyse, her sister, visited.", "Denyse, her sister, visited."),
        ("We did C B T and suds ratings.", "We did CBT and SUDS ratings."),
        ("Act on it and say hi.", "Act on it and say hi."),
        ("I A m fine.", "I A m fine."),
    ],
)
def test_segment_clinical_normalization(config: Config, raw: str, written: str) -> None:
    normalize = build_normalizer(clinical_rules(), load_vocabulary(config.paths).replacements)
    assert normalize(raw) == written


def test_segment_user_vocabulary_replacements(config: Config) -> None:
    path = config.paths.config_dir / "vocabulary.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('terms = ["Bright Futures"]\n[replace]\n"bright future\'s" = "Bright Futures"\n')
    draft = _segment(config, "Plan. Refer to bright future's program.")
    assert draft.field("plan").text == "Refer to Bright Futures program."


def test_segment_unheaded_dictation_uses_roles(config: Config) -> None:
    text = (
        "She reports panic attacks most mornings and poor sleep. "
        "Fifty minute session by video, anxious affect, good eye contact. "
        "Presentation consistent with panic disorder, improving. "
        "Continue weekly CBT and she will practice paced breathing daily."
    )
    fields = _fields(_segment(config, text))
    assert fields["subjective"].startswith("She reports panic attacks")
    assert "Fifty minute session" in fields["objective"]
    assert "panic disorder" in fields["assessment"]
    assert fields["plan"].startswith("Continue weekly CBT")


def test_segment_confidence_and_origin(config: Config) -> None:
    draft = _segment(config, "Plan. Continue weekly CBT. Client reports better sleep.")
    for field in draft.fields:
        for sentence in field.sentences:
            assert 0.0 <= sentence.confidence <= 1.0
            assert sentence.span is not None
    assert draft.field("plan").sentences[0].origin == "spoken_header"


def test_segment_samples_place_every_sentence(config: Config) -> None:
    """Our own samples: nothing lost, nothing retracted kept, placement above a measured bound."""
    from tests.util import load_samples

    right = total = 0
    for sample in load_samples():
        score = score_placement(sample.parts, _segment(config, sample.text, sample.format))
        assert score.lost == 0, sample.id
        assert score.leaked == 0, sample.id
        right += round(score.accuracy * len(score.results))
        total += len(score.results)
    # Measured 97.3 % (benchmarks/segment.py); the bound leaves room for model retraining.
    assert right / total >= 0.92


_RETRACTED = (
    ("Plan.", "header"),
    ("She agreed to stop drinking coffee entirely.", "deleted"),
    ("Scratch that.", "command"),
    ("She agreed to switch to decaf after noon.", "plan"),
)


@pytest.mark.parametrize(
    ("spoken", "leaked"),
    [
        # retracted and gone: "She agreed to" shared with the next sentence is not a leak
        (" ".join(t for t, _ in _RETRACTED), 0),
        # the retraction was missed (not said): the sentence's words are counted
        ("Plan. She agreed to stop drinking coffee entirely. She agreed to switch to decaf after noon.", 7),
    ],
)
def test_segment_score_counts_only_real_leaks_of_retracted_words(
    config: Config, spoken: str, leaked: int
) -> None:
    score = score_placement(_RETRACTED, _segment(config, spoken))
    assert score.leaked == leaked
    assert [(label, got) for _, label, got in score.results] == [("plan", "plan")]


@pytest.mark.parametrize(
    ("text", "duration", "modality", "service", "date"),
    [
        (
            "Fifty-minute individual session by video.",
            50,
            "telehealth",
            "individual psychotherapy",
            None,
        ),
        (
            "Seen in the office for 53 minutes for an intake.",
            53,
            "in-person",
            "intake assessment",
            None,
        ),
        (
            "Family session on March 12th, forty five minutes, in person.",
            45,
            "in-person",
            "family therapy",
            "2026-03-12",
        ),
        ("Family session on December 12th.", None, None, "family therapy", "2025-12-12"),
        ("Phone check-in, half an hour, seen yesterday.", 30, "phone", None, "2026-11-22"),
        ("She has five minutes of panic each morning.", None, None, None, None),
        ("Client reports better sleep.", None, None, None, None),
    ],
)
def test_segment_session_facts(text: str, duration, modality, service, date) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from dictanote.segment.session import extract_session

    info = extract_session(text, session_date=dt.date(2026, 11, 23))
    assert (info.duration_minutes, info.modality, info.service_type, info.date) == (
        duration,
        modality,
        service,
        date,
    )


@pytest.mark.parametrize(
    ("text", "measures"),
    [
        ("PHQ-9 was 14, down from 19.", [("PHQ-9", 19, 14)]),
        ("GAD-7 went from fifteen to nine.", [("GAD-7", 15, 9)]),
        ("PCL-5 score is 38 today.", [("PCL-5", None, 38)]),
        (
            "Her PHQ-9 is twenty two and her GAD-7 is 12.",
            [("PHQ-9", None, 22), ("GAD-7", None, 12)],
        ),
        ("We will repeat the PHQ-9 next month.", []),
    ],
)
def test_segment_measure_values(text: str, measures: list[tuple[str, int | None, int]]) -> None:
    from dictanote.segment.session import extract_session

    info = extract_session(text, scales=clinical_rules().scales)
    assert [(m.name, m.from_, m.to) for m in info.measures] == measures


def test_segment_medications_risk_and_client(config: Config) -> None:
    draft = _segment(
        config,
        "Session focus. Client J.T. seen for medication follow-up. Continue sertraline 100 milligrams "
        "and start prazosin one milligram at bedtime. Risk. Denies SI and HI, safety plan reviewed.",
        "progress",
    )
    info = draft.session
    assert info.client == "JT"
    assert [(m.name, m.dose) for m in info.medications] == [
        ("sertraline", "100 mg"),
        ("prazosin", "1 mg"),
    ]
    assert info.risk == ("Denies SI and HI, safety plan reviewed.",)
    assert "Denies SI and HI, safety plan reviewed." in draft.field("risk").text  # extracted, not removed


# --- nothing lost: a property over generated dictations -----------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from dictanote.evaluate import normalize_for_wer  # noqa: E402

# Ordinary words only: no cue, filler, command or acronym, so every one must survive.
_WORDS = [
    "client",
    "reported",
    "sleeping",
    "poorly",
    "after",
    "moving",
    "apartments",
    "worried",
    "about",
    "money",
    "tearful",
    "engaged",
    "practiced",
    "breathing",
    "skills",
    "homework",
    "weekly",
    "calmer",
    "reviewed",
    "journal",
    "mother",
    "brother",
    "school",
    "work",
    "anxious",
    "mood",
    "improved",
    "slightly",
    "stable",
    "appetite",
    "walking",
]
_HEADERS = {
    "soap": ["Subjective.", "Okay, objective.", "For the assessment,", "Moving on to the plan."],
    "birp": ["Behavior.", "Intervention,", "Okay, response.", "Plan:"],
}

_sentence = st.lists(st.sampled_from(_WORDS), min_size=2, max_size=9).map(
    lambda ws: " ".join(ws).capitalize() + "."
)


@st.composite
def _dictation(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    fmt = draw(st.sampled_from(sorted(_HEADERS)))
    parts: list[str] = []
    content: list[str] = []
    for _ in range(draw(st.integers(1, 12))):
        if draw(st.booleans()) and draw(st.booleans()):
            parts.append(draw(st.sampled_from(_HEADERS[fmt])))
        sentence = draw(_sentence)
        parts.append(sentence)
        content.append(sentence)
        if draw(st.integers(0, 9)) == 0:
            parts.append("New paragraph.")
    return fmt, " ".join(parts), content


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=_dictation())
def test_segment_nothing_lost_property(config: Config, case: tuple[str, str, list[str]]) -> None:
    """Every dictated word but headers and commands is in exactly one field, in spoken order."""
    format_id, text, content = case
    draft = _segment(config, text, format_id)
    sentences = [s for f in draft.fields for s in f.sentences]
    assert sorted(normalize_for_wer(" ".join(s.text for s in sentences)).split()) == sorted(
        normalize_for_wer(" ".join(content)).split()
    )
    spoken_order = sorted(sentences, key=lambda s: s.span or (0, 0))
    assert normalize_for_wer(" ".join(s.text for s in spoken_order)) == normalize_for_wer(" ".join(content))
    for field in draft.fields:
        starts = [s.span[0] for s in field.sentences if s.span]
        assert starts == sorted(starts)


@pytest.mark.parametrize(
    ("sentence", "role"),
    [
        ("I taught her paced breathing and we practiced it twice.", "intervention"),
        ("Denies suicidal ideation, intent or plan.", "risk_report"),
        ("Continue weekly CBT.", "plan"),
        ("PHQ-9 was 12 today, down from 17.", "measure"),
        ("Her goal is to return to work part time.", "goal"),
        ("She came in saying the week had been rough.", "client_report"),
        # written plans as bare imperatives; the past form is what was done in session
        ("Assign a worry log for the coming week.", "plan"),
        ("Practice the grounding exercise each morning.", "plan"),
        ("Practiced the grounding exercise with him in session.", "intervention"),
        ("Client discussed tension with her roommate over chores.", "client_report"),
        ("His posture was slumped and his grooming poor.", "observation"),
    ],
)
def test_segment_roles_for_clear_phrasing(sentence: str, role: str) -> None:
    from dictanote.segment.roles import classify

    probs = classify([sentence])[0]
    assert max(probs, key=probs.__getitem__) == role
    assert sum(probs.values()) == pytest.approx(1.0)


@pytest.mark.parametrize("target", ["dap", "birp", "girp", "pie", "progress"])
def test_segment_remap_keeps_every_sentence_once(config: Config, target: str) -> None:
    from dictanote.app import Dictation
    from tests.util import load_samples

    sample = next(s for s in load_samples() if s.id == "soap-unheaded")
    draft = Dictation(config).from_text(sample.text, "soap").draft
    remapped = Dictation(config).switch_format(draft, target)
    assert remapped.format == target
    assert [f.id for f in remapped.fields] == list(load_format(target, config.paths).field_ids)
    before = [s.text for f in draft.fields for s in f.sentences]
    assert sorted(s.text for f in remapped.fields for s in f.sentences) == sorted(before)
    assert remapped.session == draft.session and remapped.transcript == draft.transcript


def test_segment_remap_places_by_role(config: Config) -> None:
    from dictanote.app import Dictation

    text = (
        "Subjective. Client reports panic attacks at work. Objective. Restless, speech rapid. "
        "Assessment. Panic disorder, improving. Plan. Continue weekly CBT and review in two weeks."
    )
    dap = Dictation(config).switch_format(Dictation(config).from_text(text, "soap").draft, "dap")
    assert [s.text for s in dap.field("plan").sentences] == ["Continue weekly CBT and review in two weeks."]
    assert "Client reports panic attacks at work." in [s.text for s in dap.field("data").sentences]


def test_segment_pipeline_loads_without_spacy_cli_and_spacy_cli_still_works() -> None:
    """In a fresh process: the load leaves spaCy's CLI (typer, weasel) unimported, yet usable."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from dictanote.segment.nlp import pipeline\n"
        "nlp = pipeline()\n"
        "assert nlp.pipe_names == ['sentencizer', 'textcat'], nlp.pipe_names\n"
        "assert not [m for m in ('typer', 'weasel', 'click') if m in sys.modules]\n"
        "import spacy\n"
        "assert sorted(spacy.info(markdown=False, silent=True))\n"
        "from spacy.cli import download\n"
        "import spacy.cli\n"
        "assert callable(download) and spacy.cli.download is download\n"
        "assert 'typer' in sys.modules and type(sys.modules['spacy.cli']).__name__ == 'module'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
