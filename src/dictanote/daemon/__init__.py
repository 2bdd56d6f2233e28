"""The dictation daemon: a long-running process with the model loaded, driven over a Unix socket.

``protocol`` (the JSON lines), ``client`` (what ``dictanote toggle`` runs; must
stay instant), ``server`` (socket, lock, accept loop), ``controller`` (the
dictation state machine and saving), ``hotkey`` (optional pynput), ``notify``
(desktop notifications), ``service`` (assembly) and ``commands`` (the CLI).
Nothing heavy is imported at package level.
"""

from .client import command, ping, send
from .protocol import COMMANDS, Request, socket_path

__all__ = ["COMMANDS", "Request", "command", "ping", "send", "socket_path"]
