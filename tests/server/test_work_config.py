"""``framework serve --no-deliver`` queues; ``framework work --config`` delivers the same queue."""

from __future__ import annotations

from starlette.testclient import TestClient

from framework import cli
from framework.runner import SQLiteQueue
from framework.server.app import create_app
from framework.server.config import load_config
from framework.sink import Sink

CONFIG = """
[server]
queue = "q.sqlite3"
[[sources]]
name = "web"
write_key = "wk"
[[sources.destinations]]
integration = "webhooks"
settings = {{ hooks = ["{sink}/a"] }}
[[sources.destinations]]
name = "second"
integration = "webhooks"
settings = {{ hooks = ["{sink}/b"] }}
"""


def test_work_delivers_what_a_no_deliver_server_queued(tmp_path, capsys):
    with Sink() as sink:
        path = tmp_path / "serve.toml"
        path.write_text(CONFIG.format(sink=sink.url))
        config = load_config(path)
        with SQLiteQueue(tmp_path / "q.sqlite3") as queue, \
                TestClient(create_app(config, queue)) as client:
            body = {"batch": [{"type": "track", "userId": "u", "event": "E",
                               "messageId": f"m{n}"} for n in range(20)]}
            assert client.post("/v1/batch", json=body, auth=("wk", "")).status_code == 200
            assert queue.stats().pending == 40
        assert sink.message_ids() == set()
        assert cli.main(["work", "--config", str(path), "--until-empty", "--json"]) == 0
        assert '"second": {' in capsys.readouterr().out
        paths = [r["path"] for r in sink.requests()]
        assert paths.count("/a") == 20 and paths.count("/b") == 20
        with SQLiteQueue(tmp_path / "q.sqlite3") as queue:
            assert queue.stats().pending == 0


def test_work_config_usage_errors(tmp_path, capsys):
    assert cli.main(["work", "webhooks", "--config", "x.toml"]) == 2
    assert "give no SLUG or --settings" in capsys.readouterr().err
    assert cli.main(["work"]) == 2
    assert "SLUG and --queue are required" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("[[hooks]]\n")
    assert cli.main(["work", "--config", str(bad)]) == 2
    assert "hooks[0].name: is required" in capsys.readouterr().err
