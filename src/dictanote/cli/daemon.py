"""``dictanote daemon`` and its clients ``start``, ``stop``, ``toggle``, ``cancel``, ``status``.

The clients are what a desktop shortcut runs, so at load this module imports only
click, the settings and the daemon's socket client: nothing that reaches the model.
The socket lives in the settings' runtime directory. The daemon's own parts (and
through them the model) load inside the ``daemon`` command alone.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from ..core.errors import DaemonError
from ..core.policy import format_local
from ..daemon import command, socket_path
from .common import (
    client_option,
    echo,
    format_option,
    get_config,
    get_dictation,
    json_option,
    print_json,
    private_option,
    warn,
)
from .live import LivePanel, meter_bar, new_text


def _socket() -> Path:
    return socket_path(get_config().paths.runtime_dir)


def _started(reply: dict[str, Any]) -> str:
    if reply.get("ignored"):
        return f"{reply.get('reason', 'already recording')}; start ignored"
    return "recording (private note)" if reply.get("private") else "recording"


def _stopped(reply: dict[str, Any]) -> str:
    draft = reply.get("draft")
    if not draft:
        return str(reply.get("reason", "nothing was recording"))
    kind = "Private draft" if draft["record"] == "private" else "Draft"
    timing = reply.get("timing", {})
    after = f" ({timing['stop_to_saved_s']:.1f} s after stop)" if "stop_to_saved_s" in timing else ""
    companion = " and a private note" if draft.get("private_companion") else ""
    return (
        f"{kind} {draft['id']} ({draft['label']}){companion} saved: "
        f"{draft['fields_filled']} of {draft['fields_total']} fields{after}"
    )


def _echo_stopped(reply: dict[str, Any]) -> None:
    for warning in reply.get("warnings", []):
        warn(warning)
    echo(_stopped(reply))


DICTATION_FORMAT_HELP = "This dictation's note format (see `dictanote formats`); default: the daemon's."
DICTATION_CLIENT_HELP = "This dictation's client (an id of `dictanote clients list`), checked at the start."


@click.command("start")
@private_option("A psychotherapy (private) note, kept apart from the record.")
@format_option(DICTATION_FORMAT_HELP)
@client_option(DICTATION_CLIENT_HELP)
def start(private: bool, format_id: str | None, client_id: str | None) -> None:
    """Start dictating (the daemon must be running). A start while recording is ignored.

    An unknown format or client is refused (exit 2) and the microphone does not open.
    """
    reply = command(_socket(), "start", private=private, format_id=format_id, client_id=client_id)
    echo(_started(reply))


@click.command("stop")
def stop() -> None:
    """Stop dictating; prints the saved draft's id once it is in the inbox."""
    _echo_stopped(command(_socket(), "stop"))


@click.command("toggle")
@private_option("If this starts a dictation, make it a private note.")
@format_option(f"If this starts a dictation: {DICTATION_FORMAT_HELP[0].lower()}{DICTATION_FORMAT_HELP[1:]}")
@client_option(f"If this starts a dictation: {DICTATION_CLIENT_HELP[0].lower()}{DICTATION_CLIENT_HELP[1:]}")
def toggle(private: bool, format_id: str | None, client_id: str | None) -> None:
    """Start dictating if idle, stop if recording: bind this to a key.

    ``--format`` and ``--client`` apply when it starts a dictation; one daemon serves every format.
    """
    reply = command(_socket(), "toggle", private=private, format_id=format_id, client_id=client_id)
    if "draft" in reply:
        _echo_stopped(reply)
    else:
        echo(_started(reply))


@click.command("cancel")
def cancel() -> None:
    """Drop the dictation in progress: nothing is transcribed or saved."""
    reply = command(_socket(), "cancel")
    echo(
        "cancelled; nothing was saved" if reply.get("cancelled") else f"nothing to cancel ({reply['state']})"
    )


def _status_line(reply: dict[str, Any]) -> str:
    state = reply["state"]
    parts = [state]
    if state != "idle":
        minutes, seconds = divmod(int(reply.get("elapsed_s", 0)), 60)
        parts[0] = f"{state} {minutes:02d}:{seconds:02d}" + (
            " (private note)" if reply.get("private") else ""
        )
    if not reply.get("capture", True):
        parts.append("capture off")
    last = reply.get("last_draft")
    if last:
        parts.append(
            f"last draft {last['id']} ({last['label']}, {last['fields_filled']} of "
            f"{last['fields_total']} fields) at {format_local(last['saved_at'])}"
        )
    if reply.get("last_ignored_start"):
        parts.append(f"a start was ignored at {format_local(reply['last_ignored_start'])}")
    if reply.get("unsaved"):
        parts.append(f"{reply['unsaved']} draft(s) not yet saved (will retry)")
    if reply.get("last_error"):
        parts.append(f"last error: {reply['last_error']}")
    if reply.get("hotkey"):
        parts.append(f"hotkey {reply['hotkey']}")
    return "; ".join(parts)


FOLLOW_INTERVAL_S = 0.25


@click.command("status")
@json_option("Print the daemon's full status as JSON.")
@click.option(
    "--follow",
    is_flag=True,
    help="Follow the dictation in progress (or the next one): its text as it is transcribed, until it "
    "stops and its draft is saved. Ctrl-C leaves.",
)
def status(as_json: bool, follow: bool) -> None:
    """Say what the daemon is doing: idle, recording (and for how long) or finishing."""
    if follow:
        if as_json:
            raise click.BadParameter("--follow prints lines as they come; it cannot be combined with --json")
        _follow(_socket())
        return
    reply = command(_socket(), "status")
    reply.pop("ok", None)
    if as_json:
        print_json(reply)
    else:
        echo(_status_line(reply))


