"""The adapter's lean path (framework.connection) and what still takes urllib3's."""

from __future__ import annotations

import socket
import ssl

import pytest
import requests

from framework.sink import Sink
from framework.transport import LeanAdapter, _LeanPool

from raw_servers import RawServer, answers, ok


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
