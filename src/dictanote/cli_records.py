"""``dictanote drafts …``, ``notes …`` and ``audit …``: the store for people who live in a terminal.

A thin skin over the store through the pipeline; heavy libraries load only
inside commands. Errors go to ``cli.main`` like every other command's.
"""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
