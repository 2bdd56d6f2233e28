"""Export files: an export written where the user asked, readable by its owner alone.

Owns writing one file atomically (a temporary file beside it, fsynced, then renamed)
with mode 0600. Only a new file or a regular file is ever replaced: never a device,
a pipe, a socket, a directory or a symbolic link. Knows nothing of notes, formats or
the command line; never logs what it writes.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from ..core.errors import OutputFileError

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _check_target(target: Path) -> None:
    """``OutputFileError`` unless ``target`` is absent or a regular file (a symbolic link is refused too)."""
    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputFileError(f"cannot write {target}: {exc.strerror or exc}") from exc
    if stat.S_ISLNK(mode):
        raise OutputFileError(
            f"{target} is a symbolic link; an export replaces the link itself, so it is refused: "
            "give the path of the file it points to, or a new file name"
        )
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "something else")
        raise OutputFileError(
            f"{target} is {kind}, not a regular file; nothing was written: give a file name"
        )


def write_private_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by the owner alone, atomically (a reader never sees half).

    ``path`` must be new or a regular file; anything else there is left as it is (``OutputFileError``).
    """
    target = path.expanduser()
    parent = target.parent
    _check_target(target)
    if not parent.is_dir():
        raise OutputFileError(f"cannot write {target}: the directory {parent} does not exist")
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        _check_target(target)  # again: something may have appeared there while we wrote
        os.replace(tmp_name, target)
        tmp_name = None
    except OSError as exc:
        raise OutputFileError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)
