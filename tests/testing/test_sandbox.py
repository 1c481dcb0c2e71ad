"""The sandbox: canned replies for every request, no real connection, no DNS."""

import socket

import pytest
import requests

from framework.testing import NetworkBlocked, Reply, Sandbox


def test_every_method_and_url_gets_the_next_reply_then_200():
    with Sandbox([Reply(201, {"a": 1})]) as sandbox:
        sandbox.queue(Reply(404, "gone", {"X-A": "1"}), times=2)
        first = requests.post("https://a.test/x?q=1&q=2&r=", data=b"hi")
        second = requests.delete("http://b.test/")
        third = requests.get("https://c.test/deep/path")
        fourth = requests.options("https://c.test/")
    assert (first.status_code, first.json()) == (201, {"a": 1})
    assert first.headers["Content-Type"] == "application/json"
    assert (second.status_code, second.text, second.headers["X-A"]) == (404, "gone", "1")
    assert second.headers["Content-Type"] == "text/plain"
    assert third.status_code == 404 and (fourth.status_code, fourth.text) == (200, "{}")
    exchange = sandbox.exchanges[0]
    assert (exchange.method, exchange.path, exchange.query_string) == ("POST", "/x",
                                                                       "q=1&q=2&r=")
    assert exchange.query() == {"q": ["1", "2"], "r": ""}
    assert (exchange.body, exchange.text, exchange.status) == (b"hi", "hi", 201)
    assert exchange.describe() == "POST https://a.test/x?q=1&q=2&r="
    assert sandbox.exchanges[1].body == b"" and sandbox.exchanges[1].path == "/"
    assert [e.status for e in sandbox.exchanges] == [201, 404, 404, 200]


def test_a_reply_repeats_forever_with_times_none():
    with Sandbox(default=Reply(500)) as sandbox:
        sandbox.queue(Reply(202), times=None)
        statuses = [requests.get("https://a.test").status_code for _ in range(3)]
    assert statuses == [202, 202, 202]


def test_a_reply_can_raise():
    with Sandbox([Reply(raises=requests.ConnectTimeout), Reply(raises=ValueError("x"))]) as box:
        with pytest.raises(requests.ConnectTimeout, match="sandbox reply: ConnectTimeout"):
            requests.get("https://a.test")
        with pytest.raises(ValueError, match="x"):
            requests.get("https://a.test")
    assert isinstance(box.exchanges[0].error, requests.ConnectTimeout)
    assert box.exchanges[0].response is None and box.exchanges[0].status is None
    assert Reply(raises=ValueError("x")).describe() == "raise ValueError"
    assert Reply(raises=KeyError).describe() == "raise KeyError"
    assert Reply(200, b"\x00").describe() == "200 b'\\x00'"


def test_reply_bodies():
    assert Reply().content() == b"{}"
    assert Reply(body=[1]).content() == b"[1]"
    assert Reply(body="t").content_type() == "text/plain"
    assert Reply(body={}, headers={"content-type": "x/y"}).content_type() == "x/y"


@pytest.mark.parametrize("times", [0, True, "1"])
def test_times_must_be_a_count(times):
    with pytest.raises(ValueError, match="times must be a whole number >= 1 or None"):
        Sandbox().queue(Reply(), times=times)


def test_unusual_methods_are_unmatched():
    with Sandbox() as sandbox:
        with pytest.raises(requests.ConnectionError):
            requests.request("PROPFIND", "https://a.test/")
        requests.get("https://a.test/")
    assert [r.method for r in sandbox.unmatched] == ["PROPFIND"]
    assert [e.method for e in sandbox.exchanges] == ["GET"]
    assert sandbox.exchanges[0].status == 200


def test_real_sockets_and_dns_are_refused_then_restored():
    connect, resolve = socket.socket.connect, socket.getaddrinfo
    with Sandbox() as sandbox:
        with pytest.raises(NetworkBlocked, match="refused a real network connection to "
                                                 "203.0.113.5:81"):
            socket.create_connection(("203.0.113.5", 81), timeout=0.1)
        with pytest.raises(NetworkBlocked, match=r"example.invalid:80 \(DNS lookup\)"):
            socket.getaddrinfo("example.invalid", 80)
        assert socket.getaddrinfo("127.0.0.1", 80)
        assert socket.getaddrinfo(b"localhost", 80)
        assert socket.getaddrinfo(None, 80)
        left, right = socket.socketpair()  # local sockets still work
        left.close(), right.close()
    assert sandbox.blocked == ["203.0.113.5:81", "example.invalid:80 (DNS lookup)"]
    assert socket.socket.connect is connect and socket.getaddrinfo is resolve


def test_sockets_can_be_left_alone():
    connect = socket.socket.connect
    with Sandbox(block_sockets=False):
        assert socket.socket.connect is connect
