"""The vocabulary layer (``segment.correct``): misheard names corrected with evidence, plain text left alone."""

from __future__ import annotations

import pytest

from dictanote.app import Dictation
from dictanote.core.config import Config
from dictanote.core.formats import load_format
from dictanote.core.vocabulary import Lexicon, Vocabulary, load_lexicon
from dictanote.segment import SegmentOptions, segment_transcript
from dictanote.segment.correct import _Names, correct, warm

LEXICON = load_lexicon(Vocabulary(terms=("Bridgeway",)))


@pytest.mark.parametrize(
    ("heard", "expected", "reason"),
    [
        # a dose right after
        ("Started lamo tridgeen 25 mg last week.", "Started lamotrigine 25 mg last week.", "dose follows"),
        (
            "Continue klona zee pam 0.5 milligrams at night.",
            "Continue clonazepam 0.5 milligrams at night.",
            "",
        ),
        ("She takes metro formin 500 mg twice a day.", "She takes metformin 500 mg twice a day.", ""),
        ("Restarted prop ran a lol 10 mg before talks.", "Restarted propranolol 10 mg before talks.", ""),
        # at a sentence start: capitalized; the punctuation Whisper put after the span stays
        ("Aripa prazole 10 mg daily, no side effects.", "Aripiprazole 10 mg daily, no side effects.", ""),
        ("Mood is low. Nal trex own 50 mg daily.", "Mood is low. Naltrexone 50 mg daily.", ""),
        ("Increase venla faxine, 75 mg, as planned.", "Increase venlafaxine, 75 mg, as planned.", ""),
        # a medication verb before (no dose)
        (
            "He was switched to esci talo pram in May.",
            "He was switched to escitalopram in May.",
            "verb before",
        ),
        (
            "Her doctor added metta pro lol last month.",
            "Her doctor added metoprolol last month.",
            "verb before",
        ),
        # a brand name, a number said as a word, a number hyphenated to the rest of the name
        ("Took zo loft 50 mg at breakfast.", "Took Zoloft 50 mg at breakfast.", "dose follows"),
        ("Lorrie zee pam one milligram for panic.", "Lorazepam one milligram for panic.", "dose follows"),
        ("Started 10-lafaxine 75 mg.", "Started venlafaxine 75 mg.", "dose follows"),
        # English words before a dose (stronger evidence than a made-up word needs)
        ("Back on sir traveling 50 mg daily.", "Back on sertraline 50 mg daily.", "dose follows"),
        ("She says tree zoned 50 mg helps.", "She says trazodone 50 mg helps.", "dose follows"),
        # a span with words before it wins over the end of it alone ("napine" sounds more like asenapine)
        ("Started mirt napine 15 mg at night.", "Started mirtazapine 15 mg at night.", "dose follows"),
        # a clear match is taken though another name sounds somewhat alike (clonazepam, temazepam)
        ("Started lorta zepam 1 mg at night.", "Started lorazepam 1 mg at night.", "dose follows"),
        # the user's own term, written as two English words
        ("She attends Bridge Way twice a week.", "She attends Bridgeway twice a week.", "in your vocabulary"),
    ],
)
def test_correct_rewrites_misheard_names_with_evidence(heard: str, expected: str, reason: str) -> None:
    text, corrections = correct(heard, LEXICON)
    assert text == expected
    assert len(corrections) == 1
    c = corrections[0]
    assert text[c.start : c.end] == c.replacement and c.original in heard
    assert c.reason.lower().startswith(f"sounds like {c.replacement.lower()} (") and reason in c.reason


