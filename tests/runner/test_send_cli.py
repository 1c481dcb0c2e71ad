"""``framework send`` end to end: a subprocess (or ``main()``) delivering to a real sink."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from framework.cli import main
from framework.runner import QueueLock, SQLiteQueue
from framework.sink import Sink

from send_helpers import track


def send(*args: str, stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``framework send ARGS`` in a subprocess."""
    return subprocess.run([sys.executable, "-m", "framework.cli", "send", *args], input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def hooks(sink: Sink) -> str:
    return json.dumps({"hooks": [sink.url + "/hook"]})


def ndjson(path: Any, messages: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(m) + "\n" for m in messages))
    return str(path)


def summary_of(result: subprocess.CompletedProcess) -> dict[str, Any]:
    assert result.stdout, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_message_arrives_and_the_summary_says_so(tmp_path):
    source = ndjson(tmp_path / "in.ndjson", [track(n) for n in range(300)])
    with Sink() as sink:
        result = send("webhooks", source, "--settings", hooks(sink), "--queue",
                      str(tmp_path / "q.sqlite3"), "--concurrency", "4", "--json")
        stats = sink.stats()
    assert result.returncode == 0, result.stderr
    summary = summary_of(result)
    assert (summary["queued"], summary["delivered"], summary["dead_letters"]) == (300, 300, 0)
    assert summary["exit_code"] == 0 and summary["msgs_per_s"] > 0
    assert stats["accepted_unique_message_ids"] == 300 and stats["requests"] == 300
    assert result.stderr == ""  # no progress bar when stderr is not a terminal


def test_text_summary_by_default_and_inputs_after_the_options(tmp_path, capsys):
    source = ndjson(tmp_path / "in.ndjson", [track(n) for n in range(5)])
    with Sink() as sink:
        code = main(["send", "webhooks", "--settings", hooks(sink), "--queue",
                     str(tmp_path / "q.sqlite3"), source])
    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("framework send webhooks: finished 5 messages in ")
    assert "  delivered                5\n" in out and "  dead letters             0\n" in out


def test_faults_are_retried_until_everything_is_delivered(tmp_path):
    source = ndjson(tmp_path / "in.ndjson", [track(n) for n in range(300)])
    with Sink(fail_rate=0.3, statuses=(500, 429), seed=7) as sink:
        result = send("webhooks", source, "--settings", hooks(sink), "--queue",
                      str(tmp_path / "q.sqlite3"), "--concurrency", "16", "--retry-delay",
                      "0.01", "--json")
        stats = sink.stats()
    assert result.returncode == 0, result.stderr
    summary = summary_of(result)
    assert summary["delivered"] == 300 and summary["dead_letters"] == 0
    assert summary["retries"] > 0  # both the webhook's own retry and the runner's were needed
    assert stats["accepted_unique_message_ids"] == 300
    assert stats["requests"] > 300


def test_rejected_messages_are_dead_letters_exported_as_ndjson(tmp_path):
    source = ndjson(tmp_path / "in.ndjson", [track(n) for n in range(20)])
    dead = tmp_path / "dead.ndjson"
    with Sink(fail_rate=1.0, statuses=(400,)) as sink:
        result = send("webhooks", source, "--settings", hooks(sink), "--queue",
                      str(tmp_path / "q.sqlite3"), "--dead-letters", str(dead), "--json")
    assert result.returncode == 1, result.stderr
    summary = summary_of(result)
    assert (summary["failed"], summary["dead_letters"], summary["retries"]) == (20, 20, 0)
    assert summary["dead_letters_exported"] == 20
    assert summary["dead_by_code"] == {"HTTP_ERROR": 20}
    lines = [json.loads(line) for line in dead.read_text().splitlines()]
    assert sorted(line["message"]["messageId"] for line in lines) == \
        sorted(f"m{n}" for n in range(20))
    error = lines[0]["error"]
    assert error["class"] == "HTTPError" and error["code"] == "HTTP_ERROR"
    assert error["status"] == 400 and "400" in error["message"]


