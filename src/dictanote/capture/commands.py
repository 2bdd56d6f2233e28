"""``dictanote record`` and ``dictanote devices``: live dictation from a terminal.

Imports only click at load time (``dictanote --help`` stays instant); the
model, PortAudio and the pipeline load inside the commands. Errors go to
``cli.main`` like every other command's (``DeviceNotFoundError``: exit 2,
``CaptureError``: exit 5).
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

import click

COMMANDS: list[click.Command] = []

METER_WIDTH = 24


def _register(cmd: click.Command) -> click.Command:
    COMMANDS.append(cmd)
    return cmd


def _config(**flags: Any) -> Any:
    from ..core.config import load_config

    ctx = click.get_current_context(silent=True)
    data_dir: Path | None = ctx.find_root().params.get("data_dir") if ctx is not None else None
    return load_config({k: v for k, v in flags.items() if v is not None}, data_dir=data_dir)


def _warn(message: str) -> None:
    click.echo(f"dictanote: warning: {message}", err=True)


class _Meter:
    """A one-line level meter and clock on stderr (only when stderr is a terminal)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._last = 0.0

    def __call__(self, level: float, elapsed_s: float) -> None:
        now = time.monotonic()
        if not self.enabled or now - self._last < 0.1:
            return
        self._last = now
        filled = round(level * METER_WIDTH)
        minutes, seconds = divmod(int(elapsed_s), 60)
        sys.stderr.write(
            f"\r\u25cf rec {minutes:02d}:{seconds:02d} [{'#' * filled}{'.' * (METER_WIDTH - filled)}] "
            "Enter or Ctrl-C to stop "
        )
        sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * (METER_WIDTH + 40) + "\r")
            sys.stderr.flush()


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


@_register
@click.command("record")
@click.option(
    "--format", "-f", "format_id", metavar="ID", help="Note format id; default from settings (soap)."
)
@click.option("--device", "-d", metavar="NAME|INDEX", help="Input device (see `dictanote devices`).")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the draft as JSON (the `draft --json` contract)."
)
@click.option("--save", is_flag=True, help="Also put the draft in the inbox (see `dictanote drafts`).")
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
@click.option("--private", is_flag=True, help="Dictate a psychotherapy (private) note.")
@click.option("--tones/--no-tones", default=False, help="Beep when capture starts and stops.")
def record(
    format_id: str | None,
    device: str | None,
    as_json: bool,
    save: bool,
    silence_stop: float | None,
    max_seconds: float,
    private: bool,
    tones: bool,
) -> None:
    """Dictate from the microphone and print a sectioned draft note.

    Audio is transcribed while you speak and never written to disk. Stop with
    Enter, Ctrl-C, or (with --silence-stop) by pausing. A level meter and the
    elapsed time show on stderr when it is a terminal.
    """
    from ..app import Dictation, LiveCallbacks, LiveDictation, LiveOptions
    from ..render import draft_to_json, render_markdown

    config = _config()
    meter = _Meter(sys.stderr.isatty())
    options = LiveOptions(
        device=int(device) if device and device.strip().isdigit() else device,
        max_seconds=max_seconds,
        warn_before_s=min(30.0, max_seconds / 4),
        silence_stop_s=silence_stop,
        format_id=format_id,
        tones=tones,
    )
    callbacks = LiveCallbacks(on_level=meter, on_warning=_warn)
    stop = threading.Event()
    dictation = Dictation(config)
    with LiveDictation(dictation, options, callbacks) as live:
        live.arm()
        live.start(private=private)
        click.echo("dictanote: recording; press Enter or Ctrl-C to stop", err=True)
        _watch_enter(stop)
        previous = signal.signal(signal.SIGTERM, _sigterm_to_stop(stop))
        try:
            while not stop.is_set() and live.wait_autostop(0.1) is None:
                pass
        except KeyboardInterrupt:
            pass  # Ctrl-C ends the dictation; the draft is still made
        finally:
            signal.signal(signal.SIGTERM, _restore(previous))
            meter.done()
        outcome = live.stop()
    if outcome is None:  # nothing was recording (cannot happen after a successful start)
        raise click.ClickException("nothing was recorded")
    for warning in outcome.warnings:
        _warn(warning)
    result = outcome.result
    if as_json:
        click.echo(json.dumps(draft_to_json(result.draft, result.findings), indent=2, ensure_ascii=False))
    else:
        text = render_markdown(
            result.draft, result.format, config.paths, result.private_format, result.findings
        )
        click.echo(text, nl=False)
    if save:
        stored = dictation.save(result, source="record")
        companion = " (with a private psychotherapy note)" if result.draft.private is not None else ""
        where = "private inbox" if stored.record == "private" else "inbox"
        click.echo(f"dictanote: saved as draft {stored.id} in the {where}{companion}", err=True)


def _restore(previous: Any) -> Any:
    """The SIGTERM handler to put back (signal.signal wants a handler, never None)."""
    if previous is None:
        return signal.SIG_DFL
    return previous


def _sigterm_to_stop(stop: threading.Event) -> Any:
    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    return handler


@_register
@click.command("devices")
@click.option("--json", "as_json", is_flag=True, help="Print the input devices as JSON.")
def devices(as_json: bool) -> None:
    """List the audio input devices dictanote can record from (for --device)."""
    from . import list_input_devices

    found = list_input_devices()
    if as_json:
        click.echo(json.dumps([d.to_dict() for d in found], indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("dictanote: no audio input device found", err=True)
        return
    for d in found:
        mark = "*" if d.is_default else " "
        click.echo(
            f"{mark} {d.index:>3}  {d.name}  ({d.hostapi}, {d.channels} ch, {d.default_samplerate:.0f} Hz)"
        )