@pytest.mark.parametrize(
    "plain",
    [
        "She was certainly calmer this week and went circling around the lake.",
        "He is planning a trip with his sister in April.",
        "Her pregnancy is going well and she sleeps eight hours.",
        "She described the president of her book club as supportive.",
        "She presents in a good mood with a bright affect.",
        "He takes the bus to work each morning at 7.",
        "Weight was 70 kg and she drinks 3 cups of coffee a day.",
        "The weekend was quiet; she read, cooked and called her brother.",
        # lexicon words, numbers, risk and scale words are never rewritten
        "Continue sertraline 50 mg daily and trazodone 25 mg at night.",
        "Denies SI, HI, plan or intent. PHQ-9 of 12, GAD-7 of 9.",
        "Denies suicidal ideation 2 weeks after the overdose.",
        "Took Zoloft 50 mg. She is on lithium.",
        # a dose in the next sentence is not this one's; dose times are never rewritten
        "Her hands shook with a tremor. 10 mg was too much.",
        "Take 10 mg in the morning, 5 mg at night.",
        # a made-up word with no context, and English words with only a verb before them
        "The meeting with Tressa Line went well.",
        "She started certainly feeling better.",
        # two drugs sound about as alike (clonazepam, clozapine): no guess
        "Started cloza pam 1 mg at night.",
    ],
)
def test_correct_leaves_plain_text_alone(plain: str) -> None:
    assert correct(plain, LEXICON) == (plain, ())


def test_correct_offsets_point_into_the_corrected_text_in_order() -> None:
    heard = "Started klona zee pam 1 mg and then metro formin 500 mg; she is on lith ium."
    text, corrections = correct(heard, LEXICON)
    assert text == "Started clonazepam 1 mg and then metformin 500 mg; she is on lithium."
    assert [c.replacement for c in corrections] == ["clonazepam", "metformin", "lithium"]
    assert [c.original for c in corrections] == ["klona zee pam", "metro formin", "lith ium"]
    assert all(text[c.start : c.end] == c.replacement for c in corrections)
    assert [c.start for c in corrections] == sorted(c.start for c in corrections)


@pytest.mark.parametrize("lexicon", [None, Lexicon()])
def test_correct_without_a_lexicon_changes_nothing(lexicon: Lexicon | None) -> None:
    heard = "Started klona zee pam 1 mg."
    assert correct(heard, lexicon) == (heard, ())


def test_correct_marks_the_sentence_it_rewrote(config: Config) -> None:
    fmt = load_format("soap", config.paths)
    heard = "Subjective. Sleep is better. Continue klona zee pam 0.5 mg at night. No S I."
    draft = segment_transcript(heard, fmt, SegmentOptions(lexicon=LEXICON))
    sentences = [s for f in draft.fields for s in f.sentences]
    marked = [s for s in sentences if s.corrections]
    assert len(marked) == 1 and len(sentences) == 3
    (c,) = marked[0].corrections
    assert marked[0].text[c.start : c.end] == "clonazepam" and c.original == "klona zee pam"
    assert "klona" not in draft.transcript


def test_correct_applies_through_the_app(dictation: Dictation) -> None:
    """The app builds the lexicon (shipped names and the user's terms) for typed and heard text alike."""
    result = dictation.from_text("Plan. Start metro formin 500 mg with breakfast.")
    corrected = [c for f in result.draft.fields for s in f.sentences for c in s.corrections]
    assert [(c.original, c.replacement) for c in corrected] == [("metro formin", "metformin")]


def test_correct_warm_codes_the_names_before_the_first_correction() -> None:
    warm(LEXICON)  # what a daemon calls at start; the names are coded once per lexicon
    assert _Names.of(LEXICON) is _Names.of(LEXICON)
    assert correct("Started mirt napine 15 mg.", LEXICON)[0] == "Started mirtazapine 15 mg."


