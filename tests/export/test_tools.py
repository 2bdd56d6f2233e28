"""export/tools.py: a tool gets the text on stdin, never in its arguments, and its exit status comes back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dictanote.export.tools import feed


def test_tools_feed_gives_the_text_on_stdin(tmp_path: Path) -> None:
    out = tmp_path / "got.txt"
    code = "import sys; open(sys.argv[1], 'wb').write(sys.stdin.buffer.read())"
    assert feed([sys.executable, "-c", code, str(out)], "Plan: weekly ✓\n", 10) == 0
    assert out.read_text(encoding="utf-8") == "Plan: weekly ✓\n"


def test_tools_feed_returns_the_exit_status_and_raises_what_cannot_run(tmp_path: Path) -> None:
    assert feed([sys.executable, "-c", "import sys; sys.exit(3)"], "x", 10) == 3
    with pytest.raises(OSError):
        feed([str(tmp_path / "no-such-tool")], "x", 10)
    with pytest.raises(subprocess.TimeoutExpired):
        feed([sys.executable, "-c", "import time; time.sleep(5)"], "x", 0.2)
