"""The pollers a cooperative hub waits with: epoll (Linux) and the selectors fallback.

Both run here, so the fallback is tested on Linux too.
"""

from __future__ import annotations

import socket

import pytest

from framework.pollers import READ, WRITE, EpollPoller, SelectorPoller


@pytest.fixture(params=[EpollPoller, SelectorPoller], ids=["epoll", "selectors"])
def poller(request):
    made = request.param()
    yield made
    made.close()


@pytest.fixture
def pair():
    a, b = socket.socketpair()
    yield a, b
    a.close()
    b.close()


def test_a_ready_socket_reports_its_waiter_once_per_arm(poller, pair):
    a, b = pair
    poller.arm(a.fileno(), READ, "reader")
    assert poller.poll(0.0) == []
    b.send(b"x")
    assert poller.poll(1.0) == ["reader"]
    assert poller.poll(0.0) == []  # one-shot: still readable, but not armed any more
    poller.arm(a.fileno(), READ, "again")
    assert poller.poll(1.0) == ["again"]


def test_a_disarmed_socket_is_not_reported(poller, pair):
    a, b = pair
    poller.arm(a.fileno(), READ, "reader")
    poller.disarm(a.fileno())
    b.send(b"x")
    assert poller.poll(0.0) == []
    poller.disarm(a.fileno())  # twice: harmless


def test_write_readiness_and_several_sockets(poller, pair):
    a, b = pair
    idle, other_end = socket.socketpair()  # nothing is ever written to it
    with idle, other_end:
        poller.arm(a.fileno(), WRITE, "writer")
        poller.arm(idle.fileno(), READ, "idle")
        assert poller.poll(1.0) == ["writer"]
        poller.disarm(idle.fileno())


def test_a_waiter_of_none_is_reported_like_any_other(poller, pair):
    # the hub waits for its wake-up socket with the waiter None
    a, b = pair
    poller.arm(a.fileno(), READ, None)
    b.send(b"x")
    assert poller.poll(1.0) == [None]


def test_arming_again_before_the_socket_fired_replaces_the_waiter(poller, pair):
    # the hub arms its wake-up socket before every poll, fired or not
    a, b = pair
    poller.arm(a.fileno(), READ, "first")
    assert poller.poll(0.0) == []
    poller.arm(a.fileno(), READ, "second")
    b.send(b"x")
    assert poller.poll(1.0) == ["second"]
