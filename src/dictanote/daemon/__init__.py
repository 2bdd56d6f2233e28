"""The dictation daemon: a long-running process with the model loaded, driven over a Unix socket.

``protocol`` (the JSON lines), ``replies`` (the typed answers), ``client``
(what ``dictanote toggle`` runs; must stay instant), ``server`` (socket, lock,
accept loop), ``controller`` (requests to the engine, saving, notifying),
``engine`` (what the controller drives; ``NoCapture``), ``hotkey`` (optional
pynput), ``notify`` (desktop notifications) and ``service`` (assembly). The
commands that start and drive it belong to the CLI. Nothing heavy is imported
at package level.
"""

from .client import command, ping, send
from .protocol import COMMANDS, Request, socket_path

__all__ = ["COMMANDS", "Request", "command", "ping", "send", "socket_path"]
