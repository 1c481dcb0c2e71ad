"""kill -9 the server after it answered 200: a restart on the same queue delivers everything
it acknowledged. The sink fails every request during the first run, so at the kill every
acknowledged message is still in the queue (some in flight, some waiting for a retry)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import requests

from framework.runner import SQLiteQueue
from framework.sink import Sink

CONFIG = """
[server]
queue = "q.sqlite3"
retry_delay = 0.2
max_attempts = 1000

[[sources]]
name = "web"
write_key = "wk"
[[sources.destinations]]
integration = "webhooks"
concurrency = 2
settings = {{ hooks = ["{sink}/hook"] }}
"""


def start(cwd):
    process = subprocess.Popen([sys.executable, "-m", "framework.cli", "serve", "--port", "0",
                                "--config", "serve.toml"], cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    assert line.startswith("listening on "), process.stderr.read()
    return process, line.split()[-1]


def test_kill_9_after_200_then_restart_delivers_everything_acknowledged(tmp_path):
    acknowledged = set()
    with Sink(fail_rate=1.0, statuses=(500,)) as sink:
        (tmp_path / "serve.toml").write_text(CONFIG.format(sink=sink.url))
        first, url = start(tmp_path)
        try:
            with requests.Session() as session:
                for batch in range(20):
                    ids = [f"m{batch}-{n}" for n in range(50)]
                    body = {"batch": [{"type": "track", "userId": "u", "event": "E",
                                       "messageId": i} for i in ids]}
                    response = session.post(url + "/v1/batch", json=body, auth=("wk", ""))
                    assert response.status_code == 200
                    acknowledged.update(ids)
        finally:
            os.kill(first.pid, signal.SIGKILL)
            first.communicate()
        assert first.returncode == -signal.SIGKILL
        with SQLiteQueue(tmp_path / "q.sqlite3") as queue:
            assert queue.stats().pending == len(acknowledged) == 1000
        assert sink.message_ids(accepted=True) == set()

        sink.app.fail_rate = 0.0
        second, url = start(tmp_path)
        try:
            deadline = time.monotonic() + 60
            while not acknowledged <= sink.message_ids(accepted=True):
                assert time.monotonic() < deadline, "not everything was delivered"
                time.sleep(0.05)
        finally:
            second.send_signal(signal.SIGTERM)
            _, err = second.communicate(timeout=30)
        assert second.returncode == 0, err
        with SQLiteQueue(tmp_path / "q.sqlite3") as queue:
            assert queue.stats().pending == 0 and queue.stats().dead == 0
