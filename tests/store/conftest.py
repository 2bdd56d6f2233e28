"""Fixtures of the store tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dictanote.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An open store in a fresh directory."""
    with Store.open(tmp_path / "store") as opened:
        yield opened
