"""Desktop notifications: ``notify-send`` on Linux, ``osascript`` on macOS, else a log line.

Messages carry ids, formats, counts and states only, never what was dictated:
a notification can show on a locked screen or a shared display. Sending never
blocks the daemon and never fails it.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import threading
from collections.abc import Sequence

log = logging.getLogger(__name__)

APP = "dictanote"
SEND_TIMEOUT_S = 5.0


def notify_command(title: str, body: str, urgent: bool = False) -> list[str] | None:
    """The command that shows a notification on this desktop, or None if there is none."""
    if sys.platform == "darwin":
        osascript = shutil.which("osascript")
        if osascript is None:
            return None
        script = f"display notification {_applescript(body)} with title {_applescript(title)}"
        return [osascript, "-e", script]
    send = shutil.which("notify-send")
    if send is None:
        return None
    urgency = "critical" if urgent else "normal"
    return [send, "--app-name", APP, "--urgency", urgency, title, body]


def _applescript(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Notifier:
    """Shows short status messages on the desktop, in the background."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._missing_reported = False
        self._threads: list[threading.Thread] = []

    def __call__(self, title: str, body: str, urgent: bool = False) -> None:
        """Show ``title``/``body``; logs instead when there is no notifier on this machine."""
        log.info("notification: %s: %s", title, body)
        if not self.enabled:
            return
        argv = notify_command(title, body, urgent)
        if argv is None:
            if not self._missing_reported:
                log.warning("no notify-send or osascript on PATH; notifications go to this log only")
                self._missing_reported = True
            return
        thread = threading.Thread(target=_run, args=(argv,), name="dictanote-notify", daemon=True)
        thread.start()
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]

    def wait(self, timeout: float = SEND_TIMEOUT_S) -> None:
        """Wait for notifications still being sent (before the daemon exits)."""
        for thread in self._threads:
            thread.join(timeout)


def _run(argv: Sequence[str]) -> None:
    try:
        done = subprocess.run(argv, capture_output=True, timeout=SEND_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("notification failed: %s", type(exc).__name__)
        return
    if done.returncode != 0:
        log.warning("notification failed: %s exited %d", argv[0], done.returncode)
