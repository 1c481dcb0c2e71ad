"""The LaunchDarkly surfaces inside the whole server: config sections, create_app, a real uvicorn
server delivering to a sink, and kill -9 of `framework serve` after a 204."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest
import requests
from starlette.testclient import TestClient

from framework import errors
from framework.server.app import create_app
from framework.server.config import parse_config
from framework.server.segment_store import SQLiteSegmentStore
from framework.server.trigger_store import TriggerStore

MANIFESTS = str(pathlib.Path(__file__).parent / "ld_manifests")
ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFIG = f"""
[server]
queue = "q.sqlite3"
[synced_segments]
manifests = [{MANIFESTS!r}]
store = "segments.sqlite3"
rate_limit_per_minute = 100
[synced_segments.tokens]
amp = "amp-token"
templated = "${{TPL_TOKEN}}"
[triggers]
store = "triggers.sqlite3"
manifests = [{MANIFESTS!r}]
"""
BODY = {"environmentId": "env", "batch": [
    {"userId": "u1", "cohortId": "c1", "cohortName": "One", "value": True},
    {"userId": "u2", "cohortId": "c1", "cohortName": "One", "value": True}]}


def problems_of(text, tmp_path, environ=None):
    with pytest.raises(errors.ConfigError) as caught:
        parse_config(text, str(tmp_path / "serve.toml"), environ=environ or {})
    return {(p.pointer, p.rule) for p in caught.value.problems}


def test_sections_parse_with_paths_relative_to_the_config(tmp_path):
    config = parse_config(CONFIG, str(tmp_path / "serve.toml"), environ={"TPL_TOKEN": "t"})
    synced = config.sections["synced_segments"]
    assert synced.tokens == {"amp": "amp-token", "templated": "t"}
    assert synced.store == str(tmp_path / "segments.sqlite3")
    assert synced.rate_limit_per_minute == 100
    assert config.sections["triggers"].store == str(tmp_path / "triggers.sqlite3")


def test_section_defaults_without_tables(tmp_path):
    config = parse_config("", str(tmp_path / "serve.toml"), environ={})
    assert config.sections["synced_segments"].rate_limit_per_minute == 600
    assert config.sections["synced_segments"].store == \
        str(tmp_path / ".framework" / "segments.sqlite3")
    assert config.sections["triggers"].store == str(tmp_path / ".framework" / "triggers.sqlite3")


def test_section_problems_are_reported_at_their_key_paths(tmp_path):
    text = f"""
