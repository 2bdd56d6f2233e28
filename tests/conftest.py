"""Shared fixtures: isolated user directories, the real model, sample dictations."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dictanote.core.config import Config, load_config

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SHARED = REPO.parent / "shared"
SHARED_AUDIO = SHARED / "audio"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Point every user directory (config, data, cache, runtime) into tmp_path."""
    for name in list(os.environ):
        if name.startswith("DICTANOTE_"):
            monkeypatch.delenv(name)
    dirs = {
        "config": tmp_path / "config",
        "data": tmp_path / "data",
        "cache": tmp_path / "cache",
        "runtime": tmp_path / "runtime",
    }
    monkeypatch.setenv("XDG_CONFIG_HOME", str(dirs["config"]))
    monkeypatch.setenv("XDG_DATA_HOME", str(dirs["data"]))
    monkeypatch.setenv("XDG_CACHE_HOME", str(dirs["cache"]))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(dirs["runtime"]))
    return dirs


@pytest.fixture
def config() -> Config:
    """Settings loaded the way the CLI loads them, inside the isolated directories."""
    return load_config()


@dataclass(frozen=True)
class Sample:
    """One of our own sample dictations (samples/manifest.json)."""

    id: str
    format: str
    style: str
    parts: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        return " ".join(text for text, _ in self.parts)

    @property
    def audio(self) -> Path:
        return SAMPLES / f"{self.id}.flac"

    @property
    def text_file(self) -> Path:
        return SAMPLES / f"{self.id}.txt"


def load_samples() -> list[Sample]:
    """Every sample in the manifest."""
    raw = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
    return [
        Sample(s["id"], s["format"], s["style"], tuple((p["text"], p["field"]) for p in s["parts"]))
        for s in raw
    ]


def shared_audio() -> list[Path]:
    """Real human speech beside the repository, when that folder exists."""
    return sorted(SHARED_AUDIO.glob("*.flac")) if SHARED_AUDIO.is_dir() else []


@pytest.fixture(scope="session")
def transcriber() -> Iterator[object]:
    """The real embedded Whisper model, loaded once for the whole run."""
    from dictanote.core.types import DecodingOptions
    from dictanote.transcribe import Transcriber
    from dictanote.transcribe.models import embedded_model

    engine = Transcriber(embedded_model(), DecodingOptions())
    engine.load()
    yield engine


