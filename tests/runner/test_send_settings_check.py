"""``framework send`` checks the settings once, before reading any input: exit 2, nothing
queued, each problem (setting and rule) named on stderr."""

from __future__ import annotations

import io
import json
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

import integrations
from framework.cli import main


class Unreadable(io.StringIO):
    """A stdin that fails the test when the command reads it."""

    def read(self, *args):  # pragma: no cover - reached only on a regression
        raise AssertionError("stdin was read although the settings are bad")

    readline = __iter__ = buffer = read


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", Unreadable())
    found = dict(integrations.available())
    found["typed"] = EntryPoint("typed", "command_toys:Typed", integrations.GROUP)
    monkeypatch.syspath_prepend(str(Path(__file__).parents[1] / "commands"))  # command_toys
    monkeypatch.setattr(integrations, "available", lambda: dict(found))

    def send(*args):
        code = main(["send", *args, "--queue", str(tmp_path / "q.sqlite3")])
        out, err = capsys.readouterr()
        return code, out, err
    return send


@pytest.mark.parametrize("settings, message", [
    ('{"hooks": ["ftp://nope"]}',
     'framework send: error: --settings: setting "hooks" item 0 must be an absolute http(s) '
     'URL, got "ftp://nope"\n'),
    ("{}", 'framework send: error: --settings: setting "hooks" needs at least one URL (or the '
           'legacy "globalHook")\n'),
    (None, 'framework send: error: --settings: setting "hooks" needs at least one URL'),
])
def test_bad_webhooks_settings_exit_2_before_reading_input(run, tmp_path, settings, message):
    args = ["webhooks", "-"] + (["--settings", settings] if settings is not None else [])
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert err.startswith(message)
    assert "Traceback" not in err
    assert not (tmp_path / "q.sqlite3").exists()  # nothing queued: the queue is never opened


def test_every_problem_is_listed_and_secrets_stay_hidden(run, tmp_path):
    source = tmp_path / "in.ndjson"
    source.write_text(json.dumps({"type": "track", "event": "x", "userId": "u"}) + "\n")
    code, _, err = run("typed", str(source), "--settings",
                       '{"hush": ["top-secret-value"], "region": "mars", "account": {"user": 5}}')
    assert code == 2
    assert err == ("framework send: error: --settings: 4 problems:\n"
                   '  setting "hush" must be a string, got [REDACTED]\n'
                   '  setting "region" must be one of "us", "eu", got "mars"\n'
                   '  setting "account.user" must be a string, got 5\n'
                   '  setting "token" is required\n')
    assert not (tmp_path / "q.sqlite3").exists()


def test_resume_checks_the_settings_too(run, tmp_path):
    code, _, err = run("webhooks", "--resume", "--settings", '{"globalHook": "nope"}')
    assert code == 2
    assert 'setting "globalHook" must be an absolute http(s) URL, got "nope"' in err


def test_good_settings_go_on_to_the_input(run, tmp_path):
    (tmp_path / "empty.ndjson").write_text("")
    code, out, err = run("webhooks", str(tmp_path / "empty.ndjson"), "--settings",
                         '{"hooks": ["http://127.0.0.1:9/hook"]}')
    assert (code, err) == (0, "") and "finished 0 messages" in out