@pytest.mark.parametrize(
    ("heard", "expected", "original"),
    [
        # scale letters heard as other letters or words, the scale's number after them, a score beside
        ("PHD9 today was 14, down from 19.", "PHQ-9 today was 14, down from 19.", "PHD9"),
        ("Mood is low. He'd HQ 9 is 12.", "Mood is low. PHQ-9 is 12.", "He'd HQ 9"),
        ("T HQ nine of nine.", "PHQ-9 of nine.", "T HQ nine"),
        ("Headaches in week one. GVAD7 of 11.", "Headaches in week one. GAD-7 of 11.", "GVAD7"),
        ("Fewer tics. G.V.D. 7 of 9. No self-harm.", "Fewer tics. GAD-7 of 9. No self-harm.", "G.V.D. 7"),
        ("The CL5 was 46 today.", "PCL-5 was 46 today.", "The CL5"),
        (
            "Back pain. The HQ nine dropped from 18 to 11.",
            "Back pain. PHQ-9 dropped from 18 to 11.",
            "The HQ nine",
        ),
        ("No alcohol. Audit seat today was zero.", "No alcohol. AUDIT-C today was zero.", "Audit seat"),
        ("Mood low. Ph.D. 9 today was 12.", "Mood low. PHQ-9 today was 12.", "Ph.D. 9"),
        # the score before it ("scored 7 on the ...")
        ("He scored 7 on the G.I.D. 7.", "He scored 7 on the GAD-7.", "G.I.D. 7"),
        # the score run into the scale's number ("0" is "of" heard as a digit)
        ("Better focus. PHQ-94.", "Better focus. PHQ-9 4.", "PHQ-94"),
        ("Mood unchanged. PHQ-907.", "Mood unchanged. PHQ-9 of 7.", "PHQ-907"),
        # risk words: the denial verb, "suicidal"/"homicidal", SI/HI heard as words, "or" between them
        ("Raised on June 10th. Denize H.I.", "Raised on June 10th. Denies H.I.", "Denize"),
        ("She Dennice SI and HI.", "She denies SI and HI.", "Dennice"),
        (
            "Gained weight. Denysu iscital thoughts.",
            "Gained weight. Denies suicidal thoughts.",
            "Denysu iscital",
        ),
        (
            "He reports homicide ideation toward a coworker.",
            "He reports homicidal ideation toward a coworker.",
            "homicide",
        ),
        ("Denies SI were H.I.", "Denies SI or H.I.", "were"),
        ("He denies hallucinations and denies high.", "He denies hallucinations and denies HI.", "high"),
        (
            "Fewer outbursts. No less I. Return in four weeks.",
            "Fewer outbursts. No SI. Return in four weeks.",
            "less I",
        ),
    ],
)
def test_correct_rewrites_scales_and_risk_words_heard_wrong(heard: str, expected: str, original: str) -> None:
    text, corrections = correct(heard, LEXICON)
    assert text == expected
    (c,) = corrections
    assert c.original == original and text[c.start : c.end] == c.replacement and c.reason


@pytest.mark.parametrize(
    "plain",
    [
        # scale look-alikes without a scale's number or a score, and scales already right
        "She moved to room 9 of the east wing.",
        "He got a grade 7 in math and the HQ 9 was closed.",
        "The HQ is in building 9.",
        "PHQ nine was 14 and GAD 7 of 9; AUDIT C of 2.",
        "His PhD took 9 years.",
        "She finished her Ph.D. 9 years ago.",
        "She scored well at school in grade 9.",
        "She works at PHQ 9 hours a day.",
        # a letter after a scale's letters said wrong is not enough ("PHQ-A" only when its letters are right)
        "The PHQI Hide-A was 12.",
        # affirmations stay affirmations, and no denial is made from a word that does not sound like one
        "Endorses SI with a plan. Reports HI toward his brother.",
        "The nice self-harm worksheet helped.",
        "The high SI risk was discussed.",
        "She has SI, passive, and HI.",
        "Denise SI is her sister's nickname for the clinic.",
        "The code denotes SI. The plant dies.",
        # "high" and letters after a denial only where the term ends; English words before "thoughts" stay
        "He denies high-risk behavior and no less I could ask.",
        "She had societal thoughts about the election.",
        "No high from the edible, he said.",
        "Denies suicidal ideation; denies HI or SI.",
    ],
)
def test_correct_leaves_plain_and_affirmative_risk_text_alone(plain: str) -> None:
    assert correct(plain, LEXICON) == (plain, ())