def run_cli(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``dictanote`` console script as a user would."""
    exe = shutil.which("dictanote", path=str(Path(sys.executable).parent)) or "dictanote"
    return subprocess.run(
        [exe, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )


def write_audio(path: Path, seconds: float = 2.0, tone_hz: float | None = 440.0, rate: int = 16_000) -> Path:
    """Write a short tone (or silence) with PyAV; the container follows the suffix."""
    import av
    import numpy as np

    t = np.arange(int(seconds * rate)) / rate
    wave = 0.2 * np.sin(2 * np.pi * tone_hz * t) if tone_hz else np.zeros_like(t)
    pcm = (wave * 32767).astype(np.int16).reshape(1, -1)
    codec = {
        ".flac": "flac",
        ".wav": "pcm_s16le",
        ".ogg": "libopus",
        ".mp3": "libmp3lame",
        ".m4a": "aac",
    }[path.suffix]
    out_rate = 48_000 if codec == "libopus" else rate
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=out_rate, layout="mono")
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = rate
        if codec in {"libopus", "aac", "libmp3lame"}:
            resampler = av.AudioResampler(
                format=stream.codec_context.format.name, layout="mono", rate=out_rate
            )
            frames = resampler.resample(frame)
        else:
            frames = [frame]
        for f in frames:
            for packet in stream.encode(f):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


# --- daemon fixtures ---


@dataclass
class DaemonProcess:
    """A ``dictanote daemon`` subprocess, started as a user (or systemd) would start it."""

    proc: subprocess.Popen[bytes]
    socket: Path
    log: Path

    def request(self, cmd: str, private: bool = False, timeout: float | None = None) -> dict[str, object]:
        """Send one protocol request through the real socket; the raw reply."""
        from dictanote.daemon import Request, send

        return send(self.socket, Request(cmd, private=private), timeout=timeout)

    def finish(self, sig: int = 15, timeout: float = 120.0) -> int:
        """Send ``sig`` (SIGTERM by default) and wait for the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            raise

    def log_text(self) -> str:
        """What the daemon wrote to stderr so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")


def _daemon_socket() -> Path:
    from dictanote.core.config import default_paths
    from dictanote.daemon import socket_path

    return socket_path(default_paths(os.environ).runtime_dir)


@pytest.fixture
def start_daemon(tmp_path: Path) -> Iterator[object]:
    """Start ``dictanote daemon ARGS…`` (notifications off) and wait until it answers a ping.

    Returns a ``DaemonProcess``; every daemon started is stopped (SIGTERM, then
    SIGKILL) at teardown, so no test leaves one behind.
    """
    import time

    from dictanote.daemon import ping

    started: list[DaemonProcess] = []

    def start(*args: str, ready_timeout: float = 120.0, wait: bool = True) -> DaemonProcess:
        exe = shutil.which("dictanote", path=str(Path(sys.executable).parent)) or "dictanote"
        log = tmp_path / f"daemon-{len(started)}.log"
        with log.open("wb") as err:
            proc = subprocess.Popen(
                [exe, "-v", "daemon", "--no-notify", *args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                env={**os.environ, "PYTHONFAULTHANDLER": "1"},  # SIGABRT dumps every thread's stack
            )
        handle = DaemonProcess(proc, _daemon_socket(), log)
        started.append(handle)
        if not wait:
            return handle
        deadline = time.monotonic() + ready_timeout
        while ping(handle.socket, timeout=0.5) is None or "ready on" not in handle.log_text():
            if proc.poll() is not None:
                raise AssertionError(f"the daemon exited {proc.returncode}: {handle.log_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the daemon did not answer within {ready_timeout} s")
            time.sleep(0.05)
        return handle

    yield start
    for handle in started:
        if handle.proc.poll() is None:
            handle.proc.terminate()  # SIGTERM: a dictation in progress is saved, as in real use
    hung = []
    for handle in started:
        try:
            handle.proc.wait(60)
        except subprocess.TimeoutExpired:
            handle.proc.send_signal(signal.SIGABRT)  # faulthandler writes the stacks to the log
            try:
                handle.proc.wait(10)
            except subprocess.TimeoutExpired:
                handle.proc.kill()
                handle.proc.wait(10)
            hung.append(handle.log_text()[-6000:])
    if hung:
        pytest.fail("a daemon did not exit within 60 s of SIGTERM:\n" + "\n".join(hung))


@pytest.fixture
def xvfb(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private Xvfb display (DISPLAY set for the test and its subprocesses); needs `xvfb`."""
    exe = shutil.which("Xvfb")
    if exe is None:
        pytest.fail("Xvfb is missing: apt-get install xvfb (setup.sh --test does)")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [exe, "-displayfd", str(write_fd), "-nolisten", "tcp", "-screen", "0", "640x480x24"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as ready:
        number = ready.readline().strip()  # Xvfb writes its display number once it accepts clients
    if not number:
        server.kill()
        pytest.fail("Xvfb did not start")
    display = f":{number}"
    monkeypatch.setenv("DISPLAY", display)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    yield display
    server.terminate()
    server.wait(10)


# --- review fixtures ---

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TEST_ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture
def review_server(config: Config) -> Iterator[object]:
    """The real review server on a free loopback port, over a real store in tmp_path."""
    from dictanote.review.server import start_in_thread

    running = start_in_thread(config)
    yield running
    running.stop()


@pytest.fixture
def saved_draft(config: Config) -> object:
    """A sample dictation segmented (no Whisper needed) and saved in the inbox."""
    from dictanote import pipeline

    sample = next(s for s in load_samples() if s.id == "soap-headed")
    return pipeline.save_result(pipeline.draft_from_text(sample.text, sample.format, config), config, "test")


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Debian's Chromium driven by Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (setup.sh --test does)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# --- capture fixtures ---
# A real audio path without a sound card: a private PulseAudio daemon whose
# default source is module-pipe-source (a FIFO we write PCM into at real-time
# pace), reached by PortAudio -> ALSA -> the pulse plugin (libasound2-plugins).


class VirtualMic:
    """Writes 16 kHz s16le PCM into the pipe source in real time, silence when nothing is queued."""

    STEP_S = 0.02

    def __init__(self, fifo: Path) -> None:
        import threading

        self.fifo = fifo
        self._lock = threading.Lock()
        self._queue: list[bytes] = []
        self._written_s = 0.0
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread = threading.Thread(target=self._run, name="virtual-mic", daemon=True)
        self._thread.start()

    @property
    def written_s(self) -> float:
        """Seconds of audio (speech and silence) written so far."""
        return self._written_s

    def play(self, samples: object, lead_s: float = 0.0, tail_s: float = 0.0) -> float:
        """Queue float32 samples (with silence around them); returns their length in seconds."""
        import numpy as np

        audio = np.concatenate(
            (
                np.zeros(int(lead_s * 16_000)),
                np.asarray(samples, dtype=np.float32),
                np.zeros(int(tail_s * 16_000)),
            )
        )
        pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        step = int(self.STEP_S * 16_000) * 2
        with self._lock:
            self._queue.extend(pcm[i : i + step] for i in range(0, len(pcm), step))
            self._idle.clear()
        return len(audio) / 16_000

    def wait_idle(self, timeout: float = 120.0) -> bool:
        """Wait until everything queued has been written."""
        return self._idle.wait(timeout)

    def clear(self) -> None:
        """Drop whatever is still queued."""
        with self._lock:
            self._queue.clear()
            self._idle.set()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        import time

        silence = bytes(int(self.STEP_S * 16_000) * 2)
        fh = None
        next_t = time.monotonic()
        while not self._stop.is_set():
            if fh is None:
                try:  # blocks until the pipe source has the FIFO open for reading
                    fh = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
                except OSError:
                    time.sleep(0.05)
                    next_t = time.monotonic()
                    continue
            with self._lock:
                chunk = self._queue.pop(0) if self._queue else None
                if chunk is None:
                    self._idle.set()
            try:
                os.write(fh, chunk or silence)
            except BlockingIOError:
                pass  # the source is not reading (server busy): drop this step, like a real mic
            except OSError:  # the server went away: reopen once it is back
                os.close(fh)
                fh = None
                continue
            self._written_s += self.STEP_S
            next_t += self.STEP_S
            delay = next_t - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            elif delay < -0.5:
                next_t = time.monotonic()
        if fh is not None:
            os.close(fh)


class PulseServer:
    """A private PulseAudio daemon with a virtual microphone (``virtmic``) and a null sink."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.socket = base / "native"
        self.fifo = base / "virtmic"
        self.proc: subprocess.Popen[bytes] | None = None
        self.env = {
            "PULSE_SERVER": f"unix:{self.socket}",
            "PULSE_RUNTIME_PATH": str(base / "runtime"),
            "PULSE_STATE_PATH": str(base / "state"),
            "PULSE_COOKIE": str(base / "cookie"),  # else libpulse creates one in the user's config dir
        }

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        import time

        exe = shutil.which("pulseaudio")
        if exe is None:
            pytest.fail(
                "pulseaudio is missing: apt-get install pulseaudio pulseaudio-utils libasound2-plugins"
            )
        script = self.base / "default.pa"
        script.write_text(
            f"load-module module-native-protocol-unix socket={self.socket} auth-anonymous=1\n"
            f"load-module module-pipe-source source_name=virtmic file={self.fifo} "
            "format=s16le rate=16000 channels=1\n"
            "load-module module-null-sink sink_name=speakers\n"
            "set-default-source virtmic\n"
            "set-default-sink speakers\n",
            encoding="utf-8",
        )
        home = self.base / "home"
        home.mkdir(exist_ok=True)
        with (self.base / "pulseaudio.log").open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    exe,
                    "-n",
                    "--daemonize=no",
                    "--exit-idle-time=-1",
                    "--disallow-exit",
                    "--system=false",
                    "--use-pid-file=false",
                    "--log-target=stderr",
                    "-F",
                    str(script),
                ],
                env={**os.environ, **self.env, "HOME": str(home)},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"pulseaudio exited: {(self.base / 'pulseaudio.log').read_text()[-1500:]}")
            ok = subprocess.run(
                ["pactl", "info"], env={**os.environ, **self.env}, capture_output=True, check=False
            )
            if ok.returncode == 0 and self.fifo.exists():
                return
            time.sleep(0.1)
        pytest.fail("pulseaudio did not come up within 20 s")

    def kill(self) -> None:
        """End the server abruptly: every stream on it dies, as when a USB microphone is pulled."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.fifo.unlink(missing_ok=True)
        self.socket.unlink(missing_ok=True)


@dataclass
class AudioRig:
    """The running PulseAudio server and the virtual microphone feeding it."""

    server: PulseServer
    mic: VirtualMic

    @property
    def env(self) -> dict[str, str]:
        return dict(self.server.env)


@pytest.fixture(scope="session")
def _pulse_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AudioRig]:
    base = tmp_path_factory.mktemp("pulse")
    server = PulseServer(base)
    saved = {k: os.environ.get(k) for k in server.env}
    os.environ.update(server.env)  # before PortAudio looks for devices (dictanote rescans on each arm)
    server.start()
    mic = VirtualMic(server.fifo)
    yield AudioRig(server, mic)
    mic.close()
    server.kill()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def pulse_audio(_pulse_session: AudioRig) -> Iterator[AudioRig]:
    """A virtual microphone through a private PulseAudio daemon (restarted if a test killed it).

    ``rig.mic.play(samples, lead_s, tail_s)`` speaks into it in real time;
    ``rig.server.kill()`` pulls the microphone; ``rig.env`` reaches it from subprocesses.
    """
    if not _pulse_session.server.running:
        _pulse_session.server.start()
    _pulse_session.mic.clear()
    yield _pulse_session
    _pulse_session.mic.clear()


def words_of(text: str) -> list[str]:
    """Lower-case words of a text, punctuation dropped (for "was this word heard" checks)."""
    return re.findall(r"[a-z0-9']+", text.lower())


def sample_audio(sample_id: str, seconds: float | None = None) -> object:
    """A sample's 16 kHz float32 samples (optionally only the first ``seconds``)."""
    from dictanote.transcribe import load_audio_file

    samples = load_audio_file(SAMPLES / f"{sample_id}.flac").samples
    return samples if seconds is None else samples[: int(seconds * 16_000)]
