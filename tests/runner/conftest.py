"""Fixtures of the runner tests."""

from __future__ import annotations

import pytest

from framework.runner import SQLiteQueue


@pytest.fixture
def queue(tmp_path):
    with SQLiteQueue(tmp_path / "queue.sqlite3") as q:
        yield q
