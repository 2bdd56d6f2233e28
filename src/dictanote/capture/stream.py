"""An open input stream that hands 16 kHz mono float32 blocks to a callback.

Opens the device at 16 kHz where it can, else at its own rate with a small
streaming resampler. Notices a device that goes away (PortAudio ends the
stream, or the blocks stop coming) and says so once, through ``on_lost``.
Says when it is live: ``wait_live()`` returns once the first block has come, and
``first_sample_at`` is when that block's first sample was captured.
Blocks are handed on and forgotten: nothing is kept here or written anywhere.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.errors import CaptureError
from ..core.types import SAMPLE_RATE
from .devices import InputDevice, sounddevice, stream_closed, stream_opened

if TYPE_CHECKING:
    import numpy.typing as npt

log = logging.getLogger(__name__)

BlockCallback = Callable[["npt.NDArray[np.float32]"], None]
LostCallback = Callable[[str], None]


class Resampler:
    """Streaming sample-rate conversion: a windowed-sinc low-pass, then linear interpolation."""

    TAPS = 63

    def __init__(self, source_rate: float, target_rate: float = SAMPLE_RATE) -> None:
        self.step = float(source_rate) / float(target_rate)
        cutoff = min(1.0, target_rate / source_rate) * 0.9  # of the source's Nyquist frequency
        n = np.arange(self.TAPS) - (self.TAPS - 1) / 2
        taps = np.sinc(cutoff * n) * cutoff * np.hamming(self.TAPS)
        self._taps = (taps / taps.sum()).astype(np.float32)
        self._history = np.zeros(self.TAPS - 1, dtype=np.float32)
        self._tail = np.zeros(0, dtype=np.float32)
        self._pos = 0.0

    def __call__(self, block: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """The resampled continuation of everything fed so far."""
        padded = np.concatenate((self._history, block.astype(np.float32, copy=False)))
        self._history = padded[-(self.TAPS - 1) :].copy()
        filtered = np.concatenate((self._tail, np.convolve(padded, self._taps, mode="valid")))
        last = len(filtered) - 1
        count = int(np.floor((last - self._pos) / self.step)) + 1 if last >= self._pos else 0
        t = self._pos + self.step * np.arange(count)
        i = np.floor(t).astype(np.int64)
        frac = (t - i).astype(np.float32)
        out = filtered[i] * (1 - frac) + filtered[np.minimum(i + 1, last)] * frac
        next_pos = self._pos + self.step * count
        keep = int(np.floor(next_pos))
        self._tail = filtered[keep:].copy()
        self._pos = next_pos - keep
        resampled: npt.NDArray[np.float32] = out.astype(np.float32)
        return resampled


class Microphone:
    """One input stream on one device; ``on_block`` gets every block from a PortAudio thread.

    ``on_block`` must be quick (copy and hand on). ``on_lost(message)`` is called
    at most once, when the device stops (PortAudio ends the stream, or no block
    arrives for ``stall_s``). ``rate``: the device's capture rate when already known (from an
    earlier open), which spares asking PortAudio again.
    """

    def __init__(
        self,
        device: InputDevice,
        on_block: BlockCallback,
        on_lost: LostCallback,
        *,
        block_s: float = 0.2,
        stall_s: float = 2.0,
        rate: float | None = None,
    ) -> None:
        self.device = device
        self.block_s = block_s
        self.stall_s = stall_s
        self.rate = float(rate or SAMPLE_RATE)
        self._known_rate = rate
        self.first_sample_at: float | None = None  # time.perf_counter() of the first sample captured
        self._live = threading.Event()
        self.overflows = 0
        self._on_block = on_block
        self._on_lost = on_lost
        self._stream: Any = None
        self._resampler: Resampler | None = None
        self._closing = threading.Event()
        self._lost = False
        self._last_block = 0.0
        self._watchdog: threading.Thread | None = None

    @property
    def is_open(self) -> bool:
        """Whether the stream is open and delivering (not closed, not lost)."""
        return self._stream is not None and not self._lost

    @property
    def lost(self) -> bool:
        """Whether the device went away while the stream was open."""
        return self._lost

    def open(self) -> None:
        """Open and start the stream; ``CaptureError`` if the device cannot be opened."""
        if self._stream is not None:
            return
        sd = sounddevice()
        self.rate = self._known_rate or self._pick_rate(sd)
        self._resampler = Resampler(self.rate) if self.rate != SAMPLE_RATE else None
        self._closing.clear()
        self._lost = False
        self._live.clear()
        self.first_sample_at = None
        try:
            stream = sd.InputStream(
                device=self.device.index,
                channels=1,
                samplerate=self.rate,
                dtype="float32",
                blocksize=int(self.rate * self.block_s),
                callback=self._callback,
                finished_callback=self._finished,
            )
            stream.start()
        except Exception as exc:  # PortAudioError, or ValueError for settings the device refuses
            raise CaptureError(f"cannot open input device {self.device.name!r}: {_reason(exc)}") from exc
        stream_opened()
        self._stream = stream
        self._last_block = time.monotonic()
        self._watchdog = threading.Thread(target=self._watch, name="dictanote-mic-watchdog", daemon=True)
        self._watchdog.start()
        log.info("input stream open on device %d at %.0f Hz", self.device.index, self.rate)

    def wait_live(self, timeout: float) -> bool:
        """Wait until the first block has come from the device (at most ``timeout`` s); whether it has."""
        return self._live.wait(timeout)

    def close(self) -> None:
        """Stop and close the stream (aborting: nothing is drained or kept)."""
        stream, self._stream = self._stream, None
        self._closing.set()
        if stream is None:
            return
        try:
            stream.abort()  # stop() can wait forever on a source that has gone quiet
            stream.close()
        except Exception as exc:  # a vanished device may fail to close; nothing is left to save
            log.debug("closing the input stream failed: %s", type(exc).__name__)
        stream_closed()
        if self._watchdog is not None and self._watchdog is not threading.current_thread():
            self._watchdog.join(timeout=1.0)
        self._watchdog = None
        self._resampler = None

    def _pick_rate(self, sd: Any) -> float:
        try:
            sd.check_input_settings(
                device=self.device.index, channels=1, dtype="float32", samplerate=SAMPLE_RATE
            )
            return float(SAMPLE_RATE)
        except Exception:
            return float(self.device.default_samplerate or SAMPLE_RATE)

    def _callback(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        if status and status.input_overflow:
            self.overflows += 1
        self._last_block = time.monotonic()
        if not self._live.is_set():
            self._first_block(frames, time_info)
        block = np.array(indata[:, 0], dtype=np.float32)
        if self._resampler is not None:
            block = self._resampler(block)
        try:
            self._on_block(block)
        except Exception:  # never let a consumer's bug kill the audio thread
            log.exception("the audio block consumer failed")

    def _first_block(self, frames: int, time_info: Any) -> None:
        """Note when the first sample was captured: PortAudio's capture time where it gives a sane one."""
        now = time.perf_counter()
        try:
            age = float(time_info.currentTime) - float(time_info.inputBufferAdcTime)
        except (AttributeError, TypeError, ValueError):
            age = -1.0
        if not 0.0 <= age <= 1.0:  # some host APIs report no capture time: assume a block just filled
            age = frames / self.rate
        self.first_sample_at = now - age
        self._live.set()

    def _finished(self) -> None:
        if not self._closing.is_set():
            self._report_lost(
                "the input device stopped delivering audio (unplugged or the sound server quit)"
            )

    def _watch(self) -> None:
        while not self._closing.wait(0.25):
            if time.monotonic() - self._last_block > self.stall_s:
                self._report_lost(f"no audio from the input device for {self.stall_s:.0f} s")
                return

    def _report_lost(self, message: str) -> None:
        if self._lost or self._closing.is_set():
            return
        self._lost = True
        log.warning("input device %d lost", self.device.index)
        self._on_lost(message)


def _reason(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
