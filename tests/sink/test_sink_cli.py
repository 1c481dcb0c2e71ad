"""``framework sink`` in a subprocess: first line, /_stats, clean stop."""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys

import pytest
import requests

from framework import cli
from framework.sink import command

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def start(*args, entry=("framework.sink",)):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, "-m", *entry, *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("entry, stop_signal", [
    (("framework.cli", "sink"), signal.SIGTERM),
    (("framework.sink",), signal.SIGINT),
])
def test_cli_serves_until_signalled(entry, stop_signal):
    process = start("--port", "0", "--fail-rate", "1", "--statuses", "503", "--seed", "1",
                    entry=entry)
    try:
        line = process.stdout.readline()
        match = re.fullmatch(r"listening on (http://127\.0\.0\.1:(\d+))\n", line)
        assert match, line
        url = match.group(1)
        assert requests.post(url + "/e", json={"messageId": "m"}, timeout=5).status_code == 503
        stats = requests.get(url + "/_stats", timeout=5).json()
        assert stats == {"requests": 1, "bytes": len('{"messageId": "m"}'),
                         "unique_message_ids": 1, "accepted_unique_message_ids": 0,
                         "accepted_duplicates": 0}
        process.send_signal(stop_signal)
        assert process.wait(timeout=10) == 0
        assert json.loads(process.stderr.read().strip().splitlines()[-1]) == stats
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("args, message", [
    (["--fail-rate", "2"], "--fail-rate must be a number between 0 and 1, got '2'"),
    (["--statuses", "500,abc"], "--statuses must be comma-separated HTTP error statuses"),
    (["--port", "70000"], "--port must be an integer from 0 to 65535, got '70000'"),
])
def test_cli_rejects_bad_options(args, message):
    process = start(*args)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert message in err


def test_cli_reports_a_port_in_use():
    with socket_bound() as port:
        process = start("--port", str(port))
        _, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err


def test_the_dispatcher_maps_sink_to_this_module():
    assert cli.COMMANDS["sink"][0] == "framework.sink.command"
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    args = parser.parse_args([])
    assert (args.port, args.fail_rate, args.statuses, args.db, args.seed) == \
        (0, 0.0, (500, 429), None, None)


class socket_bound:
    """A listening socket on a free loopback port, for the duration of a with block."""

    def __enter__(self):
        import socket
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        return self.sock.getsockname()[1]

    def __exit__(self, *exc_info):
        self.sock.close()
