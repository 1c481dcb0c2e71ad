"""The wire benchmark's Python clients: warm-up, timed passes and the connections they open.

What makes the Node comparison fair rests on these figures (a pass after the warm-up reuses
its keep-alive connections; each pass's record counts what it opened), so they are checked
against a real sink on loopback.
"""

from __future__ import annotations

import io
import json
import socket

import pytest

from bench import corpus, wire_client
from framework.sink import Sink


@pytest.fixture(scope="module")
def corpus_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("wire") / "corpus.ndjson"
    out = io.StringIO()
    corpus.write(60, 7, out)
    path.write_text(out.getvalue(), encoding="utf-8")
    return str(path)


@pytest.fixture()
def sink():
    with Sink() as running:
        yield running


def run(capsys, *args):
    code = wire_client.main(list(args))
    return code, [json.loads(line) for line in capsys.readouterr().out.splitlines()]


@pytest.mark.parametrize("peer, name", [("ours", "project"), ("requests", "python-raw")])
def test_passes_after_the_warmup_reuse_the_keep_alive_connections(
        capsys, sink, corpus_path, peer, name):
    code, records = run(capsys, peer, "--url", sink.url, "--corpus", corpus_path, "--n", "40",
                        "--outstanding", "4", "--warmup", "30", "--passes", "2")
    assert code == 0
    assert [(r["peer"], r["n"], r["delivered"], r["failed"], r["warmup"]) for r in records] \
        == [(name, 40, 40, 0, 30)] * 2
    assert [r["connections"] for r in records] == [0, 0]
    assert all(r["cpu_us_per_msg"] > 0 and r["msgs_per_s"] > 0 for r in records)
    assert sink.stats()["requests"] == 30 + 2 * 40


@pytest.mark.parametrize("mode", ["cooperative", "threads"])
def test_a_cold_pass_counts_the_connections_it_opens(capsys, sink, corpus_path, mode):
    code, [record] = run(capsys, "ours", "--url", sink.url, "--corpus", corpus_path, "--n",
                         "40", "--outstanding", "4", "--worker-mode", mode)
    assert code == 0
    assert 1 <= record["connections"] <= 4
    assert (record["warmup"], record["worker_mode"]) == (0, mode)


def test_the_connection_counter_counts_only_while_in_use(sink):
    with wire_client.ConnectionCounter() as counter:
        socket.create_connection(("127.0.0.1", sink.port)).close()
        with socket.socket() as sock:  # as a cooperative worker connects
            assert sock.connect_ex(("127.0.0.1", sink.port)) == 0
    socket.create_connection(("127.0.0.1", sink.port)).close()
    with socket.socket() as sock:
        sock.connect_ex(("127.0.0.1", sink.port))
    assert counter.count == 2
