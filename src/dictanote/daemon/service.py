"""Assemble and run the daemon: model loaded once, engine prepared, socket open, hotkey grabbed.

The one place that knows every daemon part and the application core. Order matters:
refuse early if a daemon is already running (before the model loads), load
the model and segmenter and find the input device (the microphone itself opens at each start,
or now and for good with ``--arm``), open the socket, then wait. On SIGTERM/SIGINT the
dictation in progress is finished and saved before the process exits.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..app import Dictation, LiveCallbacks, LiveDictation, LiveOptions
from ..core.config import Config
from ..core.errors import DictanoteError
from .controller import Chooser, Controller, ControllerOptions
from .hotkey import HotkeyActions, HotkeyOptions, Hotkeys
from .notify import Notifier
from .replies import StopReply
from .server import ControlSocket, Server

if TYPE_CHECKING:
    from ..app import LiveResult
    from ..core.types import StoredDraft

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DaemonOptions:
    """What ``dictanote daemon`` was asked for.

    ``capture`` False runs the socket and state machine with no audio at all
    (``--no-capture``: for checking a key binding, and for the lifecycle tests). ``stay_armed``
    (``--arm``) keeps the microphone open between dictations for the pre-roll; by default it is
    open only from ``start`` to the end of the dictation.
    """

    format_id: str | None = None
    device: str | int | None = None
    max_seconds: float | None = None
    tones: bool = True
    capture: bool = True
    stay_armed: bool = False
    notifications: bool = True
    hotkey: HotkeyOptions = field(default_factory=HotkeyOptions)


def build_engine(dictation: Dictation, options: DaemonOptions, controller: Controller) -> LiveDictation:
    """The live capture engine with the model loaded and the segmenter warming up."""
    format_id = dictation.prepare(options.format_id).id  # an unknown format fails now, not at the first stop
    dictation.warm_up()
    cap = {"max_seconds": options.max_seconds} if options.max_seconds is not None else {}
    live_options = LiveOptions(device=options.device, format_id=format_id, tones=options.tones, **cap)
    callbacks = LiveCallbacks(on_warning=controller.on_warning, on_autostop=controller.on_autostop)
    return LiveDictation(dictation, live_options, callbacks)


def _saver(dictation: Dictation) -> Callable[[LiveResult], StoredDraft]:
    def save(outcome: LiveResult) -> StoredDraft:
        return dictation.save(outcome.result, source="daemon")

    return save


def _chooser(dictation: Dictation) -> Chooser:
    """A start's format and client checked (the format loaded, the client looked up in the list)."""

    def choose(format_id: str | None, client_id: str | None) -> tuple[str | None, str | None]:
        chosen = dictation.prepare(format_id).id if format_id is not None else None
        return chosen, dictation.client(client_id) if client_id is not None else None

    return choose


def run_daemon(config: Config, options: DaemonOptions, dictation: Dictation | None = None) -> int:
    """Serve until SIGTERM/SIGINT; return the exit code (0 after a clean shutdown).

    ``dictation``: the entry point's (it knows how to ask for the store's passphrase).
    """
    control = ControlSocket(config.paths.runtime_dir)
    control.check_free()  # a second daemon is refused before it spends time loading the model
    notifier = Notifier(enabled=options.notifications)
    dictation = dictation if dictation is not None else Dictation(config)
    dictation.store_keys()  # the store is unlocked now (a passphrase asked at start), not at a save
    controller = Controller(  # no engine yet: NoCapture, until the live engine is built
        None,
        _saver(dictation),
        notifier,
        ControllerOptions(stay_armed=options.stay_armed),
        _chooser(dictation),
    )
    if options.capture:
        engine = build_engine(dictation, options, controller)
        controller.engine = engine
        try:
            engine.prepare()  # the device found now: a start only opens it
            controller.arm()
        except DictanoteError as exc:  # no microphone yet: keep serving, `start` tries again
            log.warning("the input device is not ready: %s", exc)
            notifier("dictanote: no microphone", str(exc), urgent=True)
    control.open()
    server = Server(control, controller.handle)
    server.install_signal_handlers()
    hotkeys = None
    if options.hotkey.wanted:
        hotkeys = Hotkeys(
            options.hotkey,
            HotkeyActions(
                start=lambda p: controller.start(private=p),
                stop=controller.stop,
                toggle=lambda p: controller.toggle(private=p),
            ),
        )
        controller.hotkey_status = hotkeys.start()
    sys.stderr.write(
        f"dictanote daemon: ready on {control.path} (capture {'on' if options.capture else 'off'})\n"
    )
    sys.stderr.flush()
    try:
        server.serve_forever()
    finally:
        if hotkeys is not None:
            hotkeys.stop()
        try:
            reply = controller.shutdown()
        finally:
            server.join_workers()
            notifier.wait()
            server.close()
    if isinstance(reply, StopReply):
        log.info("saved draft %s on the way out", reply.draft.id)
    return 0
