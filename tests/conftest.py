"""The one global conftest: every user directory in tmp_path, settings, and the fixture modules.

Helpers are in ``tests/util.py``; the rigs that drive real things (the model,
PulseAudio, Chromium, Xvfb, the daemon) are fixtures in ``tests/fixtures/``.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from dictanote.app import Dictation
from dictanote.core.config import Config, load_config

pytest_plugins = [
    "tests.fixtures.audio",
    "tests.fixtures.browser",
    "tests.fixtures.daemon",
    "tests.fixtures.display",
    "tests.fixtures.keyring",
    "tests.fixtures.model",
    "tests.fixtures.store",
]


# A suite started in the background of a shell (``cmd &``) inherits SIGINT ignored, and so would
# every ``dictanote`` it starts: the tests that press Ctrl-C (send SIGINT) would wait forever. A
# handled signal is reset to its default in a child, so the children hear Ctrl-C as a user's would.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


# People read local times (core/policy.format_local); the suite reads them in UTC whatever the
# machine's zone, so expected text does not depend on where it runs. Tests of other zones set TZ
# themselves (tests/util.local_zone, or a subprocess's env).
os.environ["TZ"] = "UTC"
time.tzset()


# The suite's stores are encrypted (the default) with keys from this passphrase: never the
# developer's keyring (the fail backend), never a prompt. Tests of the keyring path use a
# private Secret Service (tests/fixtures/keyring.py).
TEST_PASSPHRASE = "correct horse battery staple (tests)"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Point every user directory (config, data, cache, runtime) into tmp_path; stores keyed by a test passphrase."""
    for name in list(os.environ):
        if name.startswith("DICTANOTE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setenv("DICTANOTE_PASSPHRASE", TEST_PASSPHRASE)
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


@pytest.fixture
def dictation(config: Config) -> Dictation:
    """The application core over the isolated settings (formats and vocabulary loaded on first use)."""
    return Dictation(config)
