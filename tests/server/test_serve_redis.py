"""``framework serve --queue redis://...``: acknowledged only when Redis has it on disk."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import requests

from framework.runner.redis_queue import RedisQueue
from framework.sink import Sink
from framework.testing.redis_server import RedisServer

CONFIG = """
[[sources]]
name = "web"
write_key = "wk"
[[sources.destinations]]
name = "hooks"
integration = "webhooks"
settings = {{ hooks = ["{sink}/hook"] }}
"""


def start(cwd, *args):
    process = subprocess.Popen([sys.executable, "-m", "framework.cli", "serve", "--port", "0",
                                "--config", "serve.toml", *args], cwd=cwd,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    return process, line


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    return process.communicate(timeout=30)


def batch(ids):
    return {"batch": [{"type": "track", "userId": "u", "event": "E", "messageId": i}
                      for i in ids]}


def test_a_volatile_redis_is_refused_unless_accepted(tmp_path, redis_url):
    (tmp_path / "serve.toml").write_text(CONFIG.format(sink="http://127.0.0.1:9"))
    process, line = start(tmp_path, "--queue", redis_url)
    _, err = stop(process)
    assert process.returncode == 2 and line == ""
    assert "appendonly is off" in err and "--accept-volatile-queue" in err
    process, line = start(tmp_path, "--queue", redis_url, "--accept-volatile-queue",
                          "--no-deliver")
    try:
        assert line.startswith("listening on ")
        url = line.split()[-1]
        assert requests.get(url + "/healthz", timeout=5).status_code == 200
    finally:
        stop(process)
    assert process.returncode == 0


def test_acknowledged_messages_survive_a_kill_9_of_redis_and_are_delivered(tmp_path):
    server = RedisServer(str(tmp_path / "redis"), appendonly=True).start()
    queue_url = server.queue_url("serve")
    try:
        with Sink() as sink:
            (tmp_path / "serve.toml").write_text(CONFIG.format(sink=sink.url))
            receiver, line = start(tmp_path, "--queue", queue_url, "--no-deliver")
            acknowledged = []
            try:
                url = line.split()[-1]
                for n in range(10):
                    ids = [f"m{n}-{i}" for i in range(20)]
                    response = requests.post(url + "/v1/batch", json=batch(ids),
                                             auth=("wk", ""), timeout=10)
                    assert response.status_code == 200, response.text
                    acknowledged += ids
            finally:
                stop(receiver)
            os.kill(server.process.pid, signal.SIGKILL)  # no chance to flush anything
            server.process.wait()
            server.process = None
            server.start()
            with RedisQueue(queue_url, "hooks") as queue:
                assert queue.stats().ready == len(acknowledged) == 200

            worker, line = start(tmp_path, "--queue", queue_url)
            try:
                deadline = time.monotonic() + 60
                while not set(acknowledged) <= sink.message_ids(accepted=True):
                    assert time.monotonic() < deadline, "not everything was delivered"
                    time.sleep(0.05)
            finally:
                _, err = stop(worker)
            assert worker.returncode == 0, err
            with RedisQueue(queue_url, "hooks") as queue:
                assert queue.stats().pending == 0
    finally:
        server.stop()


def test_serve_no_deliver_then_work_config_delivers_every_destination(tmp_path, redis_url,
                                                                      capsys):
    import json

    from framework.cli import main

    with Sink() as sink:
        (tmp_path / "serve.toml").write_text(CONFIG.format(sink=sink.url))
        receiver, line = start(tmp_path, "--queue", redis_url, "--no-deliver",
                               "--accept-volatile-queue")
        try:
            url = line.split()[-1]
            ids = [f"w{i}" for i in range(30)]
            assert requests.post(url + "/v1/batch", json=batch(ids), auth=("wk", ""),
                                 timeout=10).status_code == 200
            # a client retrying the whole batch: acknowledged, not queued again
            assert requests.post(url + "/v1/batch", json=batch(ids), auth=("wk", ""),
                                 timeout=10).status_code == 200
        finally:
            stop(receiver)
        assert sink.stats()["requests"] == 0
        code = main(["work", "--config", str(tmp_path / "serve.toml"), "--queue", redis_url,
                     "--until-empty", "--json"])
        assert code == 0
        report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert report["destinations"]["hooks"]["delivered"] == 30
        assert sink.message_ids(accepted=True) == set(ids)
        assert sink.stats()["accepted_duplicates"] == 0


def test_work_config_names_unknown_destinations(tmp_path, redis_url, capsys):
    from framework.cli import main

    (tmp_path / "serve.toml").write_text(CONFIG.format(sink="http://127.0.0.1:9"))
    assert main(["work", "--config", str(tmp_path / "serve.toml"), "--queue", redis_url,
                 "--destination", "nope"]) == 2
    assert "--destination 'nope': not in the config (it has 'hooks')" in \
        capsys.readouterr().err
    assert main(["work", "webhooks", "--config", str(tmp_path / "serve.toml"), "--queue",
                 redis_url]) == 2
    assert "give no SLUG" in capsys.readouterr().err
