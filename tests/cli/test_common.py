"""What the commands share: the Config of an invocation, printing a draft, reporting a save, the progress bar."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from dictanote.app import Dictation, DraftResult
from dictanote.cli import common
from dictanote.cli.root import cli
from tests.util import assert_one_line_error, make_draft, run_cli


def _in_root(data_dir: Path | None) -> click.Context:
    ctx = click.Context(cli, info_name="dictanote")
    ctx.params["data_dir"] = data_dir
    return ctx


def test_cli_common_config_takes_root_data_dir_and_flags(tmp_path: Path) -> None:
    with _in_root(tmp_path / "store"):
        config = common.get_config(beam_size=2, model=None)
        dictation = common.get_dictation()
    assert config.paths.data_dir == dictation.config.paths.data_dir == tmp_path / "store"
    assert (config.settings.beam_size, config.sources["beam_size"]) == (2, "command line")
    assert config.sources["model"] == "default"


def test_cli_common_config_follows_the_environment_without_flags(
    isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DICTANOTE_FORMAT", "dap")
    with _in_root(None):
        config = common.get_config()
    assert (config.settings.format, config.sources["format"]) == ("dap", "env DICTANOTE_FORMAT")
    assert config.paths.runtime_dir == isolated_dirs["runtime"] / "dictanote"


def _result(dictation: Dictation, private: bool = False) -> DraftResult:
    draft = make_draft(
        "dap",
        {"data": ["Client arrived early."], "plan": ["Meet next week."]},
        private={"reflections": ["I felt rushed."]} if private else None,
    )
    return DraftResult(draft, dictation.format("dap"), (), private_format=dictation.private_format)


@pytest.mark.parametrize("as_json", [False, True])
def test_cli_common_echo_draft_prints_markdown_or_the_json_contract(
    dictation: Dictation, capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    result = _result(dictation)
    common.echo_draft(dictation, result, as_json)
    out, err = capsys.readouterr()
    assert err == ""
    if as_json:
        assert json.loads(out) == result.to_json()
    else:
        assert out == dictation.render_result(result)
        assert "## Data\nClient arrived early." in out


@pytest.mark.parametrize(
    ("private", "line"),
    [
        (False, "dictanote: saved as draft 1 in the inbox\n"),
        (True, "dictanote: saved as draft 1 in the inbox (with a private psychotherapy note)\n"),
    ],
)
def test_cli_common_save_draft_reports_id_and_inbox(
    dictation: Dictation, capsys: pytest.CaptureFixture[str], private: bool, line: str
) -> None:
    stored = common.save_draft(dictation, _result(dictation, private), source="test")
    assert stored.id == 1 and stored.source == "test"
    out, err = capsys.readouterr()
    assert (out, err) == ("", line)
    assert "rushed" not in err


def test_cli_common_messages_go_to_stderr_and_json_keeps_accents(capsys: pytest.CaptureFixture[str]) -> None:
    common.warn("the transcript is empty")
    common.tell("recording")
    common.print_json({"label": "Évaluation"})
    out, err = capsys.readouterr()
    assert err == "dictanote: warning: the transcript is empty\ndictanote: recording\n"
    assert out == '{\n  "label": "Évaluation"\n}\n'


def test_cli_common_progress_bar_draws_then_ends_the_line(capsys: pytest.CaptureFixture[str]) -> None:
    bar = common.ProgressBar(total_s=60.0)
    bar(0.5)
    bar(1.0)
    bar(1.0)  # a second "done" draws nothing
    err = capsys.readouterr().err
    assert err.count("\rtranscribing [") == 2 and err.endswith("100%     60/60 s\n")
    assert "[###############...............]  50%     30/60 s" in err


def test_cli_common_progress_only_on_a_terminal() -> None:
    assert common.progress(60.0) is None  # pytest's stderr is not a terminal


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("title \x1b]0;pwned\x07 set", "title \\u001b]0;pwned\\u0007 set"),
        ("clear \x1b[2J screen", "clear \\u001b[2J screen"),
        ("C1 CSI \x9b31m red, NEL \x85", "C1 CSI \\u009b31m red, NEL \\u0085"),
        (
            "back\x08\x08space, DEL\x7f, CR\roverwrite, NUL\x00",
            "back\\u0008\\u0008space, DEL\\u007f, CR\\u000doverwrite, NUL\\u0000",
        ),
        ("lines\nand\ttabs stay", "lines\nand\ttabs stay"),
        ("Ñandú 東京 Я устал 🙂", "Ñandú 東京 Я устал 🙂"),
    ],
)
def test_cli_common_printable_shows_control_characters_as_escapes(raw: str, shown: str) -> None:
    assert common.printable(raw) == shown


def test_cli_common_json_escapes_every_control_character_and_round_trips(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = {"text": "a\x1b]0;x\x07 b\x9b2J c\x7f d\\\x85 é", "client": "J\x1b[2JD"}
    common.print_json(data)
    out = capsys.readouterr().out
    assert not [c for c in out if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F]
    assert json.loads(out) == data  # nothing lost: the escapes are JSON's own


@pytest.mark.parametrize(
    ("command", "after"),
    [(("drafts", "show"), ()), (("notes", "show"), ()), (("notes", "export"), ("--as", "text"))],
)
def test_cli_common_record_id_beyond_any_record_exits_2_with_one_line(
    command: tuple[str, ...], after: tuple[str, ...]
) -> None:
    result = run_cli(*command, "9" * 25, *after)
    assert_one_line_error(result)
    assert "9" * 25 in result.stderr


def _id_arguments(group: click.Group, path: str = "") -> Iterator[tuple[str, click.Parameter]]:
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _id_arguments(command, f"{path}{name} ")
        for param in command.params:
            if isinstance(param, click.Argument) and (param.name or "").endswith("_id"):
                yield f"{path}{name} {param.name}", param


def test_cli_common_every_record_id_argument_is_a_record_id() -> None:
    found = dict(_id_arguments(cli))
    assert {"drafts show draft_id", "notes show note_id", "notes export note_id"} <= set(found)
    assert {where for where, param in found.items() if param.type is not common.RECORD_ID} == set()
