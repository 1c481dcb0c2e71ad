"""The cooperative hub's channels: queues that other threads fill and hub workers read.

No test asserts a duration; every wait a bug could turn into a hang has a generous timeout.
Every test runs with each poller the hub may wait with.
"""

from __future__ import annotations

import queue
import threading
import time

import pytest

from framework import cooperative
from framework.cooperative import Channel, Hub

from hub_fixtures import PATIENCE, poller  # noqa: F401 - poller: autouse fixture


def test_items_put_by_another_thread_each_reach_exactly_one_parked_reader():
    for round_ in range(200):
        hub = Hub()
        channel: Channel[int | None] = Channel(2, hub)
        got: list[int] = []
        items = list(range(10))

        def reader() -> None:
            while True:
                item = channel.get(timeout=PATIENCE)  # a lost wake-up raises queue.Empty
                if item is None:
                    return
                got.append(item)
                if item % 3 == 0:
                    cooperative.sleep(0)  # some readers are busy when the next item comes

        given_up = threading.Event()  # the hub failed: the producer stops too

        def producer() -> None:
            for item in items + [None] * 3:
                while not given_up.is_set():
                    try:
                        channel.put(item, timeout=0.05)
                        break
                    except queue.Full:  # the readers are busy: try again
                        pass
                if round_ % 2:
                    time.sleep(0)  # vary the interleaving with the hub's poll

        thread = threading.Thread(target=producer)
        thread.start()
        try:
            hub.run([reader, reader, reader])
        finally:
            given_up.set()
            thread.join(PATIENCE)
        assert sorted(got) == items, f"round {round_}"


def test_a_put_from_another_thread_wakes_a_reader_parked_without_timeout():
    hub = Hub()
    channel: Channel[str] = Channel(1, hub)
    events: list[str] = []
    parked = threading.Event()

    def reader() -> None:
        events.append("parks")
        parked.set()
        events.append(channel.get())

    def producer() -> None:
        assert parked.wait(PATIENCE)
        time.sleep(0.02)  # the hub is asleep in select by now (or about to be)
        channel.put("item")

    threading.Thread(target=producer, daemon=True).start()
    hub.run([reader])
    assert events == ["parks", "item"]


def test_a_reader_parked_again_after_a_wake_up_lets_the_hub_sleep():
    # Another thread's put wakes a hub asleep in its poll with a byte on the hub's wake-up
    # socket. That byte must be read, or the wake-up socket stays readable and every later
    # poll returns at once: the hub spins on the CPU while its readers wait for nothing.
    hub = Hub()
    channel: Channel[str] = Channel(1, hub)
    polls = [0]
    poll = hub._poll

    def counted_poll() -> None:
        polls[0] += 1
        poll()

    hub._poll = counted_poll  # type: ignore[method-assign]
    parked = threading.Event()
    got: list[str] = []

    def reader() -> None:
        parked.set()
        got.append(channel.get(timeout=PATIENCE))
        with pytest.raises(queue.Empty):
            channel.get(timeout=0.3)  # parked again; nothing comes

    def producer() -> None:
        assert parked.wait(PATIENCE)
        time.sleep(0.05)  # the hub is asleep in its poll by now
        channel.put("item")

    thread = threading.Thread(target=producer)
    thread.start()
    hub.run([reader])
    thread.join(PATIENCE)
    assert got == ["item"]
    assert polls[0] < 20, f"the hub polled {polls[0]} times for two waits"


def test_get_with_a_timeout_in_a_worker_raises_empty_and_lets_the_others_run():
    hub = Hub()
    channel: Channel[str] = Channel(4, hub)
    events: list[str] = []

    def reader() -> None:
        events.append("reader waits")
        with pytest.raises(queue.Empty):
            channel.get(timeout=0.03)
        events.append("reader gave up")
        with pytest.raises(queue.Empty):
            channel.get(block=False)

    def other() -> None:
        events.append("other runs")

    hub.run([reader, other])
    assert events == ["reader waits", "other runs", "reader gave up"]


def test_items_put_by_a_worker_reach_a_reader_of_the_same_hub():
    hub = Hub()
    channel: Channel[int] = Channel(0, hub)
    got: list[int] = []

    def reader() -> None:
        for _ in range(5):
            got.append(channel.get(timeout=PATIENCE))

    def writer() -> None:
        for n in range(5):
            channel.put(n)
            cooperative.sleep(0)

    hub.run([reader, writer])
    assert got == [0, 1, 2, 3, 4]


def test_a_channel_outside_its_hub_is_a_plain_bounded_queue():
    hub = Hub()
    channel: Channel[str] = Channel(2, hub)
    channel.put("a")
    channel.put_nowait("b")
    assert channel.full() and channel.qsize() == 2
    with pytest.raises(queue.Full):
        channel.put("c", timeout=0.01)
    assert channel.get() == "a" and channel.get_nowait() == "b"
    with pytest.raises(queue.Empty):
        channel.get(timeout=0.01)
    with pytest.raises(queue.Empty):
        channel.get_nowait()
    assert channel.empty()

    got: list[str] = []
    consumer = threading.Thread(target=lambda: got.append(channel.get(timeout=PATIENCE)))
    consumer.start()  # a blocking get in a plain thread, while the hub is not even running
    channel.put("d")
    consumer.join(PATIENCE)
    assert got == ["d"]


def test_a_channel_of_a_finished_hub_still_works_as_a_queue():
    hub = Hub()
    channel: Channel[int] = Channel(0, hub)
    hub.run([lambda: channel.put(1)])
    channel.put(2)  # the hub's wake-up socket is closed: no error
    assert [channel.get(timeout=PATIENCE), channel.get(timeout=PATIENCE)] == [1, 2]
