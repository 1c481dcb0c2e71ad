"""Three ``framework work`` processes on one Redis stream; one is killed with ``kill -9``
mid-run and never restarted: the other two finish its work, nothing is lost, and the only
duplicates are messages the killed worker held (in flight) when it died."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from framework.cli import main
from framework.runner.redis_queue import RedisQueue
from framework.sink import Sink

from send_helpers import track

N = 20_000


def wait_for(predicate, timeout: float = 120.0, what: str = "the workers") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def held_by(url: str, pid: int) -> set[str]:
    """The message ids the consumer of process ``pid`` holds (reserved, not acked)."""
    with RedisQueue(url, "webhooks", consumer="inspector") as queue:
        client = queue.redis
        keys = queue._of("webhooks")
        names = [c["name"].decode() for c in client.xinfo_consumers(keys.stream, "webhooks")]
        (name,) = [n for n in names if f"-{pid}-" in n]
        pending = client.xpending_range(keys.stream, "webhooks", "-", "+", 100_000,
                                        consumername=name)
        ids = set()
        for entry in pending:
            for _id, fields in client.xrange(keys.stream, entry["message_id"],
                                             entry["message_id"]):
                ids.add(json.loads(fields[b"body"])["messageId"])
        return ids


def test_kill_9_of_one_of_three_workers_loses_nothing(tmp_path, redis_url, capsys):
    source = tmp_path / "in.ndjson"
    source.write_text("".join(json.dumps(track(n)) + "\n" for n in range(N)))
    with Sink(fail_rate=0.1, seed=7) as sink:
        settings = json.dumps({"hooks": [sink.url + "/hook"]})
        assert main(["send", "webhooks", str(source), "--settings", settings, "--queue",
                     redis_url, "--enqueue-only", "--no-progress"]) == 0
        capsys.readouterr()
        command = [sys.executable, "-m", "framework.cli", "work", "webhooks", "--settings",
                   settings, "--queue", redis_url, "--until-empty", "--json", "--no-progress",
                   "--concurrency", "4", "--visibility-timeout", "2", "--retry-delay", "0.05"]
        workers = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL) for _ in range(3)]
        victim = workers[0]
        try:
            wait_for(lambda: sink.stats()["accepted_unique_message_ids"] >= N // 4)
            os.kill(victim.pid, signal.SIGKILL)
            victim.communicate()
            in_flight = held_by(redis_url, victim.pid)
            outputs = [w.communicate(timeout=180) for w in workers[1:]]
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.communicate()
        assert victim.returncode == -signal.SIGKILL
        for worker, (out, err) in zip(workers[1:], outputs):
            assert worker.returncode == 0, err
        summaries = [json.loads(out) for out, _ in outputs]
        assert sink.message_ids(accepted=True) == {f"m{n}" for n in range(N)}
        duplicates = sink.duplicate_ids()
        assert set(duplicates) <= in_flight, "a duplicate that the killed worker did not hold"
        assert all(extra == 1 for extra in duplicates.values())
        assert sum(s["dead_letters"] for s in summaries) == 0
    with RedisQueue(redis_url, "webhooks") as queue:
        stats = queue.stats()
    assert stats.pending == 0 and stats.dead == 0
    print(f"kill test: {N} sent, {N} delivered, {len(duplicates)} duplicates "
          f"(the killed worker held {len(in_flight)}), 0 lost")


def test_a_redis_restart_mid_run_loses_nothing(tmp_path, capsys):
    from framework.testing.redis_server import RedisServer

    n = 5000
    server = RedisServer(str(tmp_path / "redis"), appendonly=True).start()
    url = server.queue_url("restart")
    source = tmp_path / "in.ndjson"
    source.write_text("".join(json.dumps(track(i)) + "\n" for i in range(n)))
    try:
        with Sink() as sink:
            settings = json.dumps({"hooks": [sink.url + "/hook"]})
            assert main(["send", "webhooks", str(source), "--settings", settings, "--queue",
                         url, "--enqueue-only", "--no-progress"]) == 0
            capsys.readouterr()
            command = [sys.executable, "-m", "framework.cli", "work", "webhooks",
                       "--settings", settings, "--queue", url, "--until-empty", "--json",
                       "--no-progress", "--concurrency", "4", "--rate", "1500"]
            workers = [subprocess.Popen(command, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
                       for _ in range(2)]
            try:
                wait_for(lambda: sink.stats()["accepted_unique_message_ids"] >= n // 5)
                server.shutdown()  # graceful: the AOF is complete
                server.start()
                outputs = [w.communicate(timeout=120) for w in workers]
            finally:
                for worker in workers:
                    if worker.poll() is None:
                        worker.kill()
                        worker.communicate()
            for worker, (_out, err) in zip(workers, outputs):
                assert worker.returncode == 0, err
            assert sink.message_ids(accepted=True) == {f"m{i}" for i in range(n)}
    finally:
        server.stop()
