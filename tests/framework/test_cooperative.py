"""The cooperative hub: workers that switch while they wait, channels fed by other threads.

No test asserts a duration: each one checks the order in which workers ran, or an outcome.
Every wait that a bug could turn into a hang has a generous timeout, so a bug fails the test.
Every test runs with each poller the hub may wait with (epoll, and the selectors fallback of
platforms without it).
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from framework import cooperative, deadline
from framework.cooperative import READ, Hub

from hub_fixtures import PATIENCE, poller  # noqa: F401 - poller: autouse fixture


@pytest.fixture
def pairs():
    """Connected socket pairs, closed at the end."""
    made: list[socket.socket] = []

    def make() -> tuple[socket.socket, socket.socket]:
        a, b = socket.socketpair()
        made.extend((a, b))
        return a, b

    yield make
    for sock in made:
        sock.close()


def wait_for(condition, events) -> None:
    """In a worker: let the others run until ``condition()`` holds."""
    until = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < until, f"gave up waiting; events so far: {events}"
        cooperative.sleep(0.001)


# -- sockets -------------------------------------------------------------------------------

def test_the_worker_whose_socket_is_ready_resumes_while_the_other_keeps_waiting(pairs):
    hub = Hub()
    (a_read, a_write), (b_read, b_write) = pairs(), pairs()
    events: list[str] = []

    def waiter(name: str, sock: socket.socket):
        def work() -> None:
            events.append(f"{name} waits")
            ready = hub.wait(sock, READ, PATIENCE)
            events.append(f"{name} ready={ready} data={sock.recv(10)!r}")
        return work

    def driver() -> None:
        wait_for(lambda: len(events) == 2, events)  # both are parked
        b_write.send(b"b")
        wait_for(lambda: len(events) == 3, events)
        assert events[2] == "b ready=True data=b'b'"  # b resumed, a still parked
        a_write.send(b"a")

    hub.run([waiter("a", a_read), waiter("b", b_read), driver])
    assert events == ["a waits", "b waits", "b ready=True data=b'b'",
                      "a ready=True data=b'a'"]
    assert hub.workers == 0


def test_wait_returns_false_on_timeout_and_the_socket_can_be_waited_for_again(pairs):
    hub = Hub()
    quiet, other_end = pairs()
    results: list[bool] = []

    def work() -> None:
        results.append(hub.wait(quiet, READ, 0.02))
        other_end.send(b"x")
        results.append(hub.wait(quiet, READ, PATIENCE))  # unregistered after the timeout

    hub.run([work])
    assert results == [False, True]


def test_wait_socket_outside_a_hub_blocks_with_select(pairs):
    quiet, other_end = pairs()
    assert cooperative.wait_socket(quiet, READ, 0.01) is False
    other_end.send(b"x")
    assert cooperative.wait_socket(quiet, READ, PATIENCE) is True


def test_wait_socket_in_a_worker_lets_the_others_run(pairs):
    hub = Hub()
    sock, other_end = pairs()
    events: list[str] = []

    def reader() -> None:
        events.append("reader waits")
        assert cooperative.wait_socket(sock, READ, PATIENCE)
        events.append("reader ready")

    def writer() -> None:
        events.append("writer runs")
        other_end.send(b"x")

    hub.run([reader, writer])
    assert events == ["reader waits", "writer runs", "reader ready"]


# -- sleep ---------------------------------------------------------------------------------

def test_sleep_in_a_worker_lets_the_others_run_and_wakes_in_time_order():
    hub = Hub()
    events: list[str] = []

    def sleeper(name: str, seconds: float):
        def work() -> None:
            events.append(f"{name} sleeps")
            cooperative.sleep(seconds)
            events.append(f"{name} wakes")
        return work

    hub.run([sleeper("long", 0.05), sleeper("short", 0.01), lambda: events.append("busy")])
    assert events == ["long sleeps", "short sleeps", "busy", "short wakes", "long wakes"]


def test_sleep_outside_a_hub_is_time_sleep(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    cooperative.sleep(0.25)
    assert slept == [0.25]


def test_a_negative_or_zero_sleep_just_yields():
    hub = Hub()
    events: list[str] = []

    def first() -> None:
        hub.sleep(-1)
        events.append("first")

    hub.run([first, lambda: events.append("second")])
    assert events == ["second", "first"]


# -- errors --------------------------------------------------------------------------------

def test_a_failing_worker_does_not_stop_the_others_and_run_raises_the_first_error():
    hub = Hub()
    finished: list[str] = []

    def fails(message: str, after: float):
        def work() -> None:
            cooperative.sleep(after)
            raise ValueError(message)
        return work

    def steady() -> None:
        for _ in range(3):
            cooperative.sleep(0.01)
        finished.append("steady")

    with pytest.raises(ValueError, match="first"):
        hub.run([fails("second", 0.02), steady, fails("first", 0.0)])
    assert finished == ["steady"]
    assert hub.workers == 0


def test_a_keyboard_interrupt_in_a_worker_is_raised_after_the_others_end():
    hub = Hub()
    finished: list[str] = []

    def interrupted() -> None:
        raise KeyboardInterrupt

    def steady() -> None:
        cooperative.sleep(0.01)
        finished.append("steady")

    with pytest.raises(KeyboardInterrupt):
        hub.run([interrupted, steady])
    assert finished == ["steady"]


# -- current() -----------------------------------------------------------------------------

def test_current_is_the_hub_only_inside_its_workers():
    hub = Hub()
    seen: dict[str, object] = {}
    other_thread_saw: list[object] = ["not run"]

    def work() -> None:
        seen["worker"] = cooperative.current()
        thread = threading.Thread(target=lambda: other_thread_saw.__setitem__(
            0, cooperative.current()))
        thread.start()
        thread.join(PATIENCE)

    seen["before"] = cooperative.current()
    hub.run([work])
    seen["after"] = cooperative.current()
    assert seen == {"before": None, "worker": hub, "after": None}
    assert other_thread_saw == [None]  # while the hub ran, in another thread


def test_each_hub_thread_sees_its_own_hub():
    seen: dict[str, object] = {}
    hubs = {"one": Hub(), "two": Hub()}
    barrier = threading.Barrier(2, timeout=PATIENCE)

    def in_thread(name: str) -> None:
        def work() -> None:
            barrier.wait()  # both hubs are running now
            seen[name] = cooperative.current()
        hubs[name].run([work])

    threads = [threading.Thread(target=in_thread, args=(name,)) for name in hubs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE)
    assert seen == hubs


# -- context variables ---------------------------------------------------------------------

def test_each_worker_sees_its_own_attempt_deadline(pairs):
    hub = Hub()
    seen: list[tuple[str, float | None]] = []
    (a_read, a_write), (b_read, b_write) = pairs(), pairs()

    def attempt(name: str, seconds: float, sock: socket.socket):
        def work() -> None:
            with deadline.attempt_deadline(seconds) as mine:
                assert deadline.current() is mine
                seen.append((name, deadline.current().seconds))
                assert hub.wait(sock, READ, PATIENCE)
                seen.append((name, deadline.current().seconds))
            seen.append((name, deadline.current()))
        return work

    def driver() -> None:
        wait_for(lambda: len(seen) == 2, seen)
        a_write.send(b"x")  # a finishes its attempt while b is still inside its own
        wait_for(lambda: len(seen) == 4, seen)
        b_write.send(b"x")

    hub.run([attempt("a", 10, a_read), attempt("b", 20, b_read), driver])
    assert seen == [("a", 10.0), ("b", 20.0), ("a", 10.0), ("a", None), ("b", 20.0),
                    ("b", None)]
    assert deadline.current() is None
