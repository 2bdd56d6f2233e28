"""The root group: global options, the one registration list, and ``main``'s one place for errors."""

from __future__ import annotations

import subprocess
import sys
from types import ModuleType
from typing import Any

import click
import pytest

from dictanote import __version__
from dictanote.cli import (
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
from dictanote.cli.root import COMMANDS, cli, main
from dictanote.core.errors import CaptureError, DaemonNotRunningError, StoreError, UnknownFormatError
from tests.util import assert_one_line_error, run_cli

COMMAND_MODULES = (
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
EVERY_COMMAND = {
    *("transcribe", "segment", "draft", "check", "record", "review", "formats", "models", "devices"),
    *("daemon", "start", "stop", "toggle", "cancel", "status"),
    *(
        "drafts",
        "drafts list",
        "drafts show",
        "drafts edit",
        "drafts finalize",
        "drafts discard",
        "drafts due",
        "drafts client",
        "drafts goals",
        "drafts link",
    ),
    *(
        "notes",
        "notes list",
        "notes show",
        "notes export",
        "notes amend",
        "audit",
        "audit verify",
        "audit log",
    ),
    *("config", "config show", "store", "store status", "store encrypt", "models list", "models add"),
    *("clients", "clients add", "clients list", "clients show", "clients edit", "clients archive"),
    *("plans", "plans show", "plans edit"),
    *("sessions", "sessions noshow", "sessions list"),
}


def _tree(command: click.Command, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], click.Command]:
    found = {path: command}
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            found.update(_tree(sub, (*path, name)))
    return found


@pytest.mark.parametrize("module", COMMAND_MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_cli_main_registers_every_command_of_every_module(module: ModuleType) -> None:
    registered = list(_tree(cli).values())
    defined = [v for v in vars(module).values() if isinstance(v, click.Command)]
    assert defined, f"{module.__name__} defines no command"
    for command in defined:
        assert sum(c is command for c in registered) == 1, f"{command.name} is not registered once"


def test_cli_main_registers_the_commands_users_know() -> None:
    assert {" ".join(path) for path in _tree(cli) if path} == EVERY_COMMAND
    assert len(COMMANDS) == len({id(command) for _, command in COMMANDS})


@pytest.mark.parametrize(
    ("error", "code", "line"),
    [
        (UnknownFormatError("no note format 'x'"), 2, "dictanote: error: no note format 'x'"),
        (StoreError("the store\n  is locked"), 4, "dictanote: error: the store is locked"),
        (CaptureError("the microphone went away"), 5, "dictanote: error: the microphone went away"),
        (DaemonNotRunningError("no daemon"), 6, "dictanote: error: no daemon"),
        (click.UsageError("no such option"), 2, "dictanote: error: no such option (see --help)"),
        (click.Abort(), 130, "dictanote: interrupted"),
        (KeyError("x"), 1, "dictanote: internal error (KeyError); rerun with --debug for a traceback"),
    ],
)
def test_cli_main_turns_every_error_into_one_line_and_a_code(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: BaseException,
    code: int,
    line: str,
) -> None:
    def fail(**_: Any) -> None:
        raise error

    monkeypatch.setattr(cli, "main", fail)
    assert main(["formats"]) == code
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", line + "\n")


def test_cli_main_broken_pipe_is_quiet_success(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(**_: Any) -> None:
        raise BrokenPipeError

    monkeypatch.setattr(cli, "main", fail)
    assert main(["formats"]) == 0
    assert capsys.readouterr().err == ""


def test_cli_main_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(**_: Any) -> None:
        raise KeyError("x")

    monkeypatch.setattr(cli, "main", fail)
    with pytest.raises(KeyError):
        main(["--debug", "formats"])


@pytest.mark.parametrize(
    "args",
    [
        ["transcribe"],
        ["transcribe", "a.wav", "--bogus"],
        ["nosuchcommand"],
        ["transcribe", "a.wav", "--threads", "0"],
    ],
)
def test_cli_main_usage_errors_exit_2_with_one_line(args: list[str]) -> None:
    assert_one_line_error(run_cli(*args))


def test_cli_main_version_and_module_entry_point() -> None:
    assert run_cli("--version").stdout == f"dictanote, version {__version__}\n"
    done = subprocess.run(
        [sys.executable, "-m", "dictanote", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "Exit codes:" in done.stdout


def test_cli_main_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from dictanote.cli import main; rc = main(['--help']); "
        "heavy = [m for m in ('faster_whisper', 'spacy', 'jinja2', 'sounddevice', 'numpy') if m in sys.modules]; "
        "print(heavy, file=sys.stderr); sys.exit(1 if heavy else rc)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
