"""`dictanote store status|encrypt`, and the passphrase as a user meets it: prompt, variable, none."""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import TEST_PASSPHRASE
from tests.util import SAMPLES, assert_one_line_error, run_cli

TEXT = (SAMPLES / "birp-headed.txt").read_text(encoding="utf-8")
NOT_ENCRYPTED = "is not encrypted; run `dictanote store encrypt`"


def _save(data: Path, env: dict[str, str] | None = None) -> None:
    done = run_cli("--data-dir", str(data), "segment", "-", "-f", "birp", "--save", stdin=TEXT, env=env)
    assert done.returncode == 0, done.stderr


def _status(data: Path) -> dict[str, object]:
    done = run_cli("--data-dir", str(data), "store", "status", "--json")
    assert done.returncode == 0, done.stderr
    found: dict[str, object] = json.loads(done.stdout)
    return found


def _no_terminal(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    """``dictanote ARGS`` in a new session: no controlling terminal to ask a passphrase on."""
    exe = shutil.which("dictanote", path=str(Path(sys.executable).parent)) or "dictanote"
    return subprocess.run(
        [exe, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        input=stdin,
        start_new_session=True,
        timeout=120,
        check=False,
    )


def test_cli_store_status_says_what_is_encrypted_and_where_keys_are(tmp_path: Path) -> None:
    data = tmp_path / "store"
    assert _status(data)["files"] == {"clinical": "absent", "private": "absent"}
    _save(data)
    found = _status(data)
    assert found["files"] == {"clinical": "encrypted", "private": "encrypted"}
    assert (found["database_keys"], found["audit_keys"], found["leftovers"]) == (
        "passphrase",
        "passphrase",
        [],
    )
    text = run_cli("--data-dir", str(data), "store", "status").stdout
    assert "clinical.db: encrypted" in text and TEST_PASSPHRASE not in text


def test_cli_store_encrypt_moves_a_plain_store(tmp_path: Path) -> None:
    data = tmp_path / "store"
    _save(data, env={"DICTANOTE_ENCRYPT_STORE": "false"})  # as before encryption: plain files
    _save(data, env={"DICTANOTE_ENCRYPT_STORE": "false"})
    assert _status(data)["files"] == {"clinical": "plain", "private": "plain"}
    listed = run_cli("--data-dir", str(data), "drafts", "list", "--json")
    assert listed.returncode == 0, listed.stderr  # it opens, and says so once per file
    assert [line.split("/")[-1] for line in listed.stderr.splitlines()] == [
        f"clinical.db {NOT_ENCRYPTED}",
        f"private.db {NOT_ENCRYPTED}",
    ]
    done = run_cli("--data-dir", str(data), "store", "encrypt")
    assert done.returncode == 0, done.stderr
    assert "clinical.db: encrypted (" in done.stdout and "private.db: encrypted (" in done.stdout
    assert "clinical audit log: intact" in done.stdout
    assert _status(data)["files"] == {"clinical": "encrypted", "private": "encrypted"}
    after = run_cli("--data-dir", str(data), "drafts", "list", "--json")
    assert after.returncode == 0 and NOT_ENCRYPTED not in after.stderr
    assert json.loads(after.stdout) == json.loads(listed.stdout)
    assert run_cli("--data-dir", str(data), "audit", "verify").returncode == 0
    again = run_cli("--data-dir", str(data), "store", "encrypt")
    assert again.returncode == 0 and "clinical.db: already encrypted" in again.stdout


def test_cli_store_wrong_passphrase_is_one_line_exit_4(tmp_path: Path) -> None:
    data = tmp_path / "store"
    _save(data)
    wrong = run_cli("--data-dir", str(data), "drafts", "list", env={"DICTANOTE_PASSPHRASE": "not it at all"})
    assert_one_line_error(wrong, code=4)
    assert "cannot unlock the note store" in wrong.stderr and "wrong passphrase or key" in wrong.stderr


def test_cli_store_no_keyring_no_passphrase_no_terminal_says_how(tmp_path: Path) -> None:
    data = tmp_path / "store"
    for args in (["drafts", "list"], ["segment", "-", "--save"]):
        done = _no_terminal("--data-dir", str(data), *args, env={"DICTANOTE_PASSPHRASE": ""}, stdin=TEXT)
        assert_one_line_error(done, code=4)
        assert "DICTANOTE_PASSPHRASE" in done.stderr and "terminal" in done.stderr
    assert not (data / "keys" / "salt").exists()


def _in_a_terminal(args: list[str], env: dict[str, str], typed: list[str]) -> tuple[int, str]:
    """Run ``dictanote ARGS`` with a pseudo-terminal as its controlling terminal; type each line at each prompt."""
    exe = shutil.which("dictanote", path=str(Path(sys.executable).parent)) or "dictanote"
    pid, fd = pty.fork()
    if pid == 0:  # the child: its terminal is the pty
        os.execve(exe, [exe, *args], {**os.environ, **env})
    seen = b""
    answers = list(typed)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 1.0)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            # The prompt's last space is written once input is hidden (and pending input flushed).
            if answers and seen.endswith(b": "):
                os.write(fd, answers.pop(0).encode() + b"\n")
    finally:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == 0:
            os.kill(pid, signal.SIGKILL)  # stuck at a prompt: fail, do not hang
            _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")


@pytest.mark.parametrize("new", [True, False], ids=["new store: asked twice", "existing store"])
def test_cli_store_asks_for_the_passphrase_on_the_terminal(tmp_path: Path, new: bool) -> None:
    data = tmp_path / "store"
    if not new:
        _save(data)  # with the test passphrase from the environment
    typed = [TEST_PASSPHRASE, TEST_PASSPHRASE] if new else [TEST_PASSPHRASE]
    code, screen = _in_a_terminal(
        ["--data-dir", str(data), "drafts", "list", "--json"], {"DICTANOTE_PASSPHRASE": ""}, typed
    )
    assert code == 0, screen
    prompt = "New passphrase for the encrypted note store" if new else "Passphrase of the note store"
    assert prompt in screen and TEST_PASSPHRASE not in screen  # hidden input
    listed = run_cli(
        "--data-dir", str(data), "drafts", "list", "--json"
    )  # same passphrase, from the variable
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == (0 if new else 1)


def test_cli_store_config_show_never_prints_the_passphrase() -> None:
    shown = run_cli("config", "show", env={"DICTANOTE_PASSPHRASE": "another secret phrase"})
    assert shown.returncode == 0, shown.stderr
    assert "encrypt_store = True" in shown.stdout and "another secret phrase" not in shown.stdout


@pytest.mark.parametrize(
    "args", [["daemon", "--no-capture", "--no-notify"], ["review", "--no-browser"], ["record", "--save"]]
)
def test_cli_store_daemon_review_and_record_unlock_at_start(tmp_path: Path, args: list[str]) -> None:
    data = tmp_path / "store"
    _save(data)
    done = _no_terminal("--data-dir", str(data), *args, env={"DICTANOTE_PASSPHRASE": ""})
    assert_one_line_error(done, code=4)  # at start, not at the first save in the background
    assert "the note store's passphrase is needed" in done.stderr
