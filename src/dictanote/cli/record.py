"""``dictanote record``: live dictation from a terminal, through ``LiveDictation``.

Shows a level meter and the clock on stderr while recording, with the text transcribed so far
under it (a terminal only; that text is never logged or written anywhere), stops on Enter, Ctrl-C,
SIGTERM or silence, then prints the draft like ``draft``. The model, PortAudio and
the application core load inside the command; audio is never written anywhere.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections import deque
from types import FrameType
from typing import Any

import click

from .common import (
    client_option,
    echo_draft,
    format_option,
    get_dictation,
    json_option,
    private_option,
    save_draft,
    save_option,
    tell,
    unlock_store,
    warn,
)
from .live import LivePanel, meter_bar


class _Meter:
    """A level meter and clock on stderr, the committed text under it (only when stderr is a terminal).

    The capture thread hands it each level (``__call__``) and warning (``warning``); the command's own
    thread draws (``draw``), printing the warnings above the meter so that they do not break it.
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._reading = (0.0, 0.0)  # level, elapsed seconds: replaced whole, read whole
        self._panel = LivePanel(sys.stderr, enabled)
        self._warnings: deque[str] = deque()

    def __call__(self, level: float, elapsed_s: float) -> None:
        self._reading = (level, elapsed_s)

    def warning(self, message: str) -> None:
        """A warning from the capture thread: printed at once off a terminal, else at the next draw."""
        if self.enabled:
            self._warnings.append(message)
        else:
            warn(message)

    def _flush_warnings(self) -> None:
        if self._warnings:
            self._panel.clear()
        while self._warnings:
            warn(self._warnings.popleft())

    def draw(self, text: str) -> None:
        """Redraw the meter with the end of ``text`` (what has been transcribed so far) under it."""
        if not self.enabled:
            return
        self._flush_warnings()
        level, elapsed_s = self._reading
        minutes, seconds = divmod(int(elapsed_s), 60)
        status = f"\u25cf rec {minutes:02d}:{seconds:02d} {meter_bar(level)} Enter or Ctrl-C to stop"
        self._panel.draw(status, text)

    def done(self) -> None:
        """Take the meter and its text off the screen; print the warnings still waiting."""
        self._panel.clear()
        self._flush_warnings()


def _watch_enter(stop: threading.Event) -> None:
    """Stop on a line from standard input; an input that is closed (EOF) never stops."""

    def read() -> None:
        try:
            line = sys.stdin.readline()
        except (OSError, ValueError):
            return
        if line:
            stop.set()

    threading.Thread(target=read, name="dictanote-enter", daemon=True).start()


@click.command("record")
@format_option("Note format id; default from settings (soap).")
@click.option("--device", "-d", metavar="NAME|INDEX", help="Input device (see `dictanote devices`).")
@json_option("Print the draft as JSON (the `draft --json` contract).")
@save_option("Also put the draft in the inbox (see `dictanote drafts`).")
@click.option(
    "--silence-stop",
    "silence_stop",
    type=click.FloatRange(min=0.5),
    metavar="SECONDS",
    help="Stop after this many seconds of silence once you have spoken.",
)
@click.option(
    "--max-seconds",
    type=click.FloatRange(min=1.0),
    default=600.0,
    show_default=True,
    help="Stop recording at this length (a warning comes 30 s before).",
)
@private_option("Dictate a psychotherapy (private) note.")
@client_option("The client (an id of `dictanote clients list`); checked before the microphone opens.")
@click.option("--tones/--no-tones", default=False, help="Beep when capture starts and stops.")
def record(
    format_id: str | None,
    device: str | None,
    as_json: bool,
    save: bool,
    silence_stop: float | None,
    max_seconds: float,
    private: bool,
    client_id: str | None,
    tones: bool,
) -> None:
    """Dictate from the microphone and print a sectioned draft note.

    Audio is transcribed while you speak and never written to disk. Stop with
    Enter, Ctrl-C, or (with --silence-stop) by pausing. A level meter, the
    elapsed time and the text transcribed so far show on stderr when it is a
    terminal (that text is never logged or saved until you save the draft).
    The date and time of service are when recording started (local time)
    unless the dictation says the date.
    """
    from ..app import LiveCallbacks, LiveDictation, LiveOptions

    dictation = get_dictation()
    if save:
        unlock_store(dictation)  # before the microphone opens
    client = dictation.client(client_id) if client_id is not None else None  # so is an unknown client
    meter = _Meter(sys.stderr.isatty())
    options = LiveOptions(
        device=int(device) if device and device.strip().isdigit() else device,
        max_seconds=max_seconds,
        warn_before_s=min(30.0, max_seconds / 4),
        silence_stop_s=silence_stop,
        format_id=format_id,
        tones=tones,
    )
    stop = threading.Event()
    with LiveDictation(dictation, options, LiveCallbacks(on_level=meter, on_warning=meter.warning)) as live:
        live.arm()
        live.start(private=private, client_id=client)
        tell("recording; press Enter or Ctrl-C to stop")
        _watch_enter(stop)
        previous = signal.signal(signal.SIGTERM, _sigterm_to_stop(stop))
        try:
            while not stop.is_set() and live.wait_autostop(0.1) is None:
                meter.draw(live.live_text() if meter.enabled else "")
        except KeyboardInterrupt:
            pass  # Ctrl-C ends the dictation; the draft is still made
        finally:
            signal.signal(signal.SIGTERM, _restore(previous))
            meter.done()
        outcome = live.stop()
    if outcome is None:  # nothing was recording (cannot happen after a successful start)
        raise click.ClickException("nothing was recorded")
    for warning in outcome.warnings:
        warn(warning)
    echo_draft(dictation, outcome.result, as_json)
    if save:
        save_draft(dictation, outcome.result, source="record")


def _restore(previous: Any) -> Any:
    """The SIGTERM handler to put back (signal.signal wants a handler, never None)."""
    if previous is None:
        return signal.SIG_DFL
    return previous


def _sigterm_to_stop(stop: threading.Event) -> Any:
    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    return handler
