"""``framework serve --feed``: the feed app on the real server (uvicorn, the shared boot)."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

from framework.audience.testing import FakeGateway
from framework.cli import main
from framework.server.boot import BackgroundServer

HERE = Path(__file__).resolve().parent


def test_serves_a_feed_over_http_with_a_gateway_over_http():
    gateway = FakeGateway(worker_id="w1", token="tok-1")
    gateway.add_feed("1", [])
    with BackgroundServer(gateway.asgi()) as gateway_server:
        host, port = gateway_server.url.rsplit("//", 1)[1].split(":")
        env = {**os.environ, "PLUGIN_WORKER_ID": "w1", "PLUGIN_AUTHENTICATION_TOKEN": "tok-1",
               "GATEWAY_HOST": host, "GATEWAY_PORT": port,
               "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
        process = subprocess.Popen(
            [sys.executable, "-m", "framework.cli", "serve", "--feed", "feed_toys:BatchFeed",
             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        try:
            line = process.stdout.readline().strip()
            assert line.startswith("listening on http://127.0.0.1:"), \
                line + process.stderr.read()
            url = line.split()[-1]
            creation = requests.post(url + "/v1/external_segment_creation",
                                     json={"feed_id": "1", "segment_id": "1",
                                           "datamart_id": "1"}, timeout=10)
            assert (creation.status_code, creation.json()) == (
                200, {"status": "ok", "visibility": "PUBLIC"})
            update = requests.post(url + "/v1/user_segment_update", json={
                "feed_id": "1", "segment_id": "1", "datamart_id": "1", "operation": "UPSERT",
                "user_identifiers": [{"type": "USER_POINT", "user_point_id": "u1"}]},
                timeout=10)
            assert update.json()["data"][0]["content"] == {"id": "u1"}
            assert requests.post(url + "/v1/user_segment_update", data=b"",
                                 timeout=10).json() == {"error": "Missing request body"}
            assert requests.get(url + "/v1/status", timeout=10).json() == {"status": "ok"}
            assert [c.user for c in gateway.calls] == ["w1", "w1"]
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=20) == 0
            process.stdout.close()
            process.stderr.close()


def test_missing_credentials_exit_2_naming_them(monkeypatch, capsys):
    monkeypatch.delenv("PLUGIN_WORKER_ID", raising=False)
    monkeypatch.delenv("PLUGIN_AUTHENTICATION_TOKEN", raising=False)
    assert main(["serve", "--feed", "feed_toys:BatchFeed", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "--feed feed_toys:BatchFeed: 2 problem(s)" in err
    assert "PLUGIN_WORKER_ID is not set" in err and "PLUGIN_AUTHENTICATION_TOKEN" in err
    assert "Traceback" not in err


def test_a_feed_without_its_required_handlers_exits_2(monkeypatch, capsys):
    monkeypatch.setenv("PLUGIN_WORKER_ID", "w")
    monkeypatch.setenv("PLUGIN_AUTHENTICATION_TOKEN", "t")
    assert main(["serve", "--feed", "feed_toys:Incomplete", "--port", "0"]) == 2
    assert "the required handler on_user_segment_update() is not defined" in \
        capsys.readouterr().err
    assert main(["serve", "--feed", "feed_toys", "--port", "0"]) == 2
    assert "expected package.module:ClassName" in capsys.readouterr().err


def test_max_in_flight_turns_throttling_on(monkeypatch, capsys):
    import framework.server.command as command

    monkeypatch.setenv("PLUGIN_WORKER_ID", "w")
    monkeypatch.setenv("PLUGIN_AUTHENTICATION_TOKEN", "t")
    served = []
    monkeypatch.setattr(command, "_serve", lambda app, args, bind: served.append(app) or 0)
    assert main(["serve", "--feed", "feed_toys:BatchFeed", "--max-in-flight", "3"]) == 0
    assert served[0].state.feed_routes.max_in_flight == 3
    assert main(["serve", "--feed", "feed_toys:BatchFeed"]) == 0
    assert served[1].state.feed_routes.max_in_flight is None
    try:
        main(["serve", "--feed", "feed_toys:BatchFeed", "--max-in-flight", "0"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "--max-in-flight must be a whole number >= 1, got '0'" in capsys.readouterr().err
