"""``framework send`` under signals, a full disk and bad paths: a summary, never a traceback."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys

import pytest

from framework.cli import main
from framework.runner import SQLiteQueue
from framework.runner import command as send_command
from framework.sink import Sink
from framework.testing.faultserver import FaultServer, wait_until

from send_helpers import track


def ndjson(path, n: int) -> str:
    path.write_text("".join(json.dumps(track(i)) + "\n" for i in range(n)))
    return str(path)


def spawn(source: str, url: str, queue: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "framework.cli", "send", "webhooks", source, "--settings",
         json.dumps({"hooks": [url]}), "--queue", queue, "--concurrency", "2", "--json",
         "--no-progress", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("signals", [[signal.SIGINT, signal.SIGINT],
                                     [signal.SIGTERM, signal.SIGTERM],
                                     [signal.SIGTERM]])
def test_stops_with_a_summary_and_flushed_acks_while_the_hook_hangs(tmp_path, signals):
    """One signal with a short --grace, or two with a long one: the run ends, no traceback,
    the acks of what was delivered are written (no duplicate on --resume)."""
    source = ndjson(tmp_path / "in.ndjson", 2000)
    queue_path = str(tmp_path / "q.sqlite3")
    grace = "0.3" if len(signals) == 1 else "600"
    with FaultServer("ok") as server:
        child = spawn(source, server.url + "/hook", queue_path, "--grace", grace)
        try:
            wait_until(lambda: len(server.accepted_ids) >= 50 or child.poll() is not None)
            server.mode = "hang"
            wait_until(lambda: server.requests > len(server.accepted_ids) + 1)
            child.send_signal(signals[0])
            first = child.stderr.readline()
            assert first.startswith("stopping: waiting up to"), first
            for signum in signals[1:]:
                child.send_signal(signum)
            out, err = child.communicate(timeout=60)
        finally:
            child.kill()
        delivered = len(server.accepted_ids)
    assert child.returncode == 130, err
    assert "Traceback" not in err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["interrupted"] and summary["abandoned"] == 2
    assert summary["delivered"] == delivered
    with SQLiteQueue(queue_path) as queue:
        stats = queue.stats()
    assert stats.acked == delivered  # every delivered message acked: none sent twice later
    assert stats.pending == summary["queued"] - delivered


def test_a_full_disk_exits_75_naming_the_queue_and_free_space(tmp_path, monkeypatch, capsys):
    source = ndjson(tmp_path / "in.ndjson", 50)
    queue_path = str(tmp_path / "q.sqlite3")

    def full(self, ids):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(SQLiteQueue, "ack", full)
    with Sink() as sink:
        code = main(["send", "webhooks", source, "--settings",
                     json.dumps({"hooks": [sink.url + "/hook"]}), "--queue", queue_path,
                     "--no-progress"])
    captured = capsys.readouterr()
    assert code == 75
    assert f"queue {queue_path!r}: the disk is full (" in captured.err
    assert "MB free on" in captured.err and "--resume" in captured.err
    assert captured.out.startswith("framework send webhooks: interrupted after")


def test_an_unwritable_dead_letters_path_is_refused_before_anything_is_queued(
        tmp_path, capsys):
    source = ndjson(tmp_path / "in.ndjson", 5)
    queue_path = tmp_path / "q.sqlite3"
    code = main(["send", "webhooks", source, "--settings", '{"hooks": ["http://127.0.0.1:9"]}',
                 "--queue", str(queue_path), "--dead-letters", str(tmp_path / "no" / "d.ndjson")])
    assert code == 2
    err = capsys.readouterr().err
    assert "--dead-letters" in err and "does not exist" in err
    assert not queue_path.exists()


def test_ctrl_c_before_the_run_is_a_short_message_and_exit_130(tmp_path, monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(send_command, "_run", interrupted)
    assert main(["send", "webhooks", "--settings", "{}"]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_help_documents_the_new_exit_codes_and_options(capsys):
    with pytest.raises(SystemExit):
        main(["send", "--help"])
    text = capsys.readouterr().out
    assert "75 the queue file cannot be written" in text
    assert "--grace SECONDS" in text and "--max-auth-failures N" in text


def test_no_pid_file_or_lock_is_left_locked(tmp_path):
    queue_path = tmp_path / "q.sqlite3"
    with Sink() as sink:
        source = ndjson(tmp_path / "in.ndjson", 3)
        assert main(["send", "webhooks", source, "--settings",
                     json.dumps({"hooks": [sink.url + "/hook"]}), "--queue", str(queue_path),
                     "--no-progress"]) == 0
    assert os.path.exists(str(queue_path) + ".lock")
