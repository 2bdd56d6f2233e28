"""Voice commands and spoken punctuation (``segment.voice``), and what the segmenter does with them."""

from __future__ import annotations

import pytest

from dictanote.core.config import Config
from dictanote.segment.rules import CommandRules, segmenter_rules
from dictanote.segment.units import split_units
from dictanote.segment.voice import (
    Piece,
    merge_quotes,
    split_commands,
    split_leading_command,
    spoken_punctuation,
)
from tests.util import segment_text


def _commands() -> CommandRules:
    return segmenter_rules()[1]


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
def test_voice_commands(config: Config, text: str, expected: str) -> None:
    """Commands on a one-field format, so that placement cannot blur what they did."""
    folder = config.paths.config_dir / "formats"
    folder.mkdir(parents=True)
    (folder / "memo.toml").write_text(
        'id = "memo"\nlabel = "Memo"\n[[fields]]\nid = "body"\nlabel = "Body"\ncues = ["note"]\n'
    )
    assert segment_text(text, "memo").field("body").text == expected


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("Call the school. Scratch that.", [Piece("Call the school."), Piece(command="scratch")]),
        ("Okay, so, private note, I felt tired.", [Piece(command="private_start"), Piece(" I felt tired.")]),
        ("New paragraph. Review meds.", [Piece(command="new_paragraph"), Piece(" Review meds.")]),
        ("And end private note.", [Piece(command="private_end")]),
        ("Told him to scratch that itch.", [Piece("Told him to scratch that itch.")]),
    ],
)
def test_voice_split_commands_that_stand_apart(text: str, pieces: list[Piece]) -> None:
    assert split_commands(text, _commands()) == pieces


@pytest.mark.parametrize(
    ("text", "command", "rest"),
    [
        ("Scratch that he said he would", "scratch", "he said he would"),
        ("New paragraph she slept", "new_paragraph", "she slept"),
        # entering the private note by mistake would hide content from the record
        ("Private note she was", None, "Private note she was"),
        ("Scratching that", None, "Scratching that"),
    ],
)
def test_voice_leading_command_of_a_run_on(text: str, command: str | None, rest: str) -> None:
    assert split_leading_command(text, _commands()) == (command, rest)


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Mood better period she slept well period", "Mood better. She slept well."),
        ("Anxious comma tearful comma engaged.", "Anxious, tearful, engaged."),
        ("Over a two-week period she improved.", "Over a two-week period she improved."),
        ("A trial period of sertraline.", "A trial period of sertraline."),
        # a written period is not a spoken one: the word after it keeps its case
        ("In p.m. hours she feels anxious.", "In p.m. hours she feels anxious."),
        ("Under e.g. the plan period then done", "Under e.g. the plan. Then done"),
        ("Worse period я устал", "Worse. Я устал"),
    ],
)
def test_voice_spoken_punctuation(text: str, written: str) -> None:
    assert spoken_punctuation(text, _commands()) == written


@pytest.mark.parametrize(
    ("text", "merged"),
    [
        ("She said quote, I can't sleep, end quote.", ['She said "I can\'t sleep."']),
        ("He said quote. I hate it. It's awful. End quote.", ['He said "I hate it. It\'s awful."']),
        ("A quote from the book.", ["A quote from the book."]),  # no end of quote: a word
    ],
)
def test_voice_merge_quotes(text: str, merged: list[str]) -> None:
    assert [u.text for u in merge_quotes(split_units(text), _commands())] == merged


def test_voice_private_note_goes_to_companion() -> None:
    text = (
        "Data. Client arrived on time and discussed her move. Private note. I felt protective of her "
        "and noticed I was rushing. End private note. Plan. Meet next week."
    )
    draft = segment_text(text, "dap")
    assert "protective" not in " ".join(f.text for f in draft.fields)
    assert draft.private is not None
    assert draft.private.format == "psychotherapy"
    assert "I felt protective of her and noticed I was rushing." in draft.private.field("reflections").text
    assert draft.field("plan").text == "Meet next week."


@pytest.mark.parametrize(
    "switch",
    ["And private note.", "Okay, so, private note,", "Um private note.", "Now, psychotherapy note."],
)
def test_voice_private_switch_after_fillers_keeps_reflections_out_of_the_record(switch: str) -> None:
    text = f"Data. She talked about her move. {switch} I felt impatient with her today. End private note."
    draft = segment_text(text, "dap")
    assert "impatient" not in " ".join(f.text for f in draft.fields)
    assert draft.private is not None
    assert draft.private.field("reflections").text == "I felt impatient with her today."


def test_voice_private_note_with_its_own_headers() -> None:
    text = "Plan. Weekly. Private note. Questions. Is the anger covering grief? End private note."
    draft = segment_text(text)
    assert draft.private is not None
    assert draft.private.field("questions").text == "Is the anger covering grief?"


def test_voice_no_private_note_means_null() -> None:
    assert segment_text("Plan. Weekly sessions.").private is None
