"""The lean connection layer against servers that behave and servers that do not.

Every test runs twice (the ``mode`` fixture): once calling the pool from a plain thread
(blocking sockets with timeouts), once from the only worker of a cooperative hub
(non-blocking sockets, waits in the hub), so both paths of :mod:`framework.sockets` meet the
same servers.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import sys
import time
from typing import Any, Callable

import pytest
from urllib3 import exceptions as u3

from framework.connection import ConnectionPool, Deadline, encode_request
from framework.cooperative import Hub
from framework.sink import Sink

from raw_servers import RawServer, answers, full_backlog, ok

QUICK = Deadline(connect=2, read=2, until=None)


def directly(call: Callable[[], Any]) -> Any:
    return call()


def in_hub(call: Callable[[], Any]) -> Any:
    """``call()`` in the only worker of a new hub: its result, or its exception re-raised."""
    results: list[Any] = []
    Hub().run([lambda: results.append(call())])
    return results[0]


#: How :func:`get` makes its request; set per test by the ``mode`` fixture.
run_in: Callable[[Callable[[], Any]], Any] = directly


@pytest.fixture(params=["thread", "hub"], autouse=True)
def mode(request, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "run_in",
                        in_hub if request.param == "hub" else directly)
    return request.param


def pool_for(server, **kwargs) -> ConnectionPool:
    return ConnectionPool("http", "127.0.0.1", server.port, **kwargs)


def get(pool, target="/", headers=(), body=None, deadline=QUICK, method=None):
    return run_in(lambda: pool.request(method or ("POST" if body else "GET"), target,
                                       list(headers), body, deadline))


def test_requests_to_uvicorn_reuse_one_connection():
    with Sink() as sink:
        pool = ConnectionPool("http", "127.0.0.1", sink.port)
        for n in range(5):
            response = get(pool, "/hook?x=1", [("Content-Type", "application/json")],
                           b'{"messageId": "m%d"}' % n)
            assert response.status == 200 and response.keep_alive
        assert len(pool._idle) == 1
        assert sink.stats()["accepted_unique_message_ids"] == 5
        request = sink.requests()[-1]
        assert request["path"] == "/hook" and request["query"] == "x=1"
        assert request["headers"]["host"] == f"127.0.0.1:{sink.port}"
        assert request["headers"]["content-length"] == str(len(b'{"messageId": "m4"}'))
        pool.close()


def test_the_request_goes_out_in_one_write_with_host_and_length():
    data = encode_request("POST", "/a?b=1", "h:81", [("X-A", "1")], b"body")
    assert data == b"POST /a?b=1 HTTP/1.1\r\nHost: h:81\r\nX-A: 1\r\nContent-Length: 4\r\n\r\nbody"
    with RawServer(answers(ok())) as server:
        get(pool_for(server), "/p", [("X-A", "1")], b"body")
        assert server.requests == [b"POST /p HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-A: 1\r\n"
                                   b"Content-Length: 4\r\n\r\nbody" % server.port]


@pytest.mark.parametrize("name,value", [("X-A", "1\r\nX-Injected: 1"), ("X-A", "a\nb"),
                                        ("X-A", "a\x00b"), ("Bad Name", "v"), ("X:A", "v")])
def test_header_smuggling_is_refused_before_anything_is_sent(name, value):
    with RawServer(answers(ok())) as server:
        with pytest.raises(u3.InvalidHeader):
            get(pool_for(server), "/", [(name, value)])
        assert server.connections == 0


@pytest.mark.parametrize("method,target", [("GET", "/a b"), ("GET", "/a\r\nX: 1"),
                                           ("GE T", "/"), ("GET", "http://other/")])
def test_a_malformed_request_line_is_refused(method, target):
    with pytest.raises(u3.InvalidHeader):
        encode_request(method, target, "h", [], None)


def test_a_connection_closed_while_idle_is_retried_once_on_a_fresh_socket():
    with RawServer(answers(ok(b"first"))) as server:  # closes after one answer
        pool = pool_for(server)
        assert get(pool).body == b"first"
        time.sleep(0.05)  # the server has closed the idle connection by now
        assert get(pool).body == b"first"
        assert server.connections == 2


def test_a_reused_connection_reset_before_answering_is_retried_once():
    def close_without_answer(server, conn):
        server.record(conn)
        conn.sendall(ok(b"one"))
        server.record(conn)  # the second request: read, then vanish without answering

    with RawServer(close_without_answer) as server:
        pool = pool_for(server)
        assert get(pool).body == b"one"
        assert get(pool).body == b"one"  # retried on a fresh connection
        assert server.connections == 2


def test_a_fresh_connection_closed_without_answering_is_an_error_not_a_retry():
    with RawServer(lambda server, conn: server.record(conn)) as server:
        with pytest.raises(u3.ProtocolError) as caught:
            get(pool_for(server))
        assert isinstance(caught.value.args[1], http.client.RemoteDisconnected)
        assert server.connections == 1


def test_a_response_cut_short_is_an_error_and_never_retried():
    cut = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"
    with RawServer(answers(cut)) as server:
        with pytest.raises(u3.ProtocolError, match="ended early"):
            get(pool_for(server))
        assert server.connections == 1


@pytest.mark.parametrize("response", [
    b"HTPT/1.1 200 OK\r\n\r\n",
    b"garbage\r\n\r\n",
    b"HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
])
def test_malformed_responses_are_refused(response):
    with RawServer(answers(response)) as server:
        with pytest.raises(u3.ProtocolError, match="malformed"):
            get(pool_for(server))


def test_oversized_headers_are_refused():
    huge = b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: %s\r\n" % (n, b"v" * 1000)
                                             for n in range(80)) + b"Content-Length: 0\r\n\r\n"
    with RawServer(answers(huge)) as server:
        with pytest.raises(u3.ProtocolError, match="too large"):
            get(pool_for(server))


def test_chunked_bodies_with_trailers_are_joined():
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
               b"5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 11\r\n\r\n")
    with RawServer(answers(chunked, ok(b"again"))) as server:
        pool = pool_for(server)
        response = get(pool)
        assert response.body == b"hello world" and response.keep_alive
        assert get(pool).body == b"again" and server.connections == 1


def test_repeated_headers_are_joined_like_urllib3():
    response = ok(b"", "Set-Cookie: a=1", "set-cookie: b=2", "X-Other: z")
    with RawServer(answers(response)) as server:
        headers = get(pool_for(server)).header_dict()
        assert headers["Set-Cookie"] == "a=1, b=2" and headers["X-Other"] == "z"


@pytest.mark.parametrize("response", [
    ok(b"bye", "Connection: close"),
    b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nbye",
])
def test_connection_close_and_http_1_0_are_honoured(response):
    with RawServer(answers(response, linger=1.0)) as server:
        pool = pool_for(server)
        answer = get(pool)
        assert answer.body == b"bye" and not answer.keep_alive
        assert pool._idle == []


def test_a_body_delimited_by_close_is_read_to_the_end():
    with RawServer(answers(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end")) as s:
        response = get(pool_for(s))
        assert response.body == b"until the end" and not response.keep_alive


def test_head_and_204_answers_have_no_body_and_keep_the_connection():
    with RawServer(answers(b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n",
                           b"HTTP/1.1 204 No Content\r\n\r\n", ok(b"third"))) as server:
        pool = pool_for(server)
        assert get(pool, method="HEAD").body == b""
        answer = get(pool, method="DELETE")
        assert answer.status == 204 and answer.keep_alive
        assert get(pool).body == b"third" and server.connections == 1


def test_a_slow_drip_is_cut_off_by_the_deadline_not_the_read_timeout():
    def drip(server, conn):
        server.record(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
        for _ in range(100):
            conn.sendall(b"x")
            time.sleep(0.05)

    with RawServer(drip) as server:
        deadline = Deadline(connect=5, read=5, until=time.monotonic() + 0.3)
        with pytest.raises(u3.ReadTimeoutError, match="deadline"):
            get(pool_for(server), deadline=deadline)


def test_a_silent_server_hits_the_read_timeout():
    with RawServer(lambda server, conn: (server.record(conn), time.sleep(2))) as server:
        with pytest.raises(u3.ReadTimeoutError):
            get(pool_for(server), deadline=Deadline(connect=1, read=0.2))


def test_connection_refused_names_the_cause():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(u3.MaxRetryError) as caught:
        get(ConnectionPool("http", "127.0.0.1", port))
    assert isinstance(caught.value.reason, u3.NewConnectionError)
    assert isinstance(caught.value.reason.__cause__, ConnectionRefusedError)


def test_dns_failure_and_connect_timeout_are_told_apart(monkeypatch):
    def unresolvable(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    with monkeypatch.context() as patch:  # both paths resolve with socket.getaddrinfo
        patch.setattr(socket, "getaddrinfo", unresolvable)
        with pytest.raises(u3.MaxRetryError) as caught:
            get(ConnectionPool("http", "no-such-host.invalid", 80))
    assert isinstance(caught.value.reason, u3.NameResolutionError)

    with full_backlog() as port:  # the server's kernel drops our SYN: no answer at all
        with pytest.raises(u3.MaxRetryError) as caught:
            get(ConnectionPool("http", "127.0.0.1", port),
                deadline=Deadline(connect=0.1, read=2))
    assert isinstance(caught.value.reason, u3.ConnectTimeoutError)


def test_a_server_that_never_does_the_tls_handshake_is_a_connect_timeout():
    with RawServer(lambda server, conn: time.sleep(1)) as server:  # plain TCP, silent
        pool = ConnectionPool("https", "127.0.0.1", server.port)
        with pytest.raises(u3.MaxRetryError) as caught:
            get(pool, deadline=Deadline(connect=0.1, read=2))
    assert isinstance(caught.value.reason, u3.ConnectTimeoutError)
    assert "TLS handshake" in str(caught.value.reason)


@pytest.fixture(scope="module")
def tls():
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    return server_context, client_context


def test_tls_with_verification_and_sni(tls):
    server_context, client_context = tls
    names = []
    server_context.sni_callback = lambda sock, name, ctx: names.append(name)
    with RawServer(answers(ok(b"secure"), ok(b"again")), ssl_context=server_context) as server:
        pool = ConnectionPool("https", "localhost", server.port, ssl_context=client_context)
        assert get(pool).body == b"secure"
        assert get(pool).body == b"again" and server.connections == 1
        assert names == ["localhost"]
    server_context.sni_callback = None


def test_tls_refuses_an_untrusted_certificate(tls):
    server_context, _ = tls
    with RawServer(answers(ok()), ssl_context=server_context) as server:
        pool = ConnectionPool("https", "localhost", server.port)  # the system's CAs only
        with pytest.raises(u3.MaxRetryError) as caught:
            get(pool)
        assert isinstance(caught.value.reason, u3.SSLError)


def test_tls_refuses_a_certificate_for_another_name(tls):
    server_context, client_context = tls
    with RawServer(answers(ok()), ssl_context=server_context) as server:
        pool = ConnectionPool("https", "127.0.0.2", server.port, ssl_context=client_context)
        with pytest.raises(u3.MaxRetryError):
            get(pool)
