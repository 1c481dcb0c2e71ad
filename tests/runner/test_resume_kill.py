"""kill -9 in the middle of a run, then ``--resume``: nothing is lost.

The first run is rate-limited and reads its input through a small backlog, so when the test
kills it (as soon as the sink has accepted some messages; the test polls, it never sleeps a
fixed time) it is both mid-delivery (jobs in flight) and mid-input (the input not read to its
end). The resumed run must deliver every message at least once, and store each input record
exactly once (so every job is acked exactly once).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from framework.runner import SQLiteQueue
from framework.sink import Sink

from send_helpers import track

N = 3000


def write_input(path, shape: str) -> None:
    messages = [track(n) for n in range(N)]
    if shape == "ndjson":
        path.write_text("".join(json.dumps(m) + "\n" for m in messages))
    else:  # one Segment batch body: the resume point is inside the document
        path.write_text(json.dumps({"batch": messages}, indent=1))


def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the runner")
        time.sleep(0.01)


@pytest.mark.parametrize("shape", ["ndjson", "batch"])
def test_kill_9_mid_run_then_resume_delivers_everything(tmp_path, shape):
    source = tmp_path / f"in.{shape}"
    write_input(source, shape)
    queue_path = str(tmp_path / "q.sqlite3")
    with Sink() as sink:
        settings = json.dumps({"hooks": [sink.url + "/hook"]})
        command = [sys.executable, "-m", "framework.cli", "send", "webhooks", str(source),
                   "--settings", settings, "--queue", queue_path, "--concurrency", "4"]
        first = subprocess.Popen([*command, "--rate", "400", "--backlog", "200"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            wait_for(lambda: sink.stats()["accepted_unique_message_ids"] >= 300
                     or first.poll() is not None)
        finally:
            os.kill(first.pid, signal.SIGKILL)
            first.communicate()
        assert first.returncode == -signal.SIGKILL

        with SQLiteQueue(queue_path) as queue:
            stats = queue.stats()
            offset = queue.input_offsets()[str(source)]
        assert not offset.done, "the kill should land before the input was read"
        assert stats.in_flight > 0, "the kill should land mid-delivery"
        assert 0 < stats.acked < N

        resumed = subprocess.run([sys.executable, "-m", "framework.cli", "send", "webhooks",
                                  "--resume", "--settings", settings, "--queue", queue_path,
                                  "--json"], capture_output=True, text=True, timeout=60,
                                 stdin=subprocess.DEVNULL)
        assert resumed.returncode == 0, resumed.stderr
        summary = json.loads(resumed.stdout)
        assert summary["recovered"] == stats.in_flight
        assert summary["dead_letters"] == 0 and summary["input_errors"] == 0
        assert sink.message_ids(accepted=True) == {f"m{n}" for n in range(N)}
        assert sink.stats()["requests"] >= N  # in-flight messages may arrive twice

    with SQLiteQueue(queue_path) as queue:
        stats = queue.stats()
        assert (stats.acked, stats.pending, stats.dead) == (N, 0, 0)  # each record queued once
        assert queue.input_offsets()[str(source)].done
