"""Live dictation: microphone -> streaming transcription -> segmented, checked draft.

Speech captured now, as ``Dictation.from_audio`` is for files. One
``LiveDictation`` holds the ``Dictation`` (its loaded transcriber) and the input device, looked up in
advance (``prepare()``); the input stream opens at ``start()``, which returns once the first block has
come (the start tone plays then, so the clinician speaks only into a live microphone). Armed (``arm()``),
the stream stays open between dictations with a short pre-roll ring buffer, so that words spoken as the
key goes down are kept too. While recording, finished chunks (cut at pauses) are transcribed
in a background thread; after ``stop()`` only the last chunk is left, and
``Dictation.from_transcript`` makes the checked draft.

Audio lives in memory only and is dropped once transcribed; nothing here
writes a file or logs transcript text. Saving the draft is the caller's job
(``dictation.save(live_result.result, source=...)``).

Typical use (the daemon's; with ``--arm`` it calls ``arm()`` after ``prepare()`` and never disarms)::

    live = LiveDictation(Dictation(config), LiveOptions(device=None))
    live.prepare()                  # loads the model, finds the device; no stream is opened
    live.start()                    # opens the stream; returns once it delivers (pre-roll too if armed)
    ...
    outcome = live.stop()           # the last chunk transcribed, segmented, checked
    live.dictation.save(outcome.result, source="daemon")
    live.disarm()                   # close the stream: no microphone open between dictations

Every public method is thread-safe. Callbacks run on capture or worker threads:
they must return quickly and must not call back into ``stop()`` themselves
(hand the event to your own thread instead, or use ``wait_autostop()``).
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.policy import PRIVATE_FORMAT, utc_now
from ..core.types import SAMPLE_RATE
from .dictation import Dictation
from .values import (
    LiveCallbacks,
    LiveOptions,
    LiveResult,
    LiveStatus,
    LiveTimings,
    SessionStart,
    State,
    StopReason,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from ..capture import InputDevice, Microphone, RingBuffer
    from ..transcribe.streaming import StreamingOptions, StreamingTranscription

log = logging.getLogger(__name__)

# The input stream's block. At stop the last syllable may still be in the block being filled: stop()
# waits for that block only, so a short one keeps the wait short (it was 0.2 s: most of stop-to-draft).
BLOCK_S = 0.05
# How long start() waits for the stream's first block before it gives up on the start tone.
LIVE_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class StartTiming:
    """Where a ``start()`` went, in seconds from the call.

    ``first_sample_s``: when the first sample of the dictation was captured (negative when an armed
    stream's pre-roll reaches back before the call, and by a few ms when the sound server hands a new
    stream what it had just captured). ``live_s``: when its first block reached us
    (the start tone plays then); None when none came within ``LIVE_TIMEOUT_S``. ``opened``: whether
    this start opened the stream (False: it was armed).
    """

    first_sample_s: float | None
    live_s: float | None
    opened: bool


class LiveDictation:
    """One warm capture engine: the loaded transcriber, an input stream, a pre-roll ring buffer."""

    def __init__(
        self,
        dictation: Dictation,
        options: LiveOptions | None = None,
        callbacks: LiveCallbacks | None = None,
        streaming: StreamingOptions | None = None,
    ) -> None:
        """Nothing is opened or loaded here; ``arm()`` does that.

        ``streaming`` tunes where audio is cut into chunks (the defaults were measured).
        """
        self.dictation = dictation
        self.options = options or LiveOptions()
        self.callbacks = callbacks or LiveCallbacks()
        self.streaming = streaming
        self._lock = threading.RLock()
        self._state: State = "idle"
        self._closed = False
        self._device: InputDevice | None = None
        self._mic: Microphone | None = None
        self._ring: RingBuffer | None = None
        self._blocks: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._arrived = threading.Event()  # set by the PortAudio thread at every block
        self._consumer: threading.Thread | None = None
        self._stream: StreamingTranscription | None = None
        self._format_id = ""
        self._private = False
        self._session = SessionStart()
        self._feeding = False
        self._warned = False
        self._warnings: list[str] = []
        self._reason: StopReason | None = None
        self._autostopped = threading.Event()
        self._level = 0.0
        self._last_ignored_start: str | None = None
        self._prepared: InputDevice | None = None  # the device found in advance; None: look again
        self._rate: tuple[int, float] | None = None  # (device index, capture rate) once opened
        self.last_start: StartTiming | None = None

    # --- arming ---------------------------------------------------------------

    def prepare(self) -> None:
        """Everything a start needs short of opening the microphone: the model, VAD and segmenter, the
        input device looked up, PortAudio's libraries loaded. Nothing is opened; preparing twice does
        nothing. Raises ``DeviceNotFoundError`` or ``CaptureError`` (no input device at all).
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("this LiveDictation is closed")
            self._prepare()

    def _prepare(self) -> InputDevice:
        """The device to open, found now if not yet (lock held)."""
        from ..capture import resolve_input_device, warm_up_backend
        from ..transcribe.streaming import warm_up_vad

        if self._prepared is None:
            self.dictation.warm_up()  # the model now, the segmenter's spaCy pipeline in a thread
            warm_up_vad()
            self._prepared = resolve_input_device(self.options.device)  # PortAudio rescans: new devices
            warm_up_backend()
        return self._prepared

    def arm(self) -> None:
        """Prepare if needed and open the input stream; pre-roll starts filling.

        Raises ``DeviceNotFoundError`` (no device matches ``options.device``) or
        ``CaptureError`` (no input device at all, or it cannot be opened).
        Arming an armed engine does nothing.
        """
        from ..core.errors import CaptureError

        with self._lock:
            if self._closed:
                raise RuntimeError("this LiveDictation is closed")
            if self._mic is not None and not self._mic.lost:
                return
            self._drop_mic()
            try:
                self._open(self._prepare())
            except CaptureError:  # the device found in advance may be gone or renumbered: look again
                self._prepared = None
                self._open(self._prepare())

    def _open(self, device: InputDevice) -> None:
        """Open the input stream on ``device`` and start its consumer (lock held)."""
        from ..capture import Microphone, RingBuffer

        self._ring = RingBuffer(int(self.options.preroll_s * SAMPLE_RATE))
        blocks: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._blocks = blocks
        # PortAudio's threads only enqueue: every state change happens on the consumer thread
        rate = self._rate[1] if self._rate is not None and self._rate[0] == device.index else None
        mic = Microphone(
            device,
            self._on_block(blocks),
            lambda message: blocks.put(_Lost(message)),
            block_s=BLOCK_S,
            rate=rate,
        )
        mic.open()
        self._rate = (device.index, mic.rate)
        self._device, self._mic = device, mic
        self._consumer = threading.Thread(
            target=self._consume, args=(self._blocks,), name="dictanote-live", daemon=True
        )
        self._consumer.start()
        if self._state == "idle":
            self._state = "armed"
        log.info("input stream open on device %d", device.index)

    def disarm(self) -> None:
        """Close the input stream and drop every buffer. A dictation in progress is cancelled."""
        self.cancel()
        with self._lock:
            self._drop_mic()
            if self._state == "armed":
                self._state = "idle"

    def _drop_mic(self) -> None:
        mic, self._mic = self._mic, None
        if mic is not None:
            mic.close()
        self._blocks.put(None)  # ends the consumer of the old queue (not joined: it may wait for the lock)
        self._blocks = queue.SimpleQueue()
        self._consumer = None
        if self._ring is not None:
            self._ring.clear()
        self._ring = None
        self._level = 0.0

    # --- a dictation ------------------------------------------------------------

    def start(
        self, *, private: bool = False, format_id: str | None = None, client_id: str | None = None
    ) -> bool:
        """Begin a dictation (pre-roll included when armed): opens the stream if it is not open, and
        returns once its first block has come (at most ``LIVE_TIMEOUT_S``), then plays the start tone.
        ``last_start`` says how long that took.

        ``private`` makes it a psychotherapy note (``PRIVATE_FORMAT``);
        ``format_id`` overrides ``options.format_id`` for this dictation. ``client_id`` (checked by
        the caller against the client list) is the draft's client; its date and time of service are
        when recording started, unless the dictation says the date.
        Returns False (and changes nothing) when a dictation is already in
        progress: a second start is ignored, and ``status()`` says so.
        Raises ``UnknownFormatError``, ``DeviceNotFoundError`` or ``CaptureError``.
        """
        from ..transcribe.streaming import StreamingTranscription

        called = time.perf_counter()
        with self._lock:
            if self._state in ("recording", "finishing"):
                self._last_ignored_start = utc_now()
                log.info("start ignored: a dictation is already %s", self._state)
                return False
            chosen = PRIVATE_FORMAT if private else format_id or self.options.format_id
            chosen = self.dictation.prepare(chosen).id  # an unknown format fails now, not after speaking
            opened = self._mic is None or self._mic.lost
            self.arm()
            mic = self._mic
            stream = StreamingTranscription(self.dictation.transcriber, self.streaming)
            preroll = 0
            if self._ring is not None:
                preroll = len(self._ring)
                stream.feed(self._ring.read())
                self._ring.clear()
            self._stream = stream
            self._format_id, self._private = chosen, private
            self._session = SessionStart(client_id, started=dt.datetime.now(dt.timezone.utc))
            self._feeding, self._warned, self._warnings = True, False, []
            self._reason = None
            self._autostopped.clear()
            self._state = "recording"
        live = mic is not None and mic.wait_live(LIVE_TIMEOUT_S)
        self.last_start = _start_timing(called, mic, opened, preroll, live)
        if not live:
            log.warning("no audio from the input device %.1f s after start; no start tone", LIVE_TIMEOUT_S)
        elif self.options.tones:
            _tone(start=True)
        log.info("dictation started (private=%s)", private)
        return True

    def stop(self) -> LiveResult | None:
        """Finish the dictation: transcribe the last chunk, segment and check it.

        Returns None when nothing was recording. Stays armed afterwards (unless
        the device went away). If it did, the result holds what was captured
        until then and ``warnings`` says so. Raises ``TranscriptionError`` if the
        model failed on a chunk twice; the dictation is then dropped.
        """
        requested = time.perf_counter()
        with self._lock:
            if self._state != "recording" or self._stream is None:
                return None
            mic = self._mic
        if mic is not None and mic.is_open:
            self._arrived.clear()
            self._arrived.wait(2 * mic.block_s)  # the block filled at stop may hold the last syllable
            self._flush()
        wait_s = time.perf_counter() - requested
        with self._lock:
            stream = self._take_stream()
            self._state, self._feeding = "finishing", False
            reason: StopReason = self._reason or "stop"
            warnings, format_id, private = list(self._warnings), self._format_id, self._private
            session = self._session
        if stream is None:  # cancelled meanwhile
            return None
        if self.options.tones:
            _tone(start=False)
        try:
            tail_started = time.perf_counter()
            transcript = stream.finish()
            tail_s = time.perf_counter() - tail_started
            chunks = stream.chunks_done
            if not transcript.text:
                warnings.append("no speech was heard; the draft is empty")
            result = self.dictation.from_transcript(transcript, format_id, session)
        finally:
            with self._lock:
                self._state = "armed" if self._mic is not None and not self._mic.lost else "idle"
        timings = LiveTimings(
            recorded_s=transcript.duration_s,
            stop_to_draft_s=time.perf_counter() - requested,
            tail_s=tail_s,
            chunks=chunks,
            wait_s=wait_s,
        )
        log.info(
            "dictation of %.1f s finished (%s): %d chunks, draft %.2f s after stop",
            timings.recorded_s,
            reason,
            chunks,
            timings.stop_to_draft_s,
        )
        return LiveResult(result, private, reason, timings, tuple(warnings))

    def _take_stream(self) -> StreamingTranscription | None:
        stream, self._stream = self._stream, None
        return stream

    def cancel(self) -> bool:
        """Drop the dictation in progress; nothing is transcribed or kept. False if none."""
        with self._lock:
            stream, self._stream = self._stream, None
            if stream is None:
                return False
            self._feeding = False
            self._state = "armed" if self._mic is not None and not self._mic.lost else "idle"
        stream.cancel()
        log.info("dictation cancelled")
        return True

    def status(self) -> LiveStatus:
        """A snapshot of the engine and the dictation in progress."""
        with self._lock:
            stream = self._stream
            recording = self._state in ("recording", "finishing")
            return LiveStatus(
                state=self._state,
                elapsed_s=round(stream.duration_s, 2) if stream else 0.0,
                level=round(self._level, 3),
                chunks_done=stream.chunks_done if stream else 0,
                chunks_pending=stream.chunks_pending if stream else 0,
                device=self._device.name if self._device and self._mic else None,
                private=self._private if recording else False,
                format=self._format_id if recording else None,
                max_seconds=self.options.max_seconds,
                last_ignored_start=self._last_ignored_start,
                autostop=self._reason if recording else None,
                warnings=tuple(self._warnings) if recording else (),
            )

    def live_text(self) -> str:
        """The committed text of the dictation in progress ("" when there is none), for display only.

        Grows as chunks are transcribed; the caller shows it to the clinician and never logs or stores it.
        """
        with self._lock:
            stream = self._stream
        return stream.text if stream is not None else ""

    def wait_autostop(self, timeout: float | None = None) -> StopReason | None:
        """Block until recording ends by itself (silence, cap, device lost); None on timeout."""
        if not self._autostopped.wait(timeout):
            return None
        return self._reason

    def close(self) -> None:
        """Disarm and release everything; the engine cannot be used afterwards."""
        self.disarm()
        with self._lock:
            self._closed = True

    def __enter__(self) -> LiveDictation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the capture thread's side --------------------------------------------------

    def _on_block(self, blocks: queue.SimpleQueue[Any]) -> Callable[[Any], None]:
        """What PortAudio's thread calls with each block: queue it for the consumer, note that one came."""

        def arrived(block: Any) -> None:
            blocks.put(block)
            self._arrived.set()

        return arrived

    def _flush(self, timeout: float = 1.0) -> None:
        """Wait until the consumer has handled every block queued so far."""
        done = threading.Event()
        self._blocks.put(done)
        done.wait(timeout)

    def _consume(self, blocks: queue.SimpleQueue[Any]) -> None:
        while True:
            item = blocks.get()
            if item is None:
                return
            if isinstance(item, threading.Event):
                item.set()
            elif isinstance(item, _Lost):
                self._on_lost(item.message, blocks)
            else:
                self._handle(item, blocks)

    def _handle(self, block: npt.NDArray[np.float32], blocks: queue.SimpleQueue[Any]) -> None:
        import numpy as np

        rms = float(np.sqrt(np.mean(np.square(block)))) if len(block) else 0.0
        level = min(1.0, max(0.0, (20 * np.log10(max(rms, 1e-6)) + 60) / 60))
        autostop: StopReason | None = None
        warning: str | None = None
        with self._lock:
            if blocks is not self._blocks:  # a block from a stream closed meanwhile
                return
            self._level = level
            stream = self._stream
            if stream is None or not self._feeding:
                if self._ring is not None and self._state != "finishing":
                    self._ring.write(block)
                return
            stream.feed(block)
            elapsed = stream.duration_s
            opts = self.options
            if elapsed >= opts.max_seconds:
                autostop = "cap"
                self._warnings.append(f"recording stopped at the {opts.max_seconds:.0f} s limit")
            elif not self._warned and elapsed >= opts.max_seconds - opts.warn_before_s:
                self._warned = True
                warning = (
                    f"recording stops in {opts.max_seconds - elapsed:.0f} s (limit {opts.max_seconds:.0f} s)"
                )
            elif (
                opts.silence_stop_s is not None
                and stream.heard_speech
                and stream.trailing_silence_s >= opts.silence_stop_s
            ):
                autostop = "silence"
            if autostop is not None:
                self._set_autostop(autostop)
        if self.callbacks.on_level is not None:
            self.callbacks.on_level(level, elapsed)
        if warning is not None and self.callbacks.on_warning is not None:
            self.callbacks.on_warning(warning)
        if autostop is not None and self.callbacks.on_autostop is not None:
            self.callbacks.on_autostop(autostop)

    def _set_autostop(self, reason: StopReason) -> None:
        """Stop feeding audio to the dictation and tell whoever waits (lock held)."""
        self._feeding = False
        self._reason = reason
        self._autostopped.set()
        log.info("recording ended by itself: %s", reason)

    def _on_lost(self, message: str, blocks: queue.SimpleQueue[Any]) -> None:
        """The microphone went away (queued by a PortAudio or watchdog thread after its last block)."""
        with self._lock:
            if blocks is not self._blocks:
                return
            recording = self._state == "recording" and self._feeding
            stream = self._stream
            self._prepared = None  # it may come back under another index: look for it again then
            if recording and stream is not None:
                kept = f"{stream.duration_s:.0f} s"
                text = f"{message}; the draft holds what was captured until then ({kept})"
                self._warnings.append(text)
                self._set_autostop("device_lost")
            else:
                text = f"{message}; dictanote will try to open it again at the next start"
                if self._state == "armed":
                    self._state = "idle"
        if self.callbacks.on_warning is not None:
            self.callbacks.on_warning(text)
        if recording and self.callbacks.on_autostop is not None:
            self.callbacks.on_autostop("device_lost")


@dataclass(frozen=True)
class _Lost:
    """The input device went away (a marker in the block queue)."""

    message: str


def _start_timing(
    called: float, mic: Microphone | None, opened: bool, preroll: int, live: bool
) -> StartTiming:
    """How long a start took to its first sample and its first block (see ``StartTiming``)."""
    live_s = time.perf_counter() - called if live else None
    if not opened:
        first: float | None = -preroll / SAMPLE_RATE
    elif mic is not None and mic.first_sample_at is not None:
        first = mic.first_sample_at - called
    else:
        first = None
    return StartTiming(first_sample_s=first, live_s=live_s, opened=opened)


def _tone(*, start: bool) -> None:
    from ..capture.tones import START_HZ, STOP_HZ, play_tone

    play_tone(START_HZ if start else STOP_HZ)
