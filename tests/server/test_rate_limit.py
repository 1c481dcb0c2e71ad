"""framework.server.rate_limit: a sliding window per key, on an injected clock."""

from __future__ import annotations

import pytest

from framework.server.rate_limit import SlidingWindowLimit


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_limit_per_key_and_reset_when_the_oldest_leaves():
    clock = Clock()
    limit = SlidingWindowLimit(2, window=60, clock=clock)
    assert limit.hit("a") is None
    clock.now += 10
    assert limit.hit("a") is None
    assert limit.hit("b") is None, "keys are limited separately"
    clock.now += 5
    assert limit.hit("a") == 1060.0
    assert limit.hit("a") == 1060.0, "a refused request is not counted"
    clock.now = 1060.0
    assert limit.hit("a") is None
    assert limit.hit("a") == 1070.0


def test_no_burst_at_a_window_boundary():
    clock = Clock(59.9)
    limit = SlidingWindowLimit(3, window=60, clock=clock)
    assert [limit.hit("k") for _ in range(3)] == [None, None, None]
    clock.now = 60.1  # a fixed per-minute counter would allow three more here
    assert limit.hit("k") == pytest.approx(119.9)


def test_limit_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        SlidingWindowLimit(0)
