"""The lean adapter: one write per request, cached pools, no cookie work; still requests."""

import requests
import responses

from framework.sink import Sink
from framework.transport import LeanAdapter, _HTTPConnection


class RecordingSocket:
    def __init__(self, sock):
        self._sock = sock
        self.writes = []

    def sendall(self, data):
        self.writes.append(bytes(data))
        return self._sock.sendall(data)

    def __getattr__(self, name):
        return getattr(self._sock, name)


def test_a_request_is_written_once_and_answered():
    with Sink() as sink:
        conn = _HTTPConnection("127.0.0.1", sink.port)
        conn.connect()
        recorder = conn.sock = RecordingSocket(conn.sock)
        conn.request("POST", "/hook", body=b'{"messageId": "m1"}',
                     headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        assert response.status == 200
        assert len(recorder.writes) == 1
        assert recorder.writes[0].startswith(b"POST /hook HTTP/1.1\r\n")
        assert recorder.writes[0].endswith(b'\r\n\r\n{"messageId": "m1"}')
        conn.close()
        assert sink.stats()["unique_message_ids"] == 1


def test_pools_are_reused_per_origin_and_replaced_when_closed():
    adapter = LeanAdapter()
    session = requests.Session()
    session.mount("http://", adapter)
    with Sink() as sink:
        first = session.post(sink.url + "/a", json={"messageId": "1"})
        pool = adapter._pools[next(iter(adapter._pools))]
        session.post(sink.url + "/b", json={"messageId": "2"})
        assert len(adapter._pools) == 1 and adapter._pools[next(iter(adapter._pools))] is pool
        adapter.poolmanager.clear()
        pool.close()
        session.post(sink.url + "/c", json={"messageId": "3"})
        assert adapter._pools[next(iter(adapter._pools))] is not pool
        assert first.status_code == 200 and first.url == sink.url + "/a"
        assert sink.stats()["requests"] == 3
    adapter.close()
    assert adapter._pools == {}


def test_proxies_take_the_ordinary_path():
    adapter = LeanAdapter()
    request = requests.Request("GET", "http://api.test/a/b?c=d").prepare()
    assert adapter.request_url(request, None) == "/a/b?c=d"
    assert adapter.request_url(request, {"http": "http://proxy.test:3128"}) == \
        "http://api.test/a/b?c=d"
    pool = adapter.get_connection_with_tls_context(
        request, True, proxies={"http": "http://proxy.test:3128"})
    assert pool.host == "proxy.test" and pool.proxy.host == "proxy.test"


@responses.activate
def test_responses_still_intercepts_the_adapter():
    responses.add(responses.GET, "https://api.test/x", json={"ok": 1},
                  headers={"Set-Cookie": "a=b"})
    session = requests.Session()
    session.mount("https://", LeanAdapter())
    response = session.get("https://api.test/x")
    assert response.json() == {"ok": 1}
    assert len(responses.calls) == 1
