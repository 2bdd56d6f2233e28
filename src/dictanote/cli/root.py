"""The root ``dictanote`` group, the one list of its commands, and ``main``: errors become one line here.

Global options (-v, --debug, --data-dir, --version) and logging are set up here and
nowhere else; every DictanoteError, usage error, interrupt or unexpected failure is
turned into one line on stderr and an exit code in ``main``, never a traceback (but
with --debug). Command modules only define commands; this module registers them.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from .. import __version__
from ..core.errors import DictanoteError
from . import (
    clients,
    daemon,
    dictate,
    drafts_client,
    export,
    goals,
    info,
    models,
    plans,
    record,
    records,
    review,
    sessions,
    store,
)
from .common import EXIT_CODES, echo

log = logging.getLogger(__name__)


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
    del data_dir  # read by common.get_config() from the root context


# The one registration list: each command (or group) and the group it belongs to.
COMMANDS: tuple[tuple[click.Group, click.Command], ...] = (
    (cli, dictate.transcribe),
    (cli, dictate.segment),
    (cli, dictate.draft),
    (cli, dictate.check),
    (cli, record.record),
    (cli, daemon.daemon),
    (cli, daemon.start),
    (cli, daemon.stop),
    (cli, daemon.toggle),
    (cli, daemon.cancel),
    (cli, daemon.status),
    (cli, records.drafts),
    (records.drafts, drafts_client.drafts_client),
    (records.drafts, goals.drafts_goals),
    (records.drafts, goals.drafts_link),
    (cli, records.notes),
    (records.notes, export.export),
    (cli, records.audit),
    (cli, review.review),
    (cli, clients.clients),
    (cli, sessions.sessions),
    (cli, plans.plans),
    (cli, store.store),
    (cli, info.formats),
    (cli, models.models),
    (models.models, models.list_models),
    (models.models, models.add),
    (cli, info.config_group),
    (cli, info.devices),
)
for _group, _command in COMMANDS:
    _group.add_command(_command)


def _one_line(message: str) -> str:
    return " ".join(message.split())


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; turn every error into one line on stderr and an exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        result = cli.main(args=argv, prog_name="dictanote", standalone_mode=False)
    except DictanoteError as exc:
        echo(f"dictanote: error: {_one_line(str(exc))}", err=True)
        return exc.exit_code
    except click.ClickException as exc:
        echo(f"dictanote: error: {_one_line(exc.format_message())} (see --help)", err=True)
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
