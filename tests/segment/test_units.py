"""Sentences and their offsets (``segment.units``): splitting, re-splitting, tidying."""

from __future__ import annotations

import pytest

from dictanote.core.errors import TextInputError
from dictanote.segment import split_sentences
from dictanote.segment.units import ordinal, resplit, said, split_units, tidy


def _read(text: str) -> list[str]:
    """Sentences as the segmenter reads them: split once (spaCy), then split again (``resplit``)."""
    return [part for sentence in split_sentences(text) for part in resplit(sentence)]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One here.\n\n  Two  there. ", ["One here.", "Two there."]),
        # abbreviations do not end a sentence
        ("She takes it q.i.d. and p.r.n. as needed.", ["She takes it q.i.d. and p.r.n. as needed."]),
        ("In p.m. hours she feels anxious.", ["In p.m. hours she feels anxious."]),
        ("Dr. S. agreed. Under e.g. the plan.", ["Dr. S. agreed.", "Under e.g. the plan."]),
        ("Я устал. 東京。 Ñandú.", ["Я устал.", "東京。", "Ñandú."]),
    ],
)
def test_units_split_sentences_normalizes_whitespace(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        # every kind of abbreviation stays whole inside a sentence
        ("Give acetaminophen 650 mg q.4h. as needed for fever.", None),
        ("Use the rescue inhaler p.r.n. when wheezy.", None),
        ("Insulin q.a.m. with breakfast, checked weekly.", None),
        ("Trazodone q.h.s. helps her sleep.", None),
        ("Metoprolol b.i.d. and aspirin daily.", None),
        ("Keflex t.i.d. for seven days.", None),
        ("Nystatin q.i.d. until the thrush clears.", None),
        ("Fluids p.o. as tolerated overnight.", None),
        ("She wakes at 5 a.m. most mornings.", None),
        ("He called at 8 p.m. Tuesday to cancel.", None),
        ("Soft foods, e.g. soup and yogurt, are fine.", None),
        ("Stay home, i.e. no school, until Friday.", None),
        ("Reflux vs. Gastritis was discussed.", None),
        ("Bring inhalers, spacers, etc. to each visit.", None),
        ("Seen by Dr. Okafor last week.", None),
        ("Seen by Dr. N. Ruiz in clinic.", None),
        ("Mr. Diaz and Mrs. Diaz attended with Ms. Rowe.", None),
        ("She lives on Oak St. Across from the school.", None),
        ("Blood loss approx. 200 mL overall.", None),
        ("Referred by K. L. Ortiz for review.", None),
        ("Discussed with J.T. Ortiz by phone.", None),
        ("Seen at the U.S. Naval clinic.", None),
        ("P. 80 and regular.", None),
        ("BP 118/76, P 72, RR 16.", None),
        ("Give it q. 4 h. and b. i. d. after meals.", None),
        ("Ibuprofen p. R.n. for cramps.", None),  # "p.r.n." as Whisper sometimes spaces it
        ("S. Feels better this week.", None),  # a letter opening the text: the header matcher decides
        # and a sentence still ends after one when the next word plainly starts a new one
        ("He called at 8 p.m. She slept after that.", ["He called at 8 p.m.", "She slept after that."]),
        ("Tylenol p.r.n. Pain is now mild.", ["Tylenol p.r.n.", "Pain is now mild."]),
        ("Walker, rails etc. The family agreed.", ["Walker, rails etc.", "The family agreed."]),
        ("Aspirin 81 mg p.o. Lisinopril stopped.", ["Aspirin 81 mg p.o.", "Lisinopril stopped."]),
        ("Low vitamin D. She will take a supplement.", ["Low vitamin D.", "She will take a supplement."]),
        ("Seen at 6 a.m. Vitals were stable.", ["Seen at 6 a.m.", "Vitals were stable."]),
        ("Seen by Dr. N. She was calm.", ["Seen by Dr. N.", "She was calm."]),
        ("Denies S.I. PHQ-9 was 6.", ["Denies S.I.", "PHQ-9 was 6."]),
    ],
)
def test_units_abbreviations_stay_whole(text: str, sentences: list[str] | None) -> None:
    assert _read(text) == (sentences or [text])


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Denies SI and HI. PHQ-9 was 14", ["Denies SI and HI.", "PHQ-9 was 14"]),
        ("Seen by Dr. Smith today.", ["Seen by Dr. Smith today."]),
        ("Seen by Dr. S. Smith today.", ["Seen by Dr. S. Smith today."]),
        ("I.e. The plan works.", ["I.e. The plan works."]),
        ("Seen at 3 p.m. She was calm.", ["Seen at 3 p.m.", "She was calm."]),
    ],
)
def test_units_resplit_where_rewriting_revealed_a_sentence_end(text: str, parts: list[str]) -> None:
    assert resplit(text) == parts


@pytest.mark.parametrize(
    ("text", "tidied"),
    [
        ("client reports poor sleep", "Client reports poor sleep."),
        (" , okay;", "Okay."),
        ('She said "I hate it"', 'She said "I hate it."'),
        (" ,.", ""),
        ("я устал", "Я устал."),
        ("😀😀", "😀😀"),
        ("cafe\u0301", "Cafe\u0301."),
    ],
)
def test_units_tidy_edges_and_capital(text: str, tidied: str) -> None:
    assert tidy(text) == tidied


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("Subjective. a\ud800b.", "U+D800 at character 14"),
        ("\udcff", "U+DCFF at character 1"),
        ("Plan. \U0001f642 \udfff", "U+DFFF at character 9"),  # the emoji before it is one character
    ],
)
def test_units_text_with_a_lone_surrogate_is_refused_with_one_line(text: str, where: str) -> None:
    with pytest.raises(TextInputError) as err:
        split_units(text)
    assert where in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("n", "spoken"), [(0, "zero"), (9, "nine"), (19, "nineteen"), (40, "forty"), (42, "fortytwo")]
)
def test_units_said_spells_a_number_as_one_word(n: int, spoken: str) -> None:
    assert said(n) == spoken


@pytest.mark.parametrize(
    ("n", "spoken"),
    [
        (1, "first"),
        (3, "third"),
        (4, "fourth"),
        (12, "twelfth"),
        (20, "twentieth"),
        (21, "twenty first"),
        (31, "thirty first"),
    ],
)
def test_units_ordinal_says_a_day_of_the_month(n: int, spoken: str) -> None:
    assert ordinal(n) == spoken
