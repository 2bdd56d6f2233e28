"""What every command shares: the options, the ``Config`` and ``Dictation`` of this invocation, and output.

One way to get the settings (root ``--data-dir`` and a command's flags included), one
way to print a draft (Markdown or the JSON contract) and one to report a save; stdout
carries results, stderr warnings. Imports click and ``core`` only at load; the
application core loads inside the functions that need it. Never prints note text on stderr.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..core.config import Config, load_config

if TYPE_CHECKING:
    from ..app import Dictation, DraftResult, SessionStart
    from ..core.types import StoredDraft

F = TypeVar("F", bound=Callable[..., Any])

FORMAT_HELP = "Note format id (see `dictanote formats`); default from settings (soap)."
SAVE_HELP = "Also put the draft in the inbox for review (`dictanote drafts list`, `dictanote review`)."
PRIVATE_HELP = "The psychotherapy (private) record instead of the clinical record."
# The epilog of the root group and of the commands that read audio or text.
EXIT_CODES = """\b
Exit codes:
  0  success (also when the audio holds no speech: empty text and a warning)
  1  unexpected internal error (rerun with --debug for a traceback)
  2  usage error or bad input (missing or unreadable file, unknown model or format)
  3  the speech model failed on input that looked valid
  4  the note store could not be read or written (nothing saved was lost)
  5  the audio input device failed while recording
  6  the capture daemon is not running or refused the request
"""
# Every draft and note id argument: a whole number a record can have (SQLite's rowids are 64-bit),
# so that an id no record can have is a usage error (exit 2), not an overflow deep in the store.
RECORD_ID = click.IntRange(min=1, max=2**63 - 1)


# --- the settings and the application core of this invocation ----------------------------


def get_config(**flags: Any) -> Config:
    """Settings for this invocation: flags over environment over file over defaults.

    ``flags`` are setting overrides from the command line (None: not given); the
    root group's ``--data-dir`` is read from the click context.
    """
    ctx = click.get_current_context(silent=True)
    data_dir = ctx.find_root().params.get("data_dir") if ctx is not None else None
    return load_config({k: v for k, v in flags.items() if v is not None}, data_dir=data_dir)


def get_dictation(**flags: Any) -> Dictation:
    """The application core over this invocation's settings (see ``get_config``).

    Where there is no OS keyring it asks for the store's passphrase on the terminal,
    once, if and when the store is opened (see ``ask_passphrase``).
    """
    from ..app import Dictation

    return Dictation(get_config(**flags), passphrase=ask_passphrase)


def ask_passphrase(new: bool) -> str | None:
    """The store's passphrase typed on the controlling terminal (hidden; twice for a new store).

    None where there is no terminal to ask on (a service, a pipe): the store then says how
    to give it. Never stored, never logged.
    """
    try:
        with open("/dev/tty", "rb"):
            pass
    except OSError:
        if not sys.stdin.isatty():
            return None
    prompt = "New passphrase for the encrypted note store" if new else "Passphrase of the note store"
    answer: str = click.prompt(prompt, hide_input=True, confirmation_prompt=new, err=True)
    return answer


# --- shared options ---------------------------------------------------------------------------


def format_option(help: str = FORMAT_HELP) -> Callable[[F], F]:
    """``--format/-f ID``, passed as ``format_id``."""
    return click.option("--format", "-f", "format_id", metavar="ID", help=help)


def json_option(help: str = "Print JSON.") -> Callable[[F], F]:
    """``--json``, passed as ``as_json``."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def save_option(help: str = SAVE_HELP) -> Callable[[F], F]:
    """``--save``: also put the draft in the inbox."""
    return click.option("--save", is_flag=True, help=help)


def private_option(help: str = PRIVATE_HELP) -> Callable[[F], F]:
    """``--private``: the psychotherapy (private) record or note."""
    return click.option("--private", is_flag=True, help=help)


CLIENT_HELP = "The client (an id of `dictanote clients list`); checked before any audio is used."


def client_option(help: str = CLIENT_HELP) -> Callable[[F], F]:
    """``--client ID``, passed as ``client_id``."""
    return click.option("--client", "client_id", metavar="ID", help=help)


