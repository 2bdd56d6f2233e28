"""The pre-roll ring: the latest samples kept, the oldest dropped."""

from __future__ import annotations

import numpy as np
import pytest

from dictanote.capture import RingBuffer


@pytest.mark.parametrize(
    ("capacity", "writes", "expected"),
    [
        (4, [[1, 2]], [1, 2]),
        (4, [[1, 2], [3, 4]], [1, 2, 3, 4]),
        (4, [[1, 2, 3], [4, 5, 6]], [3, 4, 5, 6]),
        (4, [[1, 2, 3, 4, 5, 6, 7]], [4, 5, 6, 7]),
        (4, [[1], [2], [3], [4], [5]], [2, 3, 4, 5]),
        (4, [[1, 2, 3, 4, 5, 6, 7], [8]], [5, 6, 7, 8]),
        (0, [[1, 2]], []),
        (3, [], []),
    ],
)
def test_ring_ring_keeps_latest_samples(capacity: int, writes: list[list[int]], expected: list[int]) -> None:
    ring = RingBuffer(capacity)
    for block in writes:
        ring.write(np.asarray(block, dtype=np.float32))
    assert ring.read().tolist() == expected
    ring.clear()
    assert ring.read().tolist() == []
    assert not ring._data.any()  # cleared means zeroed, not just forgotten
