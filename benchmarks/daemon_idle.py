"""Measure the daemon at rest: CPU while idle and resident memory with the model loaded.

Starts a private PulseAudio (a null sink whose monitor is the default input, so
an armed daemon reads real, silent frames in real time), then runs
``dictanote daemon`` in isolated directories in each mode:

- ``socket-only``: ``--no-capture`` (the socket and state machine, no model);
- ``lazy``: ``--no-arm`` (model and segmenter loaded, input stream closed while idle);
- ``armed``: the default (model loaded, input stream open, 0.5 s pre-roll kept).

For each: seconds to ready, RSS after startup, CPU % of one core over the idle
window (psutil ``cpu_times`` of the process, user+system), then one short
dictation (``start``, 3 s of silence, ``stop``) and RSS and idle CPU again.
Targets: < 1 % of a core idle, < 350 MB RSS.

    .venv/bin/python benchmarks/daemon_idle.py [--idle-s 30] [--modes lazy,armed]

Prints a table; writes benchmarks/results/daemon_idle.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from dictanote.daemon import Request, ping, send, socket_path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "daemon_idle.json"
MODES = {
    "socket-only": ["--no-capture"],
    "lazy": ["--no-arm"],
    "armed": ["--arm"],
}
CPU_TARGET_PCT = 1.0
RSS_TARGET_MB = 350.0


def start_pulseaudio(home: Path) -> subprocess.Popen[bytes] | None:
    """A private PulseAudio server with a null sink; its monitor is the default source."""
    exe = shutil.which("pulseaudio")
    if exe is None:
        print("no pulseaudio: armed mode uses whatever input device exists", file=sys.stderr)
        return None
    runtime = home / "pulse"
    runtime.mkdir()
    os.environ.update(PULSE_RUNTIME_PATH=str(runtime), PULSE_STATE_PATH=str(runtime))
    proc = subprocess.Popen(
        [
            exe,
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disable-shm=yes",
            "--log-level=error",
            "-L",
            "module-native-protocol-unix",
            "-L",
            "module-null-sink sink_name=bench rate=16000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while subprocess.run(["pactl", "info"], capture_output=True, check=False).returncode != 0:
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise SystemExit("pulseaudio did not start")
        time.sleep(0.1)
    subprocess.run(["pactl", "set-default-source", "bench.monitor"], check=True, capture_output=True)
    return proc


def cpu_seconds(proc: psutil.Process) -> float:
    """User + system CPU seconds of the process (all its threads)."""
    t = proc.cpu_times()
    return float(t.user + t.system)


def idle_cpu_pct(proc: psutil.Process, seconds: float) -> float:
    """Percent of one core the process used over ``seconds`` of wall time."""
    before, started = cpu_seconds(proc), time.monotonic()
    time.sleep(seconds)
    return 100.0 * (cpu_seconds(proc) - before) / (time.monotonic() - started)


def rss_mb(proc: psutil.Process) -> float:
    """Resident memory in MB."""
    return float(proc.memory_info().rss) / 1e6


def measure(mode: str, idle_s: float, settle_s: float) -> dict[str, Any]:
    """Start the daemon in ``mode``, measure it at rest, after one dictation, and stop it."""
    exe = shutil.which("dictanote", path=str(Path(sys.executable).parent)) or "dictanote"
    sock = socket_path(Path(os.environ["XDG_RUNTIME_DIR"]) / "dictanote")
    started = time.monotonic()
    daemon = subprocess.Popen(
        [exe, "daemon", "--no-notify", "--no-tones", *MODES[mode]],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        while ping(sock, timeout=0.5) is None:
            if daemon.poll() is not None:
                err = daemon.stderr.read().decode() if daemon.stderr else ""
                raise SystemExit(f"{mode}: the daemon exited {daemon.returncode}: {err[-800:]}")
            time.sleep(0.05)
        ready_s = time.monotonic() - started
        proc = psutil.Process(daemon.pid)
        time.sleep(settle_s)
        row: dict[str, Any] = {
            "mode": mode,
            "ready_s": round(ready_s, 2),
            "rss_mb": round(rss_mb(proc), 1),
            "threads": proc.num_threads(),
            "idle_cpu_pct": round(idle_cpu_pct(proc, idle_s), 3),
        }
        if mode != "socket-only":
            send(sock, Request("start"))
            time.sleep(3.0)
            reply = send(sock, Request("stop"))
            row["dictation_ok"] = bool(reply.get("ok"))
            time.sleep(settle_s)
            row["rss_after_dictation_mb"] = round(rss_mb(proc), 1)
            row["idle_cpu_after_dictation_pct"] = round(idle_cpu_pct(proc, idle_s), 3)
        return row
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(60)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle-s", type=float, default=30.0, help="Idle window per measurement.")
    parser.add_argument("--settle-s", type=float, default=3.0, help="Wait before measuring.")
    parser.add_argument("--modes", default=",".join(MODES), help=f"Comma-separated: {', '.join(MODES)}.")
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    unknown = sorted(set(modes) - set(MODES))
    if unknown:
        parser.error(f"unknown mode {unknown[0]!r}; available: {', '.join(MODES)}")

    with tempfile.TemporaryDirectory(prefix="dn-bench-") as tmp:
        home = Path(tmp)
        for name in ("config", "data", "cache", "runtime"):
            (home / name).mkdir(mode=0o700)
        os.environ.update(
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_DATA_HOME=str(home / "data"),
            XDG_CACHE_HOME=str(home / "cache"),
            XDG_RUNTIME_DIR=str(home / "runtime"),
            DICTANOTE_HOME=str(home / "data" / "dictanote"),
            # The scratch store is encrypted like a user's, with a throwaway passphrase; never the
            # user's keyring.
            DICTANOTE_PASSPHRASE="benchmark scratch store",
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        )
        pulse = start_pulseaudio(home)
        try:
            rows = [measure(mode, args.idle_s, args.settle_s) for mode in modes]
        finally:
            if pulse is not None:
                pulse.terminate()
                pulse.wait(10)

    header = ("mode", "ready s", "RSS MB", "idle CPU %", "RSS after MB", "CPU after %")
    print("{:<12} {:>8} {:>8} {:>11} {:>13} {:>12}".format(*header))
    for r in rows:
        print(
            f"{r['mode']:<12} {r['ready_s']:>8.2f} {r['rss_mb']:>8.1f} {r['idle_cpu_pct']:>11.3f} "
            f"{r.get('rss_after_dictation_mb', float('nan')):>13.1f} "
            f"{r.get('idle_cpu_after_dictation_pct', float('nan')):>12.3f}"
        )
    worst_cpu = max(max(r["idle_cpu_pct"], r.get("idle_cpu_after_dictation_pct", 0.0)) for r in rows)
    worst_rss = max(max(r["rss_mb"], r.get("rss_after_dictation_mb", 0.0)) for r in rows)
    verdict = {
        "cpu_ok": worst_cpu < CPU_TARGET_PCT,
        "rss_ok": worst_rss < RSS_TARGET_MB,
        "worst_idle_cpu_pct": worst_cpu,
        "worst_rss_mb": worst_rss,
    }
    print(
        f"targets: idle CPU < {CPU_TARGET_PCT} % ({'met' if verdict['cpu_ok'] else 'MISSED'}), "
        f"RSS < {RSS_TARGET_MB:.0f} MB ({'met' if verdict['rss_ok'] else 'MISSED'})"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "daemon_idle",
        "idle_s": args.idle_s,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "rows": rows,
        "targets": {"idle_cpu_pct": CPU_TARGET_PCT, "rss_mb": RSS_TARGET_MB},
        "verdict": verdict,
    }
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
