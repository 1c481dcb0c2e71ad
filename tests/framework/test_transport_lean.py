"""The adapter's lean path (framework.connection) and what still takes urllib3's."""

from __future__ import annotations

import datetime
import pickle
import socket
import ssl
import threading

import pytest
import requests
from requests.cookies import cookiejar_from_dict
from requests.structures import CaseInsensitiveDict

from framework.cooperative import Hub
from framework.sink import Sink
from framework.transport import LeanAdapter, LeanHTTPResponse, _LeanPool, case_insensitive

from raw_servers import RawServer, answers, ok, read_request


@pytest.fixture
def session():
    adapter = LeanAdapter()
    with requests.Session() as http:
        http.mount("http://", adapter)
        http.mount("https://", adapter)
        yield http


def test_direct_requests_take_the_lean_path_and_look_like_requests(session):
    with Sink() as sink:
        response = session.post(sink.url + "/hook?a=1", json={"messageId": "m1"},
                                headers={"X-Trace": "t"})
        pool = next(iter(session.get_adapter(sink.url)._pools.values()))
        assert isinstance(pool, _LeanPool)
        assert response.status_code == 200 and response.reason == "OK"
        assert response.json() == {"ok": True}
        assert response.headers["content-type"] == "application/json"
        assert response.url == sink.url + "/hook?a=1"
        assert response.request.headers["X-Trace"] == "t"
        assert sink.requests()[-1]["headers"]["x-trace"] == "t"
        session.get(sink.url + "/again")
        assert len(pool._lean._idle) == 1  # one keep-alive connection, reused


def test_a_streamed_upload_falls_back_to_urllib3(session):
    with Sink() as sink:
        response = session.post(sink.url + "/hook",
                                data=(part for part in [b'{"messageId":', b' "s1"}']))
        assert response.status_code == 200
        request = sink.requests()[-1]
        assert request["headers"].get("transfer-encoding") == "chunked"
        assert sink.message_ids(accepted=True) == {"s1"}


def test_a_client_certificate_takes_urllib3s_path():
    adapter = LeanAdapter()
    request = requests.Request("GET", "https://api.test/").prepare()
    pool = adapter.get_connection_with_tls_context(request, True, cert=("c.pem", "k.pem"))
    assert not isinstance(pool, _LeanPool)


def test_lean_can_be_turned_off(monkeypatch, session):
    monkeypatch.setattr(LeanAdapter, "lean", False)
    with Sink() as sink:
        assert session.get(sink.url + "/x").status_code == 200
        pool = next(iter(session.get_adapter(sink.url)._pools.values()))
        assert not isinstance(pool, _LeanPool)


def test_failures_are_the_usual_requests_exceptions(session):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(requests.ConnectionError):
        session.get(f"http://127.0.0.1:{port}/")
    with RawServer(lambda server, conn: (server.record(conn), __import__("time").sleep(1))) as s:
        with pytest.raises(requests.ReadTimeout):
            session.get(s.url + "/", timeout=(1, 0.1))
    with RawServer(answers(b"nonsense\r\n\r\n")) as s:
        with pytest.raises(requests.ConnectionError):
            session.get(s.url + "/")
    with RawServer(answers(ok())) as s:
        request = requests.Request("GET", s.url + "/").prepare()
        request.headers["X-Evil"] = "a\r\nX-Smuggled: 1"  # past requests' own checks
        with pytest.raises(requests.exceptions.InvalidHeader):
            session.send(request)
        assert s.connections == 0


@pytest.fixture(scope="module")
def ca():
    trustme = pytest.importorskip("trustme")
    return trustme.CA()


def tls_server(ca, *responses):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(context)
    return RawServer(answers(*responses), ssl_context=context)


def test_https_verifies_against_the_given_bundle(session, ca, tmp_path):
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    with tls_server(ca, ok(b"secure"), ok(b"two")) as server:
        url = f"https://localhost:{server.port}/"
        assert session.get(url, verify=str(bundle)).text == "secure"
        assert session.get(url, verify=str(bundle)).text == "two"
        assert server.connections == 1


def test_https_refuses_an_untrusted_server_unless_told_not_to_verify(session, ca):
    with tls_server(ca, ok(b"insecure")) as server:
        url = f"https://localhost:{server.port}/"
        with pytest.raises(requests.exceptions.SSLError):
            session.get(url)
    with tls_server(ca, ok(b"insecure")) as server:
        url = f"https://localhost:{server.port}/"
        assert session.get(url, verify=False).text == "insecure"


def test_closing_the_adapter_closes_lean_connections(session):
    with Sink() as sink:
        session.get(sink.url + "/x")
        adapter = session.get_adapter(sink.url)
        pool = next(iter(adapter._pools.values()))
        adapter.close()
        assert pool.pool is None and pool._lean._idle == []


def test_a_lean_response_is_a_whole_requests_response(session):
    body = b'{"error": "none"}'
    first = ok(body, "Content-Type: application/json; charset=utf-8", "Set-Cookie: s=1",
               'Link: <https://api.test/next>; rel="next"')
    missing = b"HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\ngone"
    with RawServer(answers(first, missing)) as server:
        response = session.get(server.url + "/x")
        assert isinstance(response, LeanHTTPResponse) and isinstance(response, requests.Response)
        assert response.ok and response.json() == {"error": "none"}
        assert response.encoding == "utf-8" and response.text == body.decode()
        assert list(response.headers) == ["Content-Length", "Content-Type", "Set-Cookie", "Link"]
        assert response.headers["SET-COOKIE"] == "s=1"  # the framework keeps no cookie jar:
        assert len(response.cookies) == 0  # the jar is empty, made only when asked for
        jar = cookiejar_from_dict({"a": "1"})
        response.cookies = jar
        assert response.cookies is jar
        assert response.links["next"]["url"] == "https://api.test/next"
        assert not response.is_redirect and response.history == []
        assert isinstance(response.elapsed, datetime.timedelta)
        copy = pickle.loads(pickle.dumps(response))
        assert (copy.status_code, copy.content, copy.headers["content-type"]) == (
            200, body, "application/json; charset=utf-8")
        gone = session.get(server.url + "/y")
        assert gone.status_code == 404 and gone.reason == "Not Found" and not gone.ok
        with pytest.raises(requests.HTTPError, match="404 Client Error: Not Found"):
            gone.raise_for_status()


@pytest.mark.parametrize("fields", [{}, {"Content-Type": "a", "X-ONE": "1"},
                                    {"A": "1", "B": "2", "a": "3"}])
def test_case_insensitive_is_a_case_insensitive_dict_filled_at_once(fields):
    made, expected = case_insensitive(fields), CaseInsensitiveDict(fields)
    assert made == expected and list(made.items()) == list(expected.items())
    assert list(made.lower_items()) == list(expected.lower_items())
    copy = made.copy()
    copy["New"] = "x"
    assert copy["NEW"] == "x" and "new" not in made


def test_requests_from_hub_workers_are_in_flight_at_once_through_the_session(session):
    arrived = threading.Barrier(5, timeout=10)  # no answer before all five requests are in

    def together(server, conn) -> None:
        while read_request(conn):
            arrived.wait()
            conn.sendall(ok(b"together"))

    with RawServer(together) as server:
        texts: list[str] = []

        def worker() -> None:
            texts.append(session.post(server.url + "/hook", json={"n": 1}).text)

        Hub().run([worker] * 5)
        assert texts == ["together"] * 5 and server.connections == 5
