"""Running a desktop tool (a clipboard or typing tool) with text on its standard input.

Owns only the call: the text goes on stdin, never on the command line where ``ps`` shows it,
and no pipe comes back (tools that fork to keep serving, such as xclip, never hang the caller).
Callers turn failures into their own one-line errors.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence


def feed(command: Sequence[str], text: str, timeout_s: float) -> int:
    """Run ``command`` with ``text`` on stdin; its exit status (``OSError``, ``TimeoutExpired`` as raised)."""
    done = subprocess.run(
        list(command),
        input=text.encode("utf-8"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=timeout_s,
        check=False,
    )
    return done.returncode
