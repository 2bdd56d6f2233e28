"""Live dictation: microphone -> streaming transcription -> segmented, checked draft.

The wiring for speech captured now, as ``pipeline.py`` is for files. One
``LiveDictation`` holds a loaded transcriber and (while armed) an open input
stream with a short pre-roll ring buffer, so that words spoken as the key goes
down are kept. While recording, finished chunks (cut at pauses) are transcribed
in a background thread; after ``stop()`` only the last chunk is left.

Audio lives in memory only and is dropped once transcribed; nothing here
writes a file or logs transcript text. Saving the draft is the caller's job
(``pipeline.save_result(live_result.result, config, source=...)``).

Typical use (the daemon keeps one armed between dictations)::

    live = LiveDictation(config, pipeline.make_transcriber(config), LiveOptions(device=None))
    live.arm()                      # loads the model, opens the stream; pre-roll starts filling
    live.start()                    # a dictation begins, with the last 0.5 s of pre-roll
    ...
    outcome = live.stop()           # the last chunk transcribed, segmented, checked
    pipeline.save_result(outcome.result, config, source="daemon")
    live.disarm()                   # close the stream when going idle for good

Every public method is thread-safe. Callbacks run on capture or worker threads:
they must return quickly and must not call back into ``stop()`` themselves
(hand the event to your own thread instead, or use ``wait_autostop()``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from .config import Config
from .pipeline import DraftResult
from .transcribe import Transcriber

State = Literal["idle", "armed", "recording", "finishing"]
StopReason = Literal["stop", "silence", "cap", "device_lost"]

# The dictation of ``start(private=True)`` becomes a note of this format (private.db).
PRIVATE_FORMAT = "psychotherapy"


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

    ``on_level(level, elapsed_s)``: about ten times a second while recording,
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
    many chunks were transcribed while speaking plus the tail.
    """

    recorded_s: float
    stop_to_draft_s: float
    tail_s: float
    chunks: int


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


class LiveDictation:
    """One warm capture engine: the loaded transcriber, an input stream, a pre-roll ring buffer."""

    def __init__(
        self,
        config: Config,
        transcriber: Transcriber,
        options: LiveOptions | None = None,
        callbacks: LiveCallbacks | None = None,
    ) -> None:
        """Nothing is opened or loaded here; ``arm()`` does that."""
        raise NotImplementedError

    def arm(self) -> None:
        """Load the model, VAD and segmenter if needed; open the input stream; keep pre-roll.

        Raises ``DeviceNotFoundError`` (no device matches ``options.device``) or
        ``CaptureError`` (no input device at all, or it cannot be opened).
        Arming an armed engine does nothing.
        """
        raise NotImplementedError

    def disarm(self) -> None:
        """Close the input stream and drop every buffer. A dictation in progress is cancelled."""
        raise NotImplementedError

    def start(self, *, private: bool = False, format_id: str | None = None) -> bool:
        """Begin a dictation, pre-roll included; arms first if needed.

        ``private`` makes it a psychotherapy note (``PRIVATE_FORMAT``);
        ``format_id`` overrides ``options.format_id`` for this dictation.
        Returns False (and changes nothing) when a dictation is already in
        progress: a second start is ignored, and ``status()`` says so.
        """
        raise NotImplementedError

    def stop(self) -> LiveResult | None:
        """Finish the dictation: transcribe the last chunk, segment and check it.

        Returns None when nothing was recording. Stays armed afterwards. If the
        device went away meanwhile, the result holds what was captured until
        then and ``warnings`` says so. Raises ``TranscriptionError`` only if the
        model itself failed (the audio stays in memory for a retry with ``stop()``).
        """
        raise NotImplementedError

    def cancel(self) -> bool:
        """Drop the dictation in progress; nothing is transcribed or kept. False if none."""
        raise NotImplementedError

    def status(self) -> dict[str, Any]:
        """A JSON-ready snapshot.

        Keys: ``state`` (idle|armed|recording|finishing), ``elapsed_s``,
        ``level`` (0..1), ``chunks_done``, ``chunks_pending``, ``device`` (name
        or None), ``private``, ``format``, ``max_seconds``, ``last_ignored_start``
        (ISO time of the last start ignored because one was in progress, or None).
        """
        raise NotImplementedError

    def wait_autostop(self, timeout: float | None = None) -> StopReason | None:
        """Block until recording ends by itself (silence, cap, device lost); None on timeout."""
        raise NotImplementedError

    def close(self) -> None:
        """Disarm and release everything; the engine cannot be used afterwards."""
        raise NotImplementedError

    def __enter__(self) -> LiveDictation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
