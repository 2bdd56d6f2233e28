"""What the application core takes and hands back: plain, frozen values.

A checked draft (``DraftResult``); for live dictation, its options and callbacks,
its outcome (``LiveResult`` with ``LiveTimings``) and the engine's ``LiveStatus``.
No behaviour beyond small helpers; nothing heavy is imported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ..core.types import Draft, Finding, NoteFormat, Transcript


@dataclass(frozen=True)
class SessionStart:
    """Who a dictation is about and when it started: the defaults of the draft's session.

    ``client_id``: a client of the list, as the clinician chose it (``--client``), never guessed.
    ``started``: when the clinician began dictating (an aware time; None: now). The date and time
    of service default to it, in local time, where the dictation does not say the date.
    """

    client_id: str | None = None
    started: dt.datetime | None = None


@dataclass(frozen=True)
class DraftResult:
    """A draft with the format it was made in, the checks' findings and the transcript it came from.

    ``transcript`` is None when the draft was made from text (``segment``, ``check``).
    """

    draft: Draft
    format: NoteFormat
    findings: tuple[Finding, ...]
    transcript: Transcript | None = None
    private_format: NoteFormat | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``segment``/``draft --json`` contract of DESIGN.md."""
        from ..render import draft_to_json

        return draft_to_json(self.draft, self.findings)

    @property
    def has_private(self) -> bool:
        """Whether a private (psychotherapy) note was dictated with the draft."""
        return self.draft.private is not None


State = Literal["idle", "armed", "recording", "finishing"]
StopReason = Literal["stop", "silence", "cap", "device_lost"]


@dataclass(frozen=True)
class LiveOptions:
    """How a live dictation captures and when it ends by itself.

    ``device``: input device (index, or a substring of its name); None is the
    system default. ``preroll_s``: audio kept from before ``start()``.
    ``max_seconds``: the recording length cap; ``warn_before_s`` before it a
    warning is raised. ``silence_stop_s``: end the dictation after this much
    silence following speech (None: never). ``format_id``: the note format
    (None: the ``format`` setting). ``tones``: a short tone when capture starts
    and stops (skipped silently where there is no output device).
    """

    device: str | int | None = None
    preroll_s: float = 0.5
    max_seconds: float = 600.0
    warn_before_s: float = 30.0
    silence_stop_s: float | None = None
    format_id: str | None = None
    tones: bool = False


@dataclass(frozen=True)
class LiveCallbacks:
    """Optional hooks, called from capture/worker threads (keep them quick).

    ``on_level(level, elapsed_s)``: twenty times a second (per 0.05 s block) while recording,
    level 0..1 (a dBFS meter from -60 to 0). ``on_warning(message)``: near the
    length cap, device trouble. ``on_autostop(reason)``: the recording ended by
    itself ("silence", "cap", "device_lost"); the owner should call ``stop()``
    (from its own thread) to get the draft.
    """

    on_level: Callable[[float, float], None] | None = None
    on_warning: Callable[[str], None] | None = None
    on_autostop: Callable[[StopReason], None] | None = None


@dataclass(frozen=True)
class LiveTimings:
    """Where the time went, in seconds.

    ``recorded_s``: audio length (pre-roll included). ``stop_to_draft_s``: from
    ``stop()`` until the checked draft existed (rendering and saving excluded).
    ``tail_s``: of that, transcribing what was left after stop. ``chunks``: how
    many chunks were transcribed while speaking plus the tail. ``wait_s``: of
    ``stop_to_draft_s``, waiting for the microphone's last block.
    """

    recorded_s: float
    stop_to_draft_s: float
    tail_s: float
    chunks: int
    wait_s: float = 0.0


@dataclass(frozen=True)
class LiveResult:
    """A finished live dictation: the draft (as ``draft_from_audio`` gives), timings, warnings.

    ``stopped_by`` says why recording ended; ``warnings`` are one-line messages
    for the user (device lost, cap reached, no speech heard); never note text.
    """

    result: DraftResult
    private: bool
    stopped_by: StopReason
    timings: LiveTimings
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class LiveStatus:
    """A snapshot of the engine, for ``dictanote status`` and the daemon.

    ``state``: idle, armed, recording or finishing. ``elapsed_s``: audio captured
    in this dictation. ``level``: the last block's level, 0..1. ``device``: the
    open input device's name, or None. ``private``, ``format``, ``autostop`` (why
    recording ended by itself) and ``warnings`` describe the dictation in
    progress (False, None, None and none when there is none). ``last_ignored_start``:
    when a start was last ignored because one was in progress (UTC), or None.
    """

    state: State
    elapsed_s: float = 0.0
    level: float = 0.0
    chunks_done: int = 0
    chunks_pending: int = 0
    device: str | None = None
    private: bool = False
    format: str | None = None
    max_seconds: float = 0.0
    last_ignored_start: str | None = None
    autostop: StopReason | None = None
    warnings: tuple[str, ...] = ()

    @property
    def busy(self) -> bool:
        """Whether a dictation is recording or finishing (its audio is still held)."""
        return self.state in ("recording", "finishing")

    def to_dict(self) -> dict[str, Any]:
        """The snapshot as JSON-ready data."""
        return {
            "state": self.state,
            "elapsed_s": self.elapsed_s,
            "level": self.level,
            "chunks_done": self.chunks_done,
            "chunks_pending": self.chunks_pending,
            "device": self.device,
            "private": self.private,
            "format": self.format,
            "max_seconds": self.max_seconds,
            "last_ignored_start": self.last_ignored_start,
            "autostop": self.autostop,
            "warnings": list(self.warnings),
        }
