"""The desktop clipboard, through the tools each platform ships: wl-clipboard, xclip, xsel, pbcopy.

Owns finding a clipboard, putting text on it, reading it back and putting the
previous contents back after a while. Never logs what it copies. Tools that fork to
keep serving the selection (xclip, wl-copy) get no pipes back, so a copy never hangs.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from ..core.errors import ClipboardUnavailableError
from .tools import feed

log = logging.getLogger(__name__)
TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Clipboard:
    """A clipboard tool pair: the command that copies (text on stdin) and the one that pastes."""

    name: str
    copy_cmd: tuple[str, ...]
    paste_cmd: tuple[str, ...]
    clear_cmd: tuple[str, ...] | None = None

    def copy(self, text: str) -> None:
        """Put ``text`` on the clipboard; ClipboardUnavailableError if the tool fails."""
        try:
            status = feed(self.copy_cmd, text, TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ClipboardUnavailableError(f"{self.name} could not be run: {exc}") from exc
        if status != 0:
            raise ClipboardUnavailableError(
                f"{self.name} failed (exit {status}); is the display reachable? Use --output instead"
            )
        log.info("copied %d characters with %s", len(text), self.name)

    def clear(self) -> None:
        """Empty the clipboard (where the tool cannot, put an empty text there)."""
        if self.clear_cmd is None:
            self.copy("")
            return
        try:
            subprocess.run(
                self.clear_cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ClipboardUnavailableError(f"{self.name} could not be run: {exc}") from exc

    def paste(self) -> str | None:
        """The clipboard's text, or None when it holds no text (empty, or an image)."""
        try:
            done = subprocess.run(
                self.paste_cmd,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ClipboardUnavailableError(f"{self.name} could not be run: {exc}") from exc
        if done.returncode != 0:
            return None
        return done.stdout.decode("utf-8", errors="replace")


def find_clipboard(environ: Mapping[str, str] | None = None) -> Clipboard:
    """The clipboard of this session; ClipboardUnavailableError says what to install or use instead."""
    env = os.environ if environ is None else environ
    path = env.get("PATH")

    def have(*tools: str) -> bool:
        return all(shutil.which(t, path=path) for t in tools)

    if env.get("WAYLAND_DISPLAY") and have("wl-copy", "wl-paste"):
        return Clipboard(
            "wl-copy",
            ("wl-copy", "--type", "text/plain"),
            ("wl-paste", "--no-newline"),
            ("wl-copy", "--clear"),
        )
    if env.get("DISPLAY"):
        if have("xclip"):
            return Clipboard(
                "xclip",
                ("xclip", "-selection", "clipboard", "-in"),
                ("xclip", "-selection", "clipboard", "-out"),
            )
        if have("xsel"):
            return Clipboard(
                "xsel",
                ("xsel", "--clipboard", "--input"),
                ("xsel", "--clipboard", "--output"),
                ("xsel", "--clipboard", "--clear"),
            )
    if sys.platform == "darwin" and have("pbcopy", "pbpaste"):
        return Clipboard("pbcopy", ("pbcopy",), ("pbpaste",))
    if env.get("WAYLAND_DISPLAY"):
        hint = "install wl-clipboard"
    elif env.get("DISPLAY"):
        hint = "install xclip or xsel"
    else:
        hint = "no graphical session (DISPLAY / WAYLAND_DISPLAY unset)"
    raise ClipboardUnavailableError(f"no clipboard found ({hint}); write the export with --output FILE")


@contextmanager
def _signals_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP interrupt like Ctrl-C does, so cleanup still runs."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    saved: dict[int, object] = {}
    try:
        for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
            if sig is not None:
                saved[sig] = signal.signal(sig, interrupt)
    except ValueError:  # not the main thread: leave the handlers alone
        pass
    try:
        yield
    finally:
        for sig, handler in saved.items():
            if handler is not None:  # None: installed outside Python, cannot be put back
                signal.signal(sig, handler)  # type: ignore[arg-type]


@contextmanager
def held(clipboard: Clipboard, text: str, tell: Callable[[str], None]) -> Iterator[None]:
    """Copy ``text``; when the block ends (normally, on error or Ctrl-C), put the previous clipboard back.

    The previous text is read before copying. If the clipboard no longer holds ``text``
    when the block ends, the user has copied something new since, and it is left alone.
    A clipboard that held no text is cleared rather than left holding the note.
    SIGTERM and SIGHUP interrupt the block like Ctrl-C, so the restore still runs.
    """
    previous = clipboard.paste()
    clipboard.copy(text)
    with _signals_interrupt():
        try:
            yield
        finally:
            if _restore(clipboard, text, previous):
                tell("previous clipboard restored" if previous else "clipboard cleared")
            else:
                tell("the clipboard changed since the copy; left as it is")


def _restore(clipboard: Clipboard, text: str, previous: str | None) -> bool:
    current = clipboard.paste()
    if current is not None and current.rstrip("\n") != text.rstrip("\n"):
        return False
    if previous:
        clipboard.copy(previous)
    else:
        clipboard.clear()
    return True
