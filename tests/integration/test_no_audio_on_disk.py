"""Audio never touches the disk: a full capture-to-draft run writes only the store's text.

``dictanote record --save`` records a dictation from the virtual microphone,
transcribes it while it is spoken and saves the draft. Meanwhile every file
under the data, config, cache, runtime and temp directories is compared
before and after (path, size, modification time), and every file the process
tree opens for writing anywhere is traced: with strace where it is installed and allowed,
else by polling /proc for open descriptors. The only files allowed to change
are the store's SQLite databases (and their WAL/SHM companions).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.util import sample_audio

STORE_FILE = re.compile(r"(clinical|private)\.db(-wal|-shm|-journal)?$")
# Where writes are harmless: devices, the kernel's views, anonymous memory.
NOT_DISK = ("/dev/", "/proc/", "/sys/", "pipe:", "socket:", "anon_inode:", "/memfd:")
WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND")


def _snapshot(roots: list[Path]) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for root in roots:
        if not root.exists():
            continue
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                path = os.path.join(dirpath, name)
                try:
                    st = os.lstat(path)
                except FileNotFoundError:
                    continue
                found[path] = (st.st_size, st.st_mtime_ns)
    return found


def _poll_open_files(pid: int, seen: set[str], stop: threading.Event) -> None:
    """Every regular file the process holds open for writing, sampled every 10 ms."""
    while not stop.wait(0.01):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            return
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                flags = int(Path(f"/proc/{pid}/fdinfo/{fd}").read_text().split("flags:")[1].split()[0], 8)
            except (OSError, IndexError, ValueError):
                continue
            if flags & (os.O_WRONLY | os.O_RDWR):
                seen.add(target)


def _working_strace() -> str | None:
    """strace, where it is installed and allowed to trace here (containers may forbid ptrace)."""
    exe = shutil.which("strace")
    if exe is None:
        return None
    probe = subprocess.run(
        [exe, "-f", "-qq", "--seccomp-bpf", "-e", "trace=openat", "-o", os.devnull, "true"],
        capture_output=True,
        check=False,
    )
    return exe if probe.returncode == 0 else None


def _strace_writes(trace: Path) -> set[str]:
    written = set()
    pattern = re.compile(r'(?:open|openat|creat)\((?:AT_FDCWD, )?"([^"]+)", ([A-Z_|]+)')
    for line in trace.read_text(encoding="utf-8", errors="replace").splitlines():
        match = pattern.search(line)
        if match and ("creat(" in line or any(flag in match.group(2) for flag in WRITE_FLAGS)):
            written.add(match.group(1))
        elif re.search(r"\b(rename|renameat2?|link|linkat|mknodat?|truncate)\(", line):
            written.update(re.findall(r'"([^"]+)"', line))
    return written


def _allowed(path: str, data_dir: Path, harness: tuple[Path, ...]) -> bool:
    """The store's databases and key folder, non-disk targets, and the test harness's own files."""
    if path.startswith(NOT_DISK):
        return True
    resolved = os.path.realpath(path)
    if resolved.startswith(str(data_dir)) and STORE_FILE.search(resolved):
        return True
    if resolved.startswith(f"{data_dir / 'keys'}{os.sep}"):
        return True  # the store's key salt (or key record), made when the store is first opened
    # the sound server's client cookie (in the test server's directory) and strace's own log
    return any(resolved == str(p) or resolved.startswith(f"{p}{os.sep}") for p in harness)


@pytest.mark.audio
@pytest.mark.slow
def test_no_audio_on_disk_during_capture_to_draft(
    pulse_audio: Any, isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    data = isolated_dirs["data"] / "dictanote"
    env = {
        **os.environ,
        **pulse_audio.env,
        "TMPDIR": str(tmp),
        "TMP": str(tmp),
        "TEMP": str(tmp),
        "DICTANOTE_HOME": str(data),
    }
    watched = [*isolated_dirs.values(), tmp]
    before = _snapshot(watched)
    exe = str(Path(sys.executable).parent / "dictanote")
    command = [exe, "record", "-f", "birp", "--save", "--silence-stop", "1.5"]
    trace = tmp_path / "strace.txt"  # outside every watched directory
    strace = _working_strace()
    if strace:
        command = [strace, "-f", "-qq", "--seccomp-bpf", "-e", "status=successful", "-o", str(trace),
                   "-e", "trace=open,openat,creat,rename,renameat,renameat2,link,linkat,mknodat,truncate",
                   *command]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    opened: set[str] = set()
    stop = threading.Event()
    poller = threading.Thread(target=_poll_open_files, args=(proc.pid, opened, stop), daemon=True)
    poller.start()
    assert proc.stderr is not None
    ready = proc.stderr.readline()
    assert "recording" in ready, ready
    seconds = pulse_audio.mic.play(sample_audio("birp-unheaded", seconds=8.0), tail_s=2.5)
    out, err = proc.communicate(timeout=seconds + 120)
    stop.set()
    poller.join()
    assert proc.returncode == 0, err
    assert "saved as draft 1" in err
    assert "## Behavior" in out

    after = _snapshot(watched)
    changed = {p for p in after if before.get(p) != after[p]} | (set(before) - set(after))
    harness = (pulse_audio.server.base, trace)
    unexpected = sorted(p for p in changed if not _allowed(p, data, harness))
    assert unexpected == [], f"files written during capture: {unexpected}"
    assert any(STORE_FILE.search(p) for p in changed), "the draft was saved in the store"
    assert not any(tmp.iterdir()), "nothing in the temp directory"

    written = set(opened)
    if strace:
        written |= _strace_writes(trace)
        assert any(STORE_FILE.search(p) for p in written), "the trace sees the store being written"
    stray = sorted(p for p in written if not _allowed(p, data, harness))
    assert stray == [], f"opened for writing during capture: {stray}"
