"""The optional built-in global hotkey (pynput, extra ``hotkey``): toggle or push-to-talk.

pynput is imported here only, lazily, when the daemon is asked for a hotkey.
Where a global key cannot be grabbed (Wayland, no display, no pynput) this says
so once and the daemon carries on with its socket: the desktop's own shortcut
settings can bind ``dictanote toggle`` instead. Key callbacks never block the
listener: each action runs on a thread of its own.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..core.errors import DictanoteError

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 3.0
WAYLAND_HINT = "bind `dictanote toggle` in your desktop's keyboard shortcut settings instead (docs/daemon.md)"


@dataclass(frozen=True)
class HotkeyOptions:
    """Which keys the daemon grabs, in pynput's spelling (``<ctrl>+<alt>+d``).

    ``keys`` starts and stops a dictation (held down while speaking with
    ``push_to_talk``); ``private_keys`` does the same for a private
    (psychotherapy) dictation.
    """

    keys: str | None = None
    private_keys: str | None = None
    push_to_talk: bool = False

    @property
    def wanted(self) -> bool:
        """Whether any hotkey was asked for."""
        return bool(self.keys or self.private_keys)

    def describe(self) -> str:
        """The bindings in words, for logs and status."""
        mode = "push-to-talk" if self.push_to_talk else "toggle"
        parts = [f"{self.keys} ({mode})"] if self.keys else []
        if self.private_keys:
            parts.append(f"{self.private_keys} ({mode}, private)")
        return ", ".join(parts)


@dataclass(frozen=True)
class HotkeyActions:
    """What the keys do; called in key order on the hotkey's own thread (``private`` for start/toggle)."""

    start: Callable[[bool], object]
    stop: Callable[[], object]
    toggle: Callable[[bool], object]


def unavailable_reason(environ: dict[str, str] | None = None) -> str | None:
    """Why no global hotkey can be grabbed in this session, or None if one may be."""
    env = dict(os.environ) if environ is None else environ
    if sys.platform.startswith("linux"):
        if env.get("XDG_SESSION_TYPE") == "wayland" or (
            env.get("WAYLAND_DISPLAY") and not env.get("DISPLAY")
        ):
            return "a Wayland session does not let programs grab global keys"
        if not env.get("DISPLAY"):
            return "no X display (DISPLAY is not set)"
    return None


class _Chord:
    """One key combination, tracked press by press so that its release is seen too."""

    def __init__(self, keys: frozenset[Any], private: bool) -> None:
        self.keys = keys
        self.private = private
        self.down = False


class Hotkeys:
    """A pynput keyboard listener for the configured chords."""

    def __init__(self, options: HotkeyOptions, actions: HotkeyActions) -> None:
        self.options = options
        self.actions = actions
        self._listener: Any = None
        self._pressed: set[Any] = set()
        self._chords: list[_Chord] = []
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[tuple[Callable[..., object], tuple[object, ...]] | None] = (
            queue.SimpleQueue()
        )
        self._worker = threading.Thread(target=self._run_actions, name="dictanote-hotkey", daemon=True)

    def start(self) -> str:
        """Grab the keys; return a one-line status ("active: …" or "unavailable: …"). Never raises."""
        reason = unavailable_reason()
        if reason is not None:
            return self._unavailable(reason)
        try:
            from pynput import keyboard
        except Exception as exc:  # pynput raises ImportError and platform errors of its own
            return self._unavailable(f"pynput cannot load ({_first_line(exc)}); install the `hotkey` extra")
        try:
            self._chords = [
                _Chord(frozenset(keyboard.HotKey.parse(keys)), private)
                for keys, private in ((self.options.keys, False), (self.options.private_keys, True))
                if keys
            ]
        except ValueError as exc:
            return self._unavailable(
                f"cannot read the key {_first_line(exc)!r} in {self.options.describe()}; "
                "write combinations like '<ctrl>+<alt>+d', named keys in angle brackets"
            )
        try:
            listener = keyboard.Listener(on_press=self._on_press, on_release=self._on_release)
            self._listener = listener
            listener.start()
        except Exception as exc:
            self._listener = None
            return self._unavailable(f"the keyboard listener failed ({type(exc).__name__})")
        ready = threading.Event()

        def wait_ready() -> None:
            listener.wait()
            ready.set()

        threading.Thread(target=wait_ready, daemon=True).start()
        if not ready.wait(READY_TIMEOUT_S) or not listener.is_alive():
            self.stop()
            return self._unavailable("the keyboard listener did not start")
        self._worker.start()
        status = f"active: {self.options.describe()}"
        log.info("hotkey %s", status)
        return status

    def stop(self) -> None:
        """Release the keys and end the action thread."""
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        self._queue.put(None)

    def _run_actions(self) -> None:
        # One thread, in key order: a quick press and release never stops before it started.
        while (item := self._queue.get()) is not None:
            action, args = item
            try:
                action(*args)
            except DictanoteError as exc:  # already told to the user by the controller
                log.warning("hotkey action failed: %s", exc)
            except Exception:  # a key press must never take the daemon down
                log.exception("hotkey action failed")

    def _post(self, action: Callable[..., object], *args: object) -> None:
        self._queue.put((action, args))

    def _unavailable(self, reason: str) -> str:
        log.warning("no built-in hotkey: %s; %s", reason, WAYLAND_HINT)
        return f"unavailable: {reason}"

    def _canonical(self, key: Any) -> Any:
        listener = self._listener
        return listener.canonical(key) if listener is not None else key

    def _on_press(self, key: Any) -> None:
        with self._lock:
            self._pressed.add(self._canonical(key))
            for chord in self._chords:
                if not chord.down and chord.keys <= self._pressed:
                    chord.down = True
                    self._fire_down(chord)

    def _on_release(self, key: Any) -> None:
        with self._lock:
            released = self._canonical(key)
            self._pressed.discard(released)
            for chord in self._chords:
                if chord.down and released in chord.keys:
                    chord.down = False
                    if self.options.push_to_talk:
                        self._post(self.actions.stop)

    def _fire_down(self, chord: _Chord) -> None:
        if self.options.push_to_talk:
            self._post(self.actions.start, chord.private)
        else:
            self._post(self.actions.toggle, chord.private)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
