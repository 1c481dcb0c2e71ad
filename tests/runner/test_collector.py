"""fewer_collections: the collector's first threshold is raised during runs, then restored."""

from __future__ import annotations

import gc
import threading

import pytest

from framework.runner import Runner, SQLiteQueue
from framework.runner.collector import GEN0_THRESHOLD, fewer_collections


@pytest.fixture(autouse=True)
def default_thresholds():
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def test_the_threshold_is_raised_inside_and_restored_after():
    with fewer_collections():
        assert gc.get_threshold() == (GEN0_THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_overlapping_runs_restore_only_when_the_last_one_ends():
    outer = fewer_collections()
    inner = fewer_collections()
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)
    assert gc.get_threshold()[0] == GEN0_THRESHOLD  # the inner run still goes on
    inner.__exit__(None, None, None)
    assert gc.get_threshold() == (700, 10, 10)


def test_a_higher_threshold_or_a_disabled_collector_is_left_alone():
    gc.set_threshold(100_000, 5, 5)
    with fewer_collections():
        assert gc.get_threshold() == (100_000, 5, 5)
    gc.set_threshold(0, 10, 10)  # 0: automatic collection off
    with fewer_collections():
        assert gc.get_threshold() == (0, 10, 10)
    assert gc.get_threshold() == (0, 10, 10)


def test_the_threshold_comes_back_when_the_block_raises():
    with pytest.raises(ValueError):
        with fewer_collections():
            raise ValueError("boom")
    assert gc.get_threshold() == (700, 10, 10)


class Recording:
    """An integration instance that records the collector's threshold while delivering."""

    def __init__(self) -> None:
        self.seen: list[int] = []
        self.lock = threading.Lock()

    def process(self, message):
        with self.lock:
            self.seen.append(gc.get_threshold()[0])
        return []


def test_a_runner_delivers_with_the_raised_threshold_and_restores_it():
    integration = Recording()
    with SQLiteQueue(":memory:") as queue:
        runner = Runner(integration, queue=queue, concurrency=2, handle_signals=False)
        runner.feed([{"type": "track", "event": f"e{n}", "userId": "u"} for n in range(5)])
        summary = runner.run()
    assert summary.finished == 5
    assert set(integration.seen) == {GEN0_THRESHOLD}
    assert gc.get_threshold() == (700, 10, 10)
