"""A fixed-size ring of the most recent samples: the pre-roll kept while armed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt


class RingBuffer:
    """The last ``capacity`` float32 samples written, oldest first on read."""

    def __init__(self, capacity: int) -> None:
        self.capacity = max(0, int(capacity))
        self._data: npt.NDArray[np.float32] = np.zeros(self.capacity, dtype=np.float32)
        self._end = 0  # total samples ever written; the write position is _end % capacity

    def __len__(self) -> int:
        return min(self._end, self.capacity)

    def write(self, block: npt.NDArray[np.float32]) -> None:
        """Append ``block``, overwriting the oldest samples once full."""
        if self.capacity == 0 or len(block) == 0:
            return
        if len(block) >= self.capacity:
            self._data[:] = block[-self.capacity :]
            self._end += len(block)
            self._end -= self._end % self.capacity  # keep the read order starting at 0
            return
        start = self._end % self.capacity
        first = min(len(block), self.capacity - start)
        self._data[start : start + first] = block[:first]
        self._data[: len(block) - first] = block[first:]
        self._end += len(block)

    def read(self) -> npt.NDArray[np.float32]:
        """A copy of what the ring holds, oldest sample first."""
        n = len(self)
        if n < self.capacity or self.capacity == 0:
            head: npt.NDArray[np.float32] = self._data[:n].copy()
            return head
        start = self._end % self.capacity
        out: npt.NDArray[np.float32] = np.concatenate((self._data[start:], self._data[:start]))
        return out

    def clear(self) -> None:
        """Forget everything (the samples are zeroed, not just unreferenced)."""
        self._data[:] = 0.0
        self._end = 0
