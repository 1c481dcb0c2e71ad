"""``framework send --enqueue-only``, ``framework work`` and ``framework queue`` on Redis."""

from __future__ import annotations

import json

from framework.cli import main
from framework.runner.redis_queue import RedisQueue
from framework.sink import Sink

from framework.testing.redis_server import free_port
from send_helpers import track


def write_input(path, n, start=0):
    path.write_text("".join(json.dumps(track(i)) + "\n" for i in range(start, start + n)))
    return str(path)


def test_enqueue_only_then_work_until_empty_delivers_everything(tmp_path, redis_url, capsys):
    source = write_input(tmp_path / "in.ndjson", 300)
    with Sink() as sink:
        settings = json.dumps({"hooks": [sink.url + "/hook"]})
        assert main(["send", "webhooks", source, "--settings", settings, "--queue", redis_url,
                     "--enqueue-only", "--json", "--no-progress"]) == 0
        queued = json.loads(capsys.readouterr().out)
        assert queued["queued"] == 300 and queued["delivered"] == 0
        assert sink.stats()["requests"] == 0

        assert main(["queue", "stats", "--queue", redis_url, "--destination", "webhooks"]) == 0
        stats = json.loads(capsys.readouterr().out)
        assert stats["ready"] == 300 and stats["pending"] == 300

        assert main(["work", "webhooks", "--settings", settings, "--queue", redis_url,
                     "--until-empty", "--json", "--no-progress", "--concurrency", "4"]) == 0
        summary = json.loads(capsys.readouterr().out)
        assert summary["delivered"] == 300 and summary["dead_letters"] == 0
        assert sink.message_ids(accepted=True) == {f"m{n}" for n in range(300)}
    with RedisQueue(redis_url, "webhooks") as queue:
        assert queue.stats().pending == 0 and queue.stats().acked == 300


def test_send_on_redis_delivers_in_one_process_too(tmp_path, redis_url, capsys):
    source = write_input(tmp_path / "in.ndjson", 50)
    with Sink() as sink:
        settings = json.dumps({"hooks": [sink.url + "/hook"]})
        assert main(["send", "webhooks", source, "--settings", settings, "--queue", redis_url,
                     "--json", "--no-progress"]) == 0
        assert json.loads(capsys.readouterr().out)["delivered"] == 50
        assert sink.stats()["accepted_unique_message_ids"] == 50


def test_enqueue_only_needs_a_shared_queue(tmp_path, capsys):
    source = write_input(tmp_path / "in.ndjson", 1)
    code = main(["send", "webhooks", source, "--settings", '{"hooks": ["http://127.0.0.1:9/"]}',
                 "--queue", str(tmp_path / "q.sqlite3"), "--enqueue-only"])
    assert code == 2
    assert "--enqueue-only needs a shared queue" in capsys.readouterr().err


def test_an_unreachable_redis_exits_2_naming_it(tmp_path, capsys):
    url = f"redis://127.0.0.1:{free_port()}/0?stream=x"
    settings = '{"hooks": ["http://127.0.0.1:9/"]}'
    assert main(["work", "webhooks", "--settings", settings, "--queue", url,
                 "--until-empty"]) == 2
    err = capsys.readouterr().err
    assert "cannot reach Redis at redis://127.0.0.1" in err and "Traceback" not in err
    source = write_input(tmp_path / "in.ndjson", 1)
    assert main(["send", "webhooks", source, "--settings", settings, "--queue", url,
                 "--enqueue-only"]) == 2
    assert "cannot reach Redis" in capsys.readouterr().err


def test_dead_letters_export_and_redrive_by_status(tmp_path, redis_url, capsys):
    source = write_input(tmp_path / "in.ndjson", 20)
    with Sink(fail_rate=1.0, statuses=(400,)) as sink:
        settings = json.dumps({"hooks": [sink.url + "/hook"]})
        assert main(["send", "webhooks", source, "--settings", settings, "--queue", redis_url,
                     "--json", "--no-progress"]) == 1
        assert json.loads(capsys.readouterr().out)["dead_letters"] == 20
    out = tmp_path / "dead.ndjson"
    assert main(["queue", "dead-letters", "--queue", redis_url, "--destination", "webhooks",
                 "--output", str(out)]) == 0
    letters = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(letters) == 20 and {d["error"]["status"] for d in letters} == {400}
    assert main(["queue", "redrive", "--queue", redis_url, "--destination", "webhooks",
                 "--status", "500"]) == 0
    assert json.loads(capsys.readouterr().out) == {"redriven": 0}
    assert main(["queue", "redrive", "--queue", redis_url, "--destination", "webhooks",
                 "--class", "HTTPError", "--status", "400", "--limit", "5"]) == 0
    assert json.loads(capsys.readouterr().out) == {"redriven": 5}
    with Sink() as sink:
        settings = json.dumps({"hooks": [sink.url + "/hook"]})
        assert main(["work", "webhooks", "--settings", settings, "--queue", redis_url,
                     "--until-empty", "--no-progress"]) == 0
        assert sink.stats()["accepted_unique_message_ids"] == 5
    with RedisQueue(redis_url, "webhooks") as queue:
        assert queue.stats().dead == 15


def test_queue_needs_a_destination_for_redis(redis_url, capsys):
    assert main(["queue", "stats", "--queue", redis_url]) == 2
    assert "--destination NAME is required" in capsys.readouterr().err


def test_redrive_works_on_a_sqlite_queue_too(tmp_path, capsys):
    source = write_input(tmp_path / "in.ndjson", 4)
    queue = str(tmp_path / "q.sqlite3")
    with Sink(fail_rate=1.0, statuses=(404,)) as sink:
        settings = json.dumps({"hooks": [sink.url + "/hook"]})
        assert main(["send", "webhooks", source, "--settings", settings, "--queue", queue,
                     "--no-progress"]) == 1
    capsys.readouterr()
    assert main(["queue", "redrive", "--queue", queue, "--status", "404"]) == 0
    assert json.loads(capsys.readouterr().out) == {"redriven": 4}
    assert main(["queue", "stats", "--queue", queue]) == 0
    assert json.loads(capsys.readouterr().out)["ready"] == 4
