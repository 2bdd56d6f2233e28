"""The ``dictanote`` command line: a thin skin over the pipeline.

Parses flags into settings, calls the pipeline, prints results on stdout and
diagnostics on stderr. Errors become one line and an exit code here, in one
place (``main``), never a traceback. Heavy libraries load only inside commands.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .core.config import Config, load_config, setting_help
from .core.errors import DictanoteError, TextInputError

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

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
NO_SPEECH_HELP = (
    "Audio with no speech in it is not an error: the text is empty, a warning "
    "goes to stderr, and the exit code is 0."
)


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _warn(message: str) -> None:
    click.echo(f"dictanote: warning: {message}", err=True)


def _model_options(func: F) -> F:
    """Flags that override the speech-model settings."""
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


class _ProgressBar:
    """A one-line progress bar on stderr, for long audio on a terminal."""

    WIDTH = 30

    def __init__(self, total_s: float) -> None:
        self.total_s = total_s
        self.done = False

    def __call__(self, fraction: float) -> None:
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


def _progress(total_s: float) -> Callable[[float], None] | None:
    return _ProgressBar(total_s) if sys.stderr.isatty() else None


def _config(**overrides: Any) -> Config:
    """Settings for this invocation: flags over environment over file over defaults."""
    flags = {k: v for k, v in overrides.items() if v is not None}
    ctx = click.get_current_context(silent=True)
    data_dir = ctx.find_root().params.get("data_dir") if ctx is not None else None
    return load_config(flags, data_dir=data_dir)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODES,
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log progress to stderr (-vv for debug). Never logs note text.",
)
@click.option("--debug", is_flag=True, help="Show a traceback for unexpected errors.")
@click.option(
    "--data-dir",
    "data_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where drafts and notes are stored (default: DICTANOTE_HOME, else the user data directory).",
)
@click.version_option(__version__, prog_name="dictanote")
def cli(verbose: int, debug: bool, data_dir: Path | None) -> None:
    """Dictate a post-session summary; get a sectioned draft note.

    Everything runs on this machine: audio is transcribed locally with the
    embedded Whisper model and never written to disk or sent anywhere.
    """
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr, format="dictanote: %(name)s: %(message)s")
    del debug  # read by main() before parsing, so that it covers parse errors too
    del data_dir  # read by _config() from the root context


@cli.command(epilog=EXIT_CODES)
@click.argument("audio", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print text, segments, model and timings as JSON.")
@_model_options
def transcribe(audio: Path, as_json: bool, **overrides: Any) -> None:
    """Transcribe AUDIO (WAV, FLAC, MP3, OGG, M4A) and print the text.

    A progress bar goes to stderr for audio longer than 30 s when stderr is a
    terminal. Audio with no speech in it is not an error: the text is empty, a
    warning goes to stderr, and the exit code is 0.
    """
    from .app import Dictation

    transcript = Dictation(_config(**overrides)).transcribe(audio, _progress)
    if not transcript.text:
        _warn(f"no speech found in {audio}; the transcript is empty")
    if as_json:
        _print_json(transcript.to_dict())
    elif transcript.text:
        click.echo(transcript.text)


def _format_option(func: F) -> F:
    return click.option(
        "--format",
        "-f",
        "format_id",
        metavar="ID",
        help="Note format id (see `dictanote formats`); default from settings (soap).",
    )(func)


def _save_option(func: F) -> F:
    return click.option(
        "--save",
        is_flag=True,
        help="Also put the draft in the inbox for review (`dictanote drafts list`, `dictanote review`).",
    )(func)


def _save(result: Any, config: Config) -> None:
    from .app import Dictation

    stored = Dictation(config).save(result)
    companion = " (with a private psychotherapy note)" if result.draft.private is not None else ""
    where = "private inbox" if stored.record == "private" else "inbox"
    click.echo(f"dictanote: saved as draft {stored.id} in the {where}{companion}", err=True)


def _emit_draft(result: Any, config: Config, as_json: bool) -> None:
    from .render import draft_to_json, render_markdown

    if as_json:
        _print_json(draft_to_json(result.draft, result.findings))
    else:
        text = render_markdown(
            result.draft, result.format, config.paths, result.private_format, result.findings
        )
        click.echo(text, nl=False)


@cli.command(epilog=EXIT_CODES)
@click.argument("audio", type=click.Path(path_type=Path))
@_format_option
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the draft as JSON (the contract in docs/architecture.md).",
)
@_save_option
@_model_options
def draft(audio: Path, format_id: str | None, as_json: bool, save: bool, **overrides: Any) -> None:
    """Transcribe AUDIO and print a sectioned draft note.

    Spoken section headers ("Subjective.", "Okay, for the plan,") start a field.
    Audio with no speech in it is not an error: the draft is empty, a warning
    goes to stderr, and the exit code is 0.
    """
    from .app import Dictation

    config = _config(**overrides)
    result = Dictation(config).from_audio(audio, format_id or config.settings.format, _progress)
    if result.transcript is not None and not result.transcript.text:
        _warn(f"no speech found in {audio}; the draft is empty")
    if save:
        _save(result, config)
    _emit_draft(result, config, as_json)


@cli.command(epilog=EXIT_CODES)
@click.argument("file", default="-", metavar="[FILE|-]")
@_format_option
@click.option("--json", "as_json", is_flag=True, help="Print the draft as JSON.")
@_save_option
def segment(file: str, format_id: str | None, as_json: bool, save: bool) -> None:
    """Split a transcript (FILE, or standard input) into the fields of a note format."""
    from .app import Dictation

    config = _config()
    text = _read_text(file)
    if not text.strip():
        _warn("the transcript is empty")
    result = Dictation(config).from_text(text, format_id or config.settings.format)
    if save:
        _save(result, config)
    _emit_draft(result, config, as_json)


def _read_text(file: str) -> str:
    if file == "-":
        try:
            return sys.stdin.read()
        except UnicodeDecodeError as exc:
            raise TextInputError("standard input is not UTF-8 text") from exc
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


@cli.command(epilog=EXIT_CODES)
@click.argument("file", default="-", metavar="[FILE|-]")
@_format_option
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option(
    "--previous",
    metavar="FILE",
    help="The same client's previous note (text), to catch fields copied forward.",
)
def check(file: str, format_id: str | None, as_json: bool, previous: str | None) -> None:
    """Check a dictation (FILE, or standard input) for what a good note needs.

    Findings name a stable code, the field and a suggestion; dictanote never
    rewrites your words. The exit code is 0 whatever is found.
    """
    from .app import Dictation
    from .render import render_findings

    config = _config()
    result = Dictation(config).from_text(
        _read_text(file),
        format_id or config.settings.format,
        previous=_read_text(previous) if previous else None,
    )
    if as_json:
        _print_json({"format": result.format.id, "findings": [f.to_dict() for f in result.findings]})
    elif result.findings:
        click.echo(render_findings(result.findings), nl=False)
    else:
        click.echo("No findings.")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the formats as JSON.")
def formats(as_json: bool) -> None:
    """List the note formats and their fields."""
    from .core.formats import list_formats

    found = list_formats(_config().paths)
    if as_json:
        _print_json(
            [
                {
                    "id": f.id,
                    "label": f.label,
                    "description": f.description,
                    "source": f.source,
                    "fields": [{"id": s.id, "label": s.label, "cues": list(s.cues)} for s in f.fields],
                }
                for f in found
            ]
        )
        return
    for f in found:
        click.echo(f"{f.id:<14} {f.label}: {', '.join(s.label for s in f.fields)}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the models as JSON.")
def models(as_json: bool) -> None:
    """List the Whisper models dictanote can find (offline; nothing is downloaded)."""
    from .transcribe.models import available_models, model_search_dirs

    config = _config()
    found = available_models(config.paths)
    if as_json:
        _print_json([{"name": m.name, "origin": m.origin, "path": str(m.path)} for m in found])
        return
    for m in found:
        default = " (default)" if m.name == config.settings.model else ""
        click.echo(f"{m.name}{default}\t{m.origin}\t{m.path}")
    dirs = ", ".join(str(d) for d in model_search_dirs(config.paths))
    click.echo(
        f"Searched by name: {dirs}. Any CTranslate2 Whisper directory works with --model PATH.",
        err=True,
    )


@cli.group("config")
def config_group() -> None:
    """Inspect settings."""


@config_group.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print settings as JSON.")
def config_show(as_json: bool) -> None:
    """Show every setting, its value and where the value came from."""
    config = _config()
    helps = setting_help()
    rows = [
        {
            "key": k,
            "value": getattr(config.settings, k),
            "source": config.sources[k],
            "help": helps[k],
        }
        for k in helps
    ]
    if as_json:
        _print_json({"settings": rows, "paths": {k: str(v) for k, v in vars(config.paths).items()}})
        return
    for row in rows:
        click.echo(f"{row['key']} = {row['value']!r}\t({row['source']})")
    click.echo(f"config file: {config.paths.config_file}", err=True)


# Command groups that live beside the stage they drive; each module imports only click at load.
def _register() -> None:
    from . import cli_records

    for command in cli_records.COMMANDS:
        cli.add_command(command)
    # --- further command modules register here, one line each ---
    list(map(cli.add_command, __import__("dictanote.daemon.commands", fromlist=["COMMANDS"]).COMMANDS))
    list(map(cli.add_command, __import__("dictanote.review.commands", fromlist=["COMMANDS"]).COMMANDS))
    list(map(cli.add_command, __import__("dictanote.capture.commands", fromlist=["COMMANDS"]).COMMANDS))


_register()


def _one_line(message: str) -> str:
    return " ".join(message.split())


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; turn every error into one line on stderr and an exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        result = cli.main(args=argv, prog_name="dictanote", standalone_mode=False)
    except DictanoteError as exc:
        click.echo(f"dictanote: error: {_one_line(str(exc))}", err=True)
        return exc.exit_code
    except click.ClickException as exc:
        click.echo(f"dictanote: error: {_one_line(exc.format_message())} (see --help)", err=True)
        return exc.exit_code
    except click.Abort:
        click.echo("dictanote: interrupted", err=True)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if debug:
            raise
        log.debug("unexpected error", exc_info=True)
        click.echo(
            f"dictanote: internal error ({type(exc).__name__}); rerun with --debug for a traceback",
            err=True,
        )
        return 1
    return result if isinstance(result, int) else 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
