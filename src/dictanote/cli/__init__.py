"""The ``dictanote`` command line: a thin skin over the application core; the only package that imports click.

``root`` (the root group, its one registration list, and the one place errors
become a line and an exit code), ``common`` (shared options, the ``Config`` and
``Dictation`` of an invocation, output), and one module per command group:
``dictate``, ``record``, ``daemon``, ``records``, ``export``, ``review``, ``info``.
Loading it imports click, the settings and the daemon's socket client, nothing heavy
(``dictanote --help`` and ``dictanote toggle`` are instant).
"""

from .root import cli, main, run

__all__ = ["cli", "main", "run"]