[synced_segments]
manifests = [{MANIFESTS!r}]
rate_limit_per_minute = 0
typo = 1
[synced_segments.tokens]
nope = "x"
broken = "y"
amp = 5
templated = "${{UNSET}}"
[triggers]
manifests = "not-a-list"
store = 3
"""
    found = problems_of(text, tmp_path)
    assert ("synced_segments.rate_limit_per_minute", "minimum") in found
    assert ("synced_segments.typo", "unknown") in found
    assert ("synced_segments.tokens.nope", "manifest") in found
    assert ("synced_segments.tokens.broken", "pointer") in found
    assert ("synced_segments.tokens.amp", "type") in found
    assert ("synced_segments.tokens.templated", "environment") in found
    assert ("triggers.manifests", "type") in found
    assert ("triggers.store", "type") in found


def test_through_create_app(tmp_path, queue, clock):
    config = parse_config(CONFIG, str(tmp_path / "serve.toml"), environ={"TPL_TOKEN": "t"})
    with TestClient(create_app(config, queue, clock=clock)) as client:
        response = client.post("/api/v2/segment-targets/amp", json=BODY,
                               headers={"Authorization": "amp-token"})
        assert response.status_code == 204
        got = client.get("/api/v2/segments/env/amp-c1", headers={"Authorization": "amp-token"})
        assert got.json()["included"] == ["u1", "u2"]
        metrics = client.get("/metrics").text
        assert 'route="/api/v2/segment-targets/{integration_key}",status="204"' in metrics
    with SQLiteSegmentStore(tmp_path / "segments.sqlite3") as store:
        assert store.get("env", "amp-c1").included == ("u1", "u2")


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_real_server_synced_segments_and_a_trigger_delivered_to_the_sink(tmp_path, queue):
    from framework.server.boot import BackgroundServer
    from framework.sink import Sink

    config = parse_config(CONFIG, str(tmp_path / "serve.toml"), environ={"TPL_TOKEN": "t"})
    with Sink() as sink:
        with TriggerStore(tmp_path / "triggers.sqlite3") as triggers:
            early = triggers.create("generic-trigger", "webhooks",
                                    {"hooks": [sink.url + "/early"]})
        app = create_app(config, queue, deliver=True)
        with BackgroundServer(app) as server:
            session = requests.Session()
            response = session.post(server.url + "/api/v2/segment-target/amp", json=BODY,
                                    headers={"Authorization": "amp-token"}, timeout=10)
            assert response.status_code == 204
            got = session.get(server.url + "/api/v2/segments/env/amp-c1",
                              headers={"Authorization": "amp-token"}, timeout=10)
            assert got.json() == {"key": "amp-c1", "name": "One", "contextKind": "user",
                                  "included": ["u1", "u2"], "version": 1}
            # a trigger that existed at start, and one created while the server runs
            with TriggerStore(tmp_path / "triggers.sqlite3") as triggers:
                late = triggers.create("generic-trigger", "webhooks",
                                       {"hooks": [sink.url + "/late"]})
            for created, name in ((early, "Early alert"), (late, "Late alert")):
                fired = session.post(server.url + created.url, timeout=10,
                                     json={"eventName": name, "value": 3})
                assert fired.status_code == 202, fired.text
            test = session.post(server.url + late.url, json={"eventName": "Test alert"},
                                timeout=10)
            assert test.json() == {"status": "test"}

            def delivered():
                return {r["path"] for r in sink.requests()} >= {"/early", "/late"}
            assert _wait_for(delivered), sink.requests()
    bodies = {r["path"]: json.loads(r["body"]) for r in sink.requests()}
    assert bodies["/late"]["event"] == "Late alert"
    assert bodies["/late"]["properties"] == {"value": 3}
    assert len(sink.requests()) == 2, "the test event was not delivered"


def test_kill_9_after_a_204_loses_nothing(tmp_path):
    (tmp_path / "serve.toml").write_text(CONFIG)
    env = dict(os.environ, TPL_TOKEN="t")
    process = subprocess.Popen(
        [sys.executable, "-m", "framework.cli", "serve", "--config", "serve.toml", "--port", "0",
         "--no-deliver"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:"), (line, process.stderr.read())
        url = line.split()[-1]
        for index in range(5):
            body = {"environmentId": "env", "batch": [
                {"userId": f"u{index}", "cohortId": "c1", "cohortName": "One", "value": True}]}
            response = requests.post(url + "/api/v2/segment-targets/amp", json=body,
                                     headers={"Authorization": "amp-token"}, timeout=10)
            assert response.status_code == 204
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    with SQLiteSegmentStore(tmp_path / "segments.sqlite3") as store:
        segment = store.get("env", "amp-c1")
    assert segment.included == ("u0", "u1", "u2", "u3", "u4")
    assert segment.version == 5


def test_framework_work_delivers_a_triggers_message(tmp_path, capsys, monkeypatch):
    from framework import cli
    from framework.runner import SQLiteQueue
    from framework.server.config import load_config
    from framework.sink import Sink

    with Sink() as sink:
        (tmp_path / "serve.toml").write_text(CONFIG)
        with TriggerStore(tmp_path / "triggers.sqlite3") as triggers:
            created = triggers.create("generic-trigger", "webhooks", {"hooks": [sink.url + "/t"]})
        monkeypatch.setenv("TPL_TOKEN", "t")
        config = load_config(tmp_path / "serve.toml")
        with SQLiteQueue(tmp_path / "q.sqlite3") as queue, \
                TestClient(create_app(config, queue)) as client:
            assert client.post(created.url, json={"eventName": "Queued"}).status_code == 202
        assert sink.requests() == []
        code = cli.main(["work", "--config", str(tmp_path / "serve.toml"), "--until-empty",
                         "--json"])
        assert code == 0, capsys.readouterr()
        assert f'"trigger/{created.trigger.id}": {{' in capsys.readouterr().out
        [request] = sink.requests()
        assert request["path"] == "/t" and json.loads(request["body"])["event"] == "Queued"