def test_invalid_settings_exit_2_before_anything_is_queued(tmp_path):
    source = ndjson(tmp_path / "in.ndjson", [track(n) for n in range(3)])
    result = send("webhooks", source, "--settings", '{"hooks": ["ftp://nope"]}', "--queue",
                  str(tmp_path / "q.sqlite3"), "--json")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == ('framework send: error: --settings: setting "hooks" item 0 must '
                             'be an absolute http(s) URL, got "ftp://nope"\n')
    assert not (tmp_path / "q.sqlite3").exists()


def test_settings_only_some_messages_need_are_dead_letters_with_their_own_count(tmp_path):
    identify = [{"type": "identify", "userId": f"u{n}", "messageId": f"m{n}"} for n in range(3)]
    source = ndjson(tmp_path / "in.ndjson", identify)
    settings = {"apiKey": "sdk-key", "environment": "Production",
                "identityMappings": [{"segmentIdentity": "userId", "trafficType": "user"}]}
    result = send("harness-fme", source, "--settings", json.dumps(settings), "--queue",
                  str(tmp_path / "q.sqlite3"), "--json")  # adminApiKey: for identify only
    assert result.returncode == 1
    summary = summary_of(result)
    assert summary["invalid_settings"] == 3 and summary["dead_letters"] == 3
    assert summary["dead_letter_samples"][0]["code"] == "INVALID_SETTINGS"


def test_input_formats_and_bad_lines(tmp_path):
    good = ndjson(tmp_path / "good.ndjson", [track(n) for n in range(3)])
    array = tmp_path / "array.json"
    array.write_text(json.dumps([track(n) for n in range(3, 6)], indent=2))
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps({"batch": [track(n) for n in range(6, 9)], "sentAt": "x"},
                                indent=1))
    bad = tmp_path / "bad.ndjson"
    bad.write_text(json.dumps(track(9)) + "\n{not json\n[1]\n" + json.dumps(track(10)) + "\n")
    with Sink() as sink:
        result = send("webhooks", good, str(array), str(batch), str(bad), "--settings",
                      hooks(sink), "--queue", str(tmp_path / "q.sqlite3"), "--json")
        ids = sink.message_ids(accepted=True)
    assert result.returncode == 1  # bad input lines make the run fail, after delivering the rest
    summary = summary_of(result)
    assert summary["delivered"] == 11 and summary["input_errors"] == 2
    assert ids == {f"m{n}" for n in range(11)}
    assert f"input error: {bad}:2: invalid JSON" in result.stderr
    assert f"input error: {bad}:3: expected a JSON object (a message), got an array" \
        in result.stderr


def test_stdin_is_read_when_no_input_is_given(tmp_path):
    lines = "".join(json.dumps(track(n)) + "\n" for n in range(4))
    with Sink() as sink:
        implicit = send("webhooks", "--settings", hooks(sink), "--queue",
                        str(tmp_path / "a.sqlite3"), "--json", stdin=lines)
        explicit = send("webhooks", "-", "--settings", hooks(sink), "--queue",
                        str(tmp_path / "b.sqlite3"), "--json", stdin=lines)
    assert summary_of(implicit)["delivered"] == 4 and summary_of(explicit)["delivered"] == 4


def test_from_selects_an_installed_converter(tmp_path):
    impressions = [{"key": f"user-{n}", "split": "new_checkout", "environmentId": "env1",
                    "environmentName": "Production", "treatment": "on", "time": 1700000000000,
                    "label": "default rule", "splitVersionNumber": 3} for n in range(3)]
    source = tmp_path / "impressions.json"
    source.write_text(json.dumps(impressions))
    with Sink() as sink:
        result = send("webhooks", str(source), "--from", "harness-fme-impressions",
                      "--settings", hooks(sink), "--queue", str(tmp_path / "q.sqlite3"),
                      "--json")
        bodies = [json.loads(request["body"]) for request in sink.requests()]
    assert result.returncode == 0, result.stderr
    assert summary_of(result)["delivered"] == 3
    assert {body["event"] for body in bodies} == {"get_treatment"}
    assert sorted(body["userId"] for body in bodies) == ["user-0", "user-1", "user-2"]


