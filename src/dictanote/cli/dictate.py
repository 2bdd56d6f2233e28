"""``dictanote transcribe``, ``segment``, ``draft`` and ``check``: a file or text in, a draft or findings out.

Thin commands over ``Dictation``: they read the input, call the core, and print
through ``common``. The model, spaCy and Jinja2 load inside the commands only.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import click

from ..core.errors import TextInputError
from .common import (
    EXIT_CODES,
    client_option,
    echo,
    echo_draft,
    format_option,
    get_dictation,
    json_option,
    model_options,
    print_json,
    progress,
    save_draft,
    save_option,
    session_start,
    unlock_store,
    warn,
)


@click.command(epilog=EXIT_CODES)
@click.argument("audio", type=click.Path(path_type=Path))
@json_option("Print text, segments, model and timings as JSON.")
@model_options
def transcribe(audio: Path, as_json: bool, **overrides: Any) -> None:
    """Transcribe AUDIO (WAV, FLAC, MP3, OGG, M4A) and print the text.

    A progress bar goes to stderr for audio longer than 30 s when stderr is a
    terminal. Audio with no speech in it is not an error: the text is empty, a
    warning goes to stderr, and the exit code is 0.
    """
    transcript = get_dictation(**overrides).transcribe(audio, progress)
    if not transcript.text:
        warn(f"no speech found in {audio}; the transcript is empty")
    if as_json:
        print_json(transcript.to_dict())
    elif transcript.text:
        echo(transcript.text)


@click.command(epilog=EXIT_CODES)
@click.argument("audio", type=click.Path(path_type=Path))
@format_option()
@client_option()
@json_option("Print the draft as JSON (the contract in docs/architecture.md).")
@save_option()
@model_options
def draft(
    audio: Path, format_id: str | None, client_id: str | None, as_json: bool, save: bool, **overrides: Any
) -> None:
    """Transcribe AUDIO and print a sectioned draft note.

    Spoken section headers ("Subjective.", "Okay, for the plan,") start a field.
    Audio with no speech in it is not an error: the draft is empty, a warning
    goes to stderr, and the exit code is 0. The date and time of service are
    now (local time) unless the dictation says the date.
    """
    dictation = get_dictation(**overrides)
    if save:
        unlock_store(dictation)  # a passphrase is asked before the transcription, not after it
    start = session_start(dictation, client_id)  # an unknown client fails before the transcription
    result = dictation.from_audio(audio, format_id, progress, start)
    if result.transcript is not None and not result.transcript.text:
        warn(f"no speech found in {audio}; the draft is empty")
    if save:
        save_draft(dictation, result)
    echo_draft(dictation, result, as_json)


@click.command(epilog=EXIT_CODES)
@click.argument("file", default="-", metavar="[FILE|-]")
@format_option()
@client_option("The client (an id of `dictanote clients list`).")
@json_option("Print the draft as JSON.")
@save_option()
def segment(file: str, format_id: str | None, client_id: str | None, as_json: bool, save: bool) -> None:
    """Split a transcript (FILE, or standard input) into the fields of a note format.

    The date and time of service are now (local time) unless the transcript says the date.
    """
    dictation = get_dictation()
    start = session_start(dictation, client_id)
    text = read_text(file)
    if not text.strip():
        warn("the transcript is empty")
    result = dictation.from_text(text, format_id, start=start)
    if save:
        save_draft(dictation, result)
    echo_draft(dictation, result, as_json)


# check says by its exit code whether a finding blocks signing, so that a script can act on it.
CHECK_EXIT_CODES = """\b
Exit codes:
  0  no finding of severity error (warnings and info may be listed)
  1  a finding of severity error (listed as usual); also an unexpected internal error
  2  usage error or bad input (unreadable file, unknown format)
"""


@click.command(epilog=CHECK_EXIT_CODES)
@click.argument("file", default="-", metavar="[FILE|-]")
@format_option()
@json_option("Print the findings as JSON.")
@click.option(
    "--previous",
    metavar="FILE",
    help="The same client's previous note (text), to catch fields copied forward.",
)
def check(file: str, format_id: str | None, as_json: bool, previous: str | None) -> None:
    """Check a dictation (FILE, or standard input) for what a good note needs.

    Findings name a stable code, the field and a suggestion; dictanote never
    rewrites your words. The exit code is 1 when a finding has severity
    error (an impossible score, say), 0 otherwise.
    """
    from ..render import render_findings

    dictation = get_dictation()
    result = dictation.from_text(
        read_text(file), format_id, previous=read_text(previous) if previous else None
    )
    if as_json:
        print_json({"format": result.format.id, "findings": [f.to_dict() for f in result.findings]})
    elif result.findings:
        echo(render_findings(result.findings), nl=False)
    else:
        click.echo("No findings.")
    if any(f.severity == "error" for f in result.findings):
        raise click.exceptions.Exit(1)


def read_text(file: str) -> str:
    """The UTF-8 text of ``file`` (``-``: standard input); ``TextInputError`` says why it cannot be read."""
    if file == "-":
        if isinstance(sys.stdin, io.TextIOWrapper):
            # Strictly, whatever the locale: under C.UTF-8 Python would smuggle invalid bytes in
            # as lone surrogates, which no later stage can encode.
            sys.stdin.reconfigure(encoding="utf-8", errors="strict")
        try:
            return sys.stdin.read()
        except UnicodeDecodeError as exc:
            raise TextInputError(
                f"standard input is not UTF-8 text (it holds the byte 0x{exc.object[exc.start]:02x}); "
                "convert it first, e.g. with `iconv -t UTF-8`"
            ) from exc
    path = Path(file)
    if not path.exists():
        raise TextInputError(f"no such file: {path}")
    if not path.is_file():
        raise TextInputError(f"{path} is not a regular file")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TextInputError(
            f"{path} is not UTF-8 text (is it an audio file? use `dictanote draft`)"
        ) from exc
    except OSError as exc:
        raise TextInputError(f"cannot read {path}: {exc.strerror}") from exc