def _follow(path: Path) -> None:
    """Poll the daemon until the dictation followed has ended, then say what became of it.

    On a terminal the state and the end of the text are redrawn in place; otherwise each change of
    state and each piece of newly committed text is printed once, as a line.
    """
    panel = LivePanel(sys.stdout, sys.stdout.isatty())
    reply = command(path, "status", text=True)
    before = reply
    shown_state, shown_chars, active = "", 0, False
    try:
        while True:
            state = reply["state"]
            active = active or state != "idle"
            if _followed_to_end(before, reply, active):
                break
            line = _follow_line(reply) if active else "idle; waiting for a dictation (Ctrl-C to leave)"
            text = str(reply.get("live_text", ""))
            if panel.enabled:
                bar = f" {meter_bar(float(reply['level']))}" if active and "level" in reply else ""
                panel.draw(line + bar, text)
            else:
                if state != shown_state:
                    echo(line)
                chars = int(reply.get("live_chars", 0))
                fresh = new_text(shown_chars, text, chars).strip()
                if fresh:
                    echo(fresh)
                shown_chars = max(shown_chars, chars)
            shown_state = state
            time.sleep(FOLLOW_INTERVAL_S)
            reply = command(path, "status", text=True)
    finally:
        panel.clear()
    _echo_followed(before, reply)


def _follow_line(reply: dict[str, Any]) -> str:
    """The state of the dictation followed, e.g. "recording 01:05 (private note)"."""
    minutes, seconds = divmod(int(reply.get("elapsed_s", 0)), 60)
    private = " (private note)" if reply.get("private") else ""
    pending = int(reply.get("chunks_pending", 0))
    behind = f", {pending} chunk(s) to transcribe" if pending else ""
    return f"{reply['state']} {minutes:02d}:{seconds:02d}{private}{behind}"


def _draft_id(reply: dict[str, Any]) -> Any:
    return (reply.get("last_draft") or {}).get("id")


def _followed_to_end(before: dict[str, Any], reply: dict[str, Any], active: bool) -> bool:
    """Whether the dictation followed is over: idle again after it, or a new draft was saved meanwhile."""
    if _draft_id(reply) != _draft_id(before):
        return True
    return active and reply["state"] == "idle"


def _echo_followed(before: dict[str, Any], after: dict[str, Any]) -> None:
    """Say the saved draft, or why there is none."""
    draft = after.get("last_draft")
    if draft and _draft_id(after) != _draft_id(before):
        echo(_stopped({"draft": draft}))
    elif after.get("last_error") and after.get("last_error") != before.get("last_error"):
        raise DaemonError(f"the dictation ended without a draft: {after['last_error']}")
    else:
        echo("the dictation ended; nothing was saved")


@click.command("daemon")
@format_option("Note format of each dictation (default from settings).")
@click.option(
    "--hotkey", "keys", metavar="KEYS", help="Grab a global key, e.g. '<ctrl>+<alt>+d' (X11, macOS)."
)
@click.option("--push-to-talk", is_flag=True, help="Record while the hotkey is held, instead of toggling.")
@click.option(
    "--private-hotkey",
    "private_keys",
    metavar="KEYS",
    help="A second key for a private (psychotherapy) note.",
)
@click.option("--no-tones", is_flag=True, help="No start and stop tones.")
@click.option(
    "--device", metavar="NAME|INDEX", help="Input device (see `dictanote devices`); default: the system's."
)
@click.option(
    "--max-seconds",
    type=click.FloatRange(min=10),
    metavar="SECONDS",
    help="Length cap of one dictation (a warning comes 30 s before it).",
)
@click.option(
    "--arm/--no-arm",
    "stay_armed",
    default=False,
    show_default=True,
    help="Keep the microphone open between dictations, so the 0.5 s spoken before each start is kept "
    "(pre-roll). The microphone is then live all the time the daemon runs, and the system's microphone "
    "indicator shows it. Without it the microphone opens at start (the start tone plays once it "
    "delivers) and closes when the dictation stops.",
)
@click.option("--no-notify", is_flag=True, help="No desktop notifications (they go to the log only).")
@click.option(
    "--no-capture",
    is_flag=True,
    help="Serve the socket without any audio (to try a key binding); stop saves nothing.",
)
def daemon(
    format_id: str | None,
    keys: str | None,
    push_to_talk: bool,
    private_keys: str | None,
    no_tones: bool,
    device: str | None,
    max_seconds: float | None,
    stay_armed: bool,
    no_notify: bool,
    no_capture: bool,
) -> None:
    """Run the dictation daemon: the model stays loaded; clients and hotkeys drive it.

    Control it with `dictanote toggle` (bind that to a key in your desktop's
    shortcut settings), `start [--private]`, `stop`, `cancel` and `status`.
    SIGTERM or Ctrl-C finishes and saves a dictation in progress, then exits.
    """
    from ..daemon.hotkey import HotkeyOptions
    from ..daemon.service import DaemonOptions, run_daemon

    options = DaemonOptions(
        format_id=format_id,
        device=int(device) if device is not None and device.isdigit() else device,
        max_seconds=max_seconds,
        tones=not no_tones,
        capture=not no_capture,
        stay_armed=stay_armed,
        notifications=not no_notify,
        hotkey=HotkeyOptions(keys=keys, private_keys=private_keys, push_to_talk=push_to_talk),
    )
    dictation = get_dictation()  # asks for the store's passphrase at start where there is no keyring
    run_daemon(dictation.config, options, dictation)
