"""Export files (``export/files.py``): written whole, owner-only, and never over something that is not a file."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from dictanote.core.config import Config
from dictanote.core.errors import OutputFileError
from dictanote.export import write_private_file
from dictanote.store import Store
from tests.export.notes import run_export


def _fifo(path: Path) -> str:
    os.mkfifo(path)
    return "a named pipe (FIFO)"


def _directory(path: Path) -> str:
    path.mkdir()
    return "a directory"


def _link_to_dev_null(path: Path) -> str:
    path.symlink_to("/dev/null")
    return "a symbolic link"


def _link_to_a_file(path: Path) -> str:
    (path.parent / "real.txt").write_text("kept", encoding="utf-8")
    path.symlink_to(path.parent / "real.txt")
    return "a symbolic link"


def _socket(path: Path) -> str:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind(str(path))
    return "a socket"


MAKERS: dict[str, Callable[[Path], str]] = {
    "fifo": _fifo,
    "directory": _directory,
    "link to /dev/null": _link_to_dev_null,
    "link to a file": _link_to_a_file,
    "socket": _socket,
}


def _what_is_at(path: Path) -> tuple[int, int, str]:
    info = path.lstat()
    return (info.st_ino, stat.S_IFMT(info.st_mode), os.readlink(path) if path.is_symlink() else "")


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_files_refuse_to_replace_what_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "out.txt"
    what = MAKERS[kind](target)
    before = _what_is_at(target)
    with pytest.raises(OutputFileError) as info:
        write_private_file(target, "exported text")
    message = str(info.value)
    assert message.startswith(f"{target} is {what}") and "\n" not in message
    assert _what_is_at(target) == before  # nothing changed at PATH
    assert {p.name for p in tmp_path.iterdir()} <= {"out.txt", "real.txt"}  # no temporary file left
    if kind == "link to a file":
        assert (tmp_path / "real.txt").read_text(encoding="utf-8") == "kept"


@pytest.mark.parametrize("existing", [None, 0o644, 0o666])
def test_files_export_is_owner_only(tmp_path: Path, existing: int | None) -> None:
    target = tmp_path / "note.txt"
    if existing is not None:
        target.write_text("old", encoding="utf-8")
        target.chmod(existing)
    old_umask = os.umask(0)
    try:
        write_private_file(target, "exported text")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8") == "exported text"
    assert [p.name for p in tmp_path.iterdir()] == ["note.txt"]


@pytest.mark.parametrize("kind", ["fifo", "link to /dev/null"])
def test_files_cli_export_over_a_non_file_is_one_line_and_not_recorded(
    config: Config, soap_note: int, tmp_path: Path, kind: str
) -> None:
    target = tmp_path / "out.txt"
    what = MAKERS[kind](target)
    before = _what_is_at(target)
    done = run_export(str(soap_note), "--as", "text", "-o", str(target))
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and f"is {what}" in done.stderr
    assert done.stdout == "" and "Slept" not in done.stderr
    assert _what_is_at(target) == before
    with Store.open(config.paths.data_dir) as store:
        assert not [e for e in store.audit_entries() if e.action == "exported"]
