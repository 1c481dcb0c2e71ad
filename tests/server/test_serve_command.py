"""``framework serve`` as a process: first line, config errors before binding, SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request

from framework import cli

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CONFIG = """
[server]
queue = "q.sqlite3"
[[sources]]
name = "web"
write_key = "wk"
[[sources.destinations]]
integration = "webhooks"
settings = {{ hooks = ["{sink}/hook"] }}
"""


def start(args, cwd):
    process = subprocess.Popen([sys.executable, "-m", "framework.cli", "serve", "--port", "0",
                                *args], cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    assert line.startswith("listening on http://127.0.0.1:"), (line, process.stderr.read())
    return process, line.split()[-1]


def test_config_problems_exit_2_before_binding(tmp_path, capsys):
    config = tmp_path / "serve.toml"
    config.write_text('[[sources]]\nname = "web"\nwrite_key = "${NOPE}"\n')
    assert cli.main(["serve", "--config", str(config), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "the config has 2 problem(s)" in err
    assert "sources[0].write_key: environment variable NOPE is not set" in err
    assert not (tmp_path / "q.sqlite3").exists()


def test_serve_accepts_then_sigterm_drains_and_exits_0(tmp_path):
    from framework.sink import Sink

    with Sink() as sink:
        (tmp_path / "serve.toml").write_text(CONFIG.format(sink=sink.url))
        process, url = start(["--config", "serve.toml"], tmp_path)
        try:
            request = urllib.request.Request(
                url + "/v1/track", data=json.dumps({"userId": "u", "event": "E",
                                                    "messageId": "m1", "writeKey": "wk"})
                .encode(), headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=10) as response:
                assert json.load(response) == {"success": True}
            with urllib.request.urlopen(url + "/healthz", timeout=10) as response:
                assert response.status == 200
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=30)
        assert process.returncode == 0, err
        assert "Traceback" not in err
        assert "m1" in sink.message_ids(accepted=True)


def test_serve_is_registered_and_lazy():
    code = ("import sys; from framework import cli; cli.main(['list']); "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'framework.server.app') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
    assert "serve" in cli.COMMANDS


def test_the_server_names_are_exported_lazily():
    import framework.server as server

    for name in server.__all__:
        assert getattr(server, name) is not None
    try:
        server.nope
    except AttributeError as exc:
        assert "has no attribute 'nope'" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")