def session_start(dictation: Dictation, client_id: str | None) -> SessionStart:
    """Who this dictation is about (``client_id`` checked against the list: ``RecordNotFoundError``
    names it) and when it started (now): the draft's client and default date and time of service."""
    import datetime as dt

    from ..app import SessionStart

    checked = dictation.client(client_id) if client_id is not None else None
    return SessionStart(client_id=checked, started=dt.datetime.now(dt.timezone.utc))


def model_options(func: F) -> F:
    """Flags that override the speech-model settings (passed as ``model``, ``cpu_threads``, ``beam_size``)."""
    func = click.option(
        "--model",
        "model",
        metavar="NAME|PATH",
        help="Whisper model name or path (see `dictanote models`).",
    )(func)
    func = click.option(
        "--threads", "cpu_threads", type=click.IntRange(min=1), help="CPU threads for the model."
    )(func)
    func = click.option("--beam-size", "beam_size", type=click.IntRange(min=1), help="Decoding beam width.")(
        func
    )
    return func


# --- output -----------------------------------------------------------------------------------


# What a terminal acts on instead of showing: C0 controls (but newline and tab), DEL and C1 controls.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` safe for a terminal: each control character shown as ``\\uXXXX`` (ESC as ``\\u001b``).

    Newline and tab stay. Every text the CLI prints goes through here (``echo``, ``tell``,
    ``print_json``), so dictated words or client initials can never move the cursor, retitle
    the window or clear the screen. In JSON the escape is JSON's own: nothing is lost.
    """
    return CONTROL_CHARS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def echo(text: str, nl: bool = True, err: bool = False) -> None:
    """Print ``text`` on stdout (stderr with ``err``), control characters made visible (``printable``)."""
    click.echo(printable(text), nl=nl, err=err)


def print_json(data: Any) -> None:
    """``data`` as indented JSON on stdout (non-ASCII kept as is, control characters escaped)."""
    echo(json.dumps(data, indent=2, ensure_ascii=False))


def tell(message: str) -> None:
    """A diagnostic line on stderr: ``dictanote: MESSAGE``."""
    echo(f"dictanote: {message}", err=True)


def warn(message: str) -> None:
    """A warning line on stderr: ``dictanote: warning: MESSAGE``."""
    tell(f"warning: {message}")


def echo_draft(dictation: Dictation, result: DraftResult, as_json: bool) -> None:
    """Print a fresh draft: the JSON contract, or Markdown laid out by its format (private note after it).

    On a terminal the words to check are highlighted (``terminal``); piped, the Markdown is plain.
    """
    if as_json:
        print_json(result.to_json())
    elif sys.stdout.isatty():
        from .terminal import TERMINAL_MARKUP, highlight

        click.echo(highlight(printable(dictation.render_result(result, TERMINAL_MARKUP))), nl=False)
    else:
        echo(dictation.render_result(result), nl=False)


def unlock_store(dictation: Dictation) -> None:
    """Open and close the store once, so a passphrase is asked (and checked) before the slow work starts."""
    dictation.open_store().close()


def save_draft(dictation: Dictation, result: DraftResult, source: str = "cli") -> StoredDraft:
    """Put a fresh draft in the inbox and say so on stderr (its id and which inbox, never its text)."""
    stored = dictation.save(result, source=source)
    companion = " (with a private psychotherapy note)" if result.has_private else ""
    where = "private inbox" if stored.record == "private" else "inbox"
    tell(f"saved as draft {stored.id} in the {where}{companion}")
    return stored


class ProgressBar:
    """A one-line progress bar on stderr, for long audio on a terminal."""

    WIDTH = 30

    def __init__(self, total_s: float) -> None:
        self.total_s = total_s
        self.done = False

    def __call__(self, fraction: float) -> None:
        """Draw the bar at ``fraction`` (0..1) of the audio; a newline once it is full."""
        if self.done:
            return
        filled = int(self.WIDTH * fraction)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        sys.stderr.write(
            f"\rtranscribing [{bar}] {fraction * 100:3.0f}%  "
            f"{fraction * self.total_s:5.0f}/{self.total_s:.0f} s"
        )
        if fraction >= 1.0:
            sys.stderr.write("\n")
            self.done = True
        sys.stderr.flush()


def progress(total_s: float) -> Callable[[float], None] | None:
    """A progress bar for ``total_s`` seconds of audio when stderr is a terminal, else None."""
    return ProgressBar(total_s) if sys.stderr.isatty() else None
