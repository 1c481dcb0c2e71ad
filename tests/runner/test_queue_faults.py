"""The queue's lock and records under abuse: symlinks, hard links, early kills, odd resumes."""

from __future__ import annotations

import json
import os

from framework.cli import main
from framework.runner import QueueLock, Runner, SQLiteQueue
from framework.sink import Sink

from send_helpers import Scripted, track

#: Valid Webhooks settings: the settings are checked before the queue is looked at.
HOOKS = json.dumps({"hooks": ["http://127.0.0.1:9/hook"]})


def hooks(sink: Sink) -> str:
    return json.dumps({"hooks": [sink.url + "/hook"]})


def ndjson(path, n: int) -> str:
    path.write_text("".join(json.dumps(track(i)) + "\n" for i in range(n)))
    return str(path)


def test_a_symlink_to_a_held_queue_is_refused(tmp_path, capsys):
    real = tmp_path / "real.sqlite3"
    link = tmp_path / "link.sqlite3"
    SQLiteQueue(real).close()
    link.symlink_to(real)
    source = ndjson(tmp_path / "in.ndjson", 3)
    with QueueLock(str(real)):
        assert main(["send", "webhooks", source, "--settings", HOOKS, "--queue", str(link)]) == 2
    assert "is in use by another runner" in capsys.readouterr().err


def test_a_hard_link_to_a_held_queue_is_refused(tmp_path, capsys):
    real = tmp_path / "real.sqlite3"
    SQLiteQueue(real).close()
    (tmp_path / "other").mkdir()
    alias = tmp_path / "other" / "alias.sqlite3"
    os.link(real, alias)
    source = ndjson(tmp_path / "in.ndjson", 3)
    with QueueLock(str(real)):
        assert main(["send", "webhooks", source, "--settings", HOOKS, "--queue",
                     str(alias)]) == 2
    assert "is in use by another runner" in capsys.readouterr().err


def test_the_lock_is_released_for_the_next_runner(tmp_path):
    queue = str(tmp_path / "q.sqlite3")
    with QueueLock(queue):
        pass
    with QueueLock(queue) as again:
        assert again.held


def test_an_input_is_recorded_before_its_first_message_so_resume_reads_it(tmp_path, capsys):
    """A kill between ``feed`` and the first stored chunk left the input unknown to
    ``inputs``; ``--resume`` then reported success with nothing read."""
    queue_path = str(tmp_path / "q.sqlite3")
    source = ndjson(tmp_path / "in.ndjson", 40)
    with SQLiteQueue(queue_path) as queue:
        Runner(Scripted, {}, queue).feed(source)  # ... and the process dies here
        queue.set_info("integration", "webhooks")
        offset = queue.input_offsets()[os.path.abspath(source)]
        assert (offset.offset, offset.done) == (0, False)
    with Sink() as sink:
        code = main(["send", "webhooks", "--resume", "--settings", hooks(sink), "--queue",
                     queue_path, "--json", "--no-progress"])
        assert code == 0, capsys.readouterr().err
        assert json.loads(capsys.readouterr().out)["delivered"] == 40
        assert len(sink.message_ids(accepted=True)) == 40


def test_resume_on_a_missing_queue_is_a_usage_error(tmp_path, capsys):
    missing = tmp_path / "nope.sqlite3"
    assert main(["send", "webhooks", "--resume", "--settings", HOOKS, "--queue",
                 str(missing)]) == 2
    assert f"there is no queue {str(missing)!r} to resume" in capsys.readouterr().err
    assert not missing.exists()


def test_resume_on_a_finished_queue_says_there_is_nothing_to_resume(tmp_path, capsys):
    queue_path = str(tmp_path / "q.sqlite3")
    source = ndjson(tmp_path / "in.ndjson", 5)
    with Sink() as sink:
        assert main(["send", "webhooks", source, "--settings", hooks(sink), "--queue",
                     queue_path, "--no-progress"]) == 0
        capsys.readouterr()
        assert main(["send", "webhooks", "--resume", "--settings", hooks(sink), "--queue",
                     queue_path, "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "nothing to resume" in out and "interrupt" not in out
