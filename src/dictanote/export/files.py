"""Export files: an export written where the user asked, readable by its owner alone.

Owns writing one file atomically (a temporary file beside it, fsynced, then renamed)
with mode 0600. Knows nothing of notes, formats or the command line; never logs
what it writes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..core.errors import OutputFileError


def write_private_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by the owner alone, atomically (a reader never sees half)."""
    target = path.expanduser()
    parent = target.parent
    if target.is_dir():
        raise OutputFileError(f"{target} is a directory; give a file name for --output")
    if not parent.is_dir():
        raise OutputFileError(f"cannot write {target}: the directory {parent} does not exist")
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp_name, target)
        tmp_name = None
    except OSError as exc:
        raise OutputFileError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)
