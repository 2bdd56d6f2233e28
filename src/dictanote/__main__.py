"""``python -m dictanote``: the same as the ``dictanote`` command."""

from .cli import run

run()