@pytest.mark.parametrize("args, message", [
    (["webhooks", "--settings", "{"], "--settings: not valid JSON at line 1 column 2"),
    (["webhooks", "--settings", "@nope.json"], "--settings @file: no such file 'nope.json'"),
    (["nope", "--settings", "{}"], "no integration installed under the slug 'nope'"),
    (["webhooks", "--from", "nope", "x"], "unknown input format 'nope' (--from); known "
                                          "formats: harness-fme-impressions, segment"),
    (["webhooks", "missing.ndjson"], "INPUT 'missing.ndjson': no such file"),
    (["webhooks", "in.ndjson", "in.ndjson"], "INPUT 'in.ndjson' is given twice"),
    (["webhooks", "."], "INPUT '.' is a directory"),
])
def test_usage_errors_exit_2_naming_the_option(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.ndjson").write_text("")
    assert main(["send", *args]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("option, value, message", [
    ("--concurrency", "0", "--concurrency must be a whole number >= 1, got '0'"),
    ("--max-attempts", "x", "--max-attempts must be a whole number >= 1, got 'x'"),
    ("--rate", "-3", "--rate must be a number > 0, got '-3'"),
    ("--max-age", "soon", "--max-age must be a positive duration such as 90, 30s, 15m or 4h"),
])
def test_bad_option_values_exit_2(capsys, option, value, message):
    with pytest.raises(SystemExit) as info:
        main(["send", "webhooks", option, value])
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_a_queue_in_use_is_refused(tmp_path, capsys):
    queue = str(tmp_path / "q.sqlite3")
    source = ndjson(tmp_path / "in.ndjson", [track(1)])
    with QueueLock(queue):
        assert main(["send", "webhooks", source, "--settings", '{"hooks": ["http://h.test"]}',
                     "--queue", queue]) == 2
    err = capsys.readouterr().err
    assert f"queue {queue!r} is in use by another runner (pid {os.getpid()})" in err


def test_unfinished_work_needs_resume_and_resume_needs_no_input(tmp_path, capsys):
    queue_path = str(tmp_path / "q.sqlite3")
    with SQLiteQueue(queue_path) as queue:
        queue.put([track(1), track(2)])
        queue.set_info("integration", "webhooks")
    source = ndjson(tmp_path / "in.ndjson", [track(3)])
    with Sink() as sink:
        assert main(["send", "webhooks", source, "--settings", hooks(sink), "--queue",
                     queue_path]) == 2
        assert "holds unfinished work of an interrupted run (2 messages pending" in \
            capsys.readouterr().err
        assert main(["send", "segment", "--resume", "--settings", '{"writeKey": "k"}',
                     "--queue", queue_path]) == 2
        assert f"--resume: queue {queue_path!r} was filled for 'webhooks', not 'segment'" in \
            capsys.readouterr().err
        # stdin stays open: a run that read it would never end
        child = subprocess.Popen([sys.executable, "-m", "framework.cli", "send", "webhooks",
                                  "--resume", "--settings", hooks(sink), "--queue", queue_path,
                                  "--json"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        try:
            out, err = child.communicate(timeout=30)
        finally:
            child.kill()
        assert child.returncode == 0, err
        assert json.loads(out)["delivered"] == 2
        assert sink.message_ids(accepted=True) == {"m1", "m2"}


def test_help_documents_exit_codes_and_at_least_once(capsys):
    with pytest.raises(SystemExit):
        main(["send", "--help"])
    text = capsys.readouterr().out
    assert "exit status:" in text and "at-least-once" in text
    assert "130 interrupted" in text and "--dead-letters PATH" in text


def test_a_batching_integration_fills_batch_requests(tmp_path):
    source = ndjson(tmp_path / "in.ndjson", [track(n) for n in range(1200)])
    with Sink() as sink:
        settings = json.dumps({"writeKey": "wk", "endpoint": sink.url})
        result = send("segment", source, "--settings", settings, "--queue",
                      str(tmp_path / "q.sqlite3"), "--json")
        stats = sink.stats()
    assert result.returncode == 0, result.stderr
    assert summary_of(result)["delivered"] == 1200
    assert stats["accepted_unique_message_ids"] == 1200
    assert stats["requests"] < 10  # /v1/batch requests of many messages, not 1200 requests
