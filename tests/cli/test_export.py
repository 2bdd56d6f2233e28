"""`dictanote notes export`: in process (where the export goes, when its audit entry is written), then
as a user types it (a child process over a real store: stdout, an owner-only file, one-line errors).

The export kinds themselves and a real clipboard under Xvfb are tested in tests/export/.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import dictanote.export
from dictanote.app import Dictation, DraftResult
from dictanote.cli import export as command
from dictanote.cli.root import main
from dictanote.core.config import Config
from dictanote.store import Store
from tests.export.notes import draft_in, finalize, format_of, run_export
from tests.util import make_draft, signable


@pytest.fixture
def note_id(dictation: Dictation) -> int:
    """A signed DAP note in the user's store."""
    draft = make_draft("dap", {"data": ["Client arrived early."], "plan": ["Meet next week."]})
    with dictation.open_store() as store:
        stored = dictation.save(DraftResult(signable(store, draft), dictation.format("dap"), ()), store=store)
        return store.finalize_draft(stored.id, expected_version=None, signed_by="A. Lee").id


def _exports(dictation: Dictation) -> int:
    with dictation.open_store() as store:
        return sum(e.action == "exported" for e in store.audit_entries())


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch, dictation: Dictation) -> list[str]:
    """What happened, in order: the clipboard copied, held and given back, the wait, and each export recorded."""
    seen: list[str] = []

    def mark(what: str) -> None:
        seen.append(f"{what} (exports recorded: {_exports(dictation)})")

    @contextmanager
    def held(clipboard: Any, text: str, tell: Any) -> Iterator[None]:
        mark("held")
        yield
        mark("given back")

    clipboard = SimpleNamespace(copy=lambda text: mark("copied"))
    monkeypatch.setattr(dictanote.export, "find_clipboard", lambda: clipboard)
    monkeypatch.setattr(dictanote.export, "held", held)
    monkeypatch.setattr(command, "time", SimpleNamespace(sleep=lambda s: mark(f"waited {s:g} s")))
    return seen


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--copy"], ["copied (exports recorded: 0)"]),
        (
            ["--copy", "--restore-after", "5"],
            [
                "held (exports recorded: 0)",
                "waited 5 s (exports recorded: 1)",
                "given back (exports recorded: 1)",
            ],
        ),
    ],
)
def test_cli_export_is_recorded_after_the_copy_and_before_the_wait(
    events: list[str], dictation: Dictation, note_id: int, args: list[str], expected: list[str]
) -> None:
    assert main(["notes", "export", str(note_id), "--as", "text", *args]) == 0
    assert events == expected
    assert _exports(dictation) == 1


def test_cli_export_to_stdout_is_the_note_and_is_recorded(
    dictation: Dictation, note_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["notes", "export", str(note_id), "--as", "markdown"]) == 0
    out, err = capsys.readouterr()
    assert "Client arrived early." in out and err == ""
    assert _exports(dictation) == 1


def test_cli_export_that_could_not_be_written_is_not_recorded(
    dictation: Dictation, note_id: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "note.txt"
    assert main(["notes", "export", str(note_id), "--as", "text", "-o", str(target)]) == 2
    assert "the directory" in capsys.readouterr().err
    assert _exports(dictation) == 0


def test_cli_export_restore_after_needs_copy(
    events: list[str], note_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["notes", "export", str(note_id), "--as", "text", "--restore-after", "3"]) == 2
    assert capsys.readouterr().err == "dictanote: error: --restore-after needs --copy (see --help)\n"
    assert events == []


# --- as a user types it: a child process over a real store ---------------------------


def test_cli_export_command_prints_and_audits(config: Config, soap_note: int) -> None:
    done = run_export(str(soap_note), "--as", "text")
    assert done.returncode == 0, done.stderr
    assert "SUBJECTIVE\nSlept through most nights." in done.stdout
    assert "Slept" not in done.stderr
    with Store.open(config.paths.data_dir) as store:
        exported = [e for e in store.audit_entries() if e.action == "exported"]
    assert [(e.object_id, e.detail.get("kind")) for e in exported] == [(soap_note, "text")]
    assert "Slept" not in json.dumps([vars(e) for e in exported])


def test_cli_export_command_writes_an_owner_only_fhir_file(
    config: Config, soap_note: int, tmp_path: Path
) -> None:
    from fhir.resources.R4B.bundle import Bundle

    target = tmp_path / "note.json"
    done = run_export(str(soap_note), "--as", "fhir", "--output", str(target))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    data = json.loads(target.read_text(encoding="utf-8"))
    Bundle.model_validate(data)
    assert "Slept through most nights." in data["entry"][0]["resource"]["section"][0]["text"]["div"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".note.json")] == []  # no temp left


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("999", "--as", "text"), "999"),
        (("1", "--as", "pdf"), "pdf"),
        (("1", "--as", "text", "--restore-after", "2"), "--restore-after needs --copy"),
        (("1", "--as", "text", "--output", "/nonexistent/dir/x.txt"), "does not exist"),
        (("1", "--as", "text", "--copy", "--restore-after", "0"), "restore-after"),
    ],
)
def test_cli_export_command_bad_input_is_one_line(
    config: Config, soap_note: int, args: tuple[str, ...], message: str
) -> None:
    done = run_export(*args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert message in done.stderr
    assert done.stdout == ""


def test_cli_export_command_psychotherapy_note_needs_private(config: Config) -> None:
    note_id = finalize(
        config, draft_in(format_of(config, "psychotherapy"), reflections="Canary walrus feeling.")
    )
    refused = run_export(str(note_id), "--as", "markdown")
    assert refused.returncode == 2 and "walrus" not in refused.stdout + refused.stderr
    allowed = run_export(str(note_id), "--as", "markdown", "--private")
    assert allowed.returncode == 0, allowed.stderr
    assert "Canary walrus feeling." in allowed.stdout


def test_cli_export_command_without_a_clipboard_says_so(
    config: Config, soap_note: int, tmp_path: Path
) -> None:
    env = {"DISPLAY": "", "WAYLAND_DISPLAY": ""}
    done = run_export(str(soap_note), "--as", "text", "--copy", env=env)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no clipboard" in done.stderr
    assert done.stdout == ""
    with Store.open(config.paths.data_dir) as store:
        assert not [e for e in store.audit_entries() if e.action == "exported"]


def test_cli_export_command_offers_every_kind() -> None:
    from dictanote.cli.export import export
    from dictanote.export import EXPORT_KINDS

    kind = next(p for p in export.params if p.name == "kind")
    assert tuple(kind.type.choices) == EXPORT_KINDS  # type: ignore[attr-defined]
