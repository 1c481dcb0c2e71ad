"""``framework preview`` and ``framework curl``: offline, masked, and clear about failures."""

import io
import json
import shlex

import pytest

from command_toys import install

from framework.http import USER_AGENT

TRACK = {"type": "track", "event": "Signed Up", "userId": "u1",
         "timestamp": "2014-01-01T00:00:00.000Z"}


def test_preview_of_a_webhooks_fixture(command):
    code, out, err = command("preview", "webhooks", "track-signed")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[:4] == ["ROUTE: track", "URL: https://hooks.test/a", "METHOD: POST",
                         "HEADER: User-Agent: " + USER_AGENT]
    assert "HEADER: X-Team: cdp" in lines and "HEADER: Content-Type: application/json" in lines
    assert any(line.startswith("HEADER: X-Signature: ") for line in lines)
    body = lines[lines.index("BODY:\ttrack-signed") + 1]
    assert json.loads(body)["event"] == "Signed Up"
    assert lines[-3:] == ["REPLY: 200 (sandbox)", "", "RESULT: delivered (1 response)"]


def test_preview_details_show_the_settings_the_message_and_the_payload(command):
    code, out, _ = command("preview", "webhooks", "track-signed", "--details")
    assert code == 0
    assert out.startswith("Integration  Webhooks (webhooks)\n")
    assert '"sharedSecret": "[REDACTED]"' in out and "s3cret-value" not in out
    assert "Message      Track facade\n  type         track\n  userId       user-1\n" in out
    assert "  timestamp    2014-01-01T00:00:00.000Z\n  event        Signed Up\n" in out
    assert "Payload      mapper.track(msg, settings):\n  {\n" in out
    assert "\n\nROUTE: track\nURL: https://hooks.test/a\n" in out


def test_preview_shows_secrets_only_when_asked(command, tmp_path):
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"hooks": ["https://h.test/?token=tok-9876"],
                                    "token": "tok-9876",
                                    "headers": {"Authorization": "Bearer inner-secret"}}))
    message = tmp_path / "message.json"
    message.write_text(json.dumps(TRACK))
    code, out, _ = command("preview", "webhooks", message, "--settings", f"@{settings}",
                           "--details")
    assert code == 0
    assert "tok-9876" not in out and "inner-secret" not in out
    assert "URL: https://h.test/?token=[REDACTED]" in out
    assert '"headers": {"Authorization": "[REDACTED]"}' in out
    assert "HEADER: Authorization: [REDACTED]" in out
    code, out, _ = command("preview", "webhooks", message, "--settings", f"@{settings}",
                           "--show-secrets")
    assert "tok-9876" in out and "HEADER: Authorization: Bearer inner-secret" in out


def test_preview_reads_stdin_and_fixture_documents(command, tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(TRACK)))
    code, out, _ = command("preview", "webhooks", "-", "--settings",
                           '{"hooks": ["https://h.test/a"]}')
    assert code == 0 and "URL: https://h.test/a\nMETHOD: POST\n" in out
    assert "BODY:\tstdin\n" in out
    document = tmp_path / "fixture.json"
    document.write_text(json.dumps({"settings": {"hooks": ["https://h.test/doc"]},
                                    "input": TRACK}))
    code, out, _ = command("preview", "webhooks", document)
    assert code == 0 and "URL: https://h.test/doc" in out


def test_preview_of_a_failing_run(command):
    code, out, _ = command("preview", "webhooks", "track-basic", "--status", "503")
    assert code == 1
    assert out.count("REPLY: 503 (sandbox)") == 2
    assert "RESULT: failed: HTTPError HTTP_ERROR (status 503, retryable): POST " in out


def test_preview_of_invalid_settings_makes_no_request(command):
    code, out, _ = command("preview", "webhooks", "track-basic", "--settings", "{}")
    assert code == 1
    assert "ROUTE" not in out and "REQUESTS: none" in out
    assert "RESULT: failed: ValidationError INVALID_SETTINGS (status 400, not " \
           "retryable): setting \"hooks\" needs at least one URL" in out


def test_preview_without_mapper_with_a_crash_and_with_secret_headers(command, monkeypatch):
    install(monkeypatch)
    settings = '{"apiKey": "acme-key-1"}'
    monkeypatch.setattr("sys.stdin", io.StringIO('{"type": "page", "name": "Home"}'))
    code, out, _ = command("preview", "acme", "-", "--settings", settings, "--details")
    assert code == 0
    assert "Payload      (no mapper.page: the method receives the message)" in out
    assert "name=it%27s" in out
    monkeypatch.setattr("sys.stdin", io.StringIO('{"type": "identify", "userId": "u1"}'))
    code, out, _ = command("preview", "acme", "-", "--settings", settings)
    assert "acme-key-1" not in out and "HEADER: Authorization: [REDACTED]" in out
    assert "?key=[REDACTED]" in out
    monkeypatch.setattr("sys.stdin", io.StringIO('{"type": "group", "groupId": "g"}'))
    code, out, _ = command("preview", "acme", "-", "--settings", settings)
    assert code == 1 and "RESULT: crashed: KeyError: 'a bug'" in out


def test_a_message_is_required_for_integrations_without_templates(command):
    for name in ("preview", "curl"):
        code, out, err = command(name, "webhooks")
        assert code == 2 and out == ""
        assert err == f"framework {name}: a message is required: a JSON file, a fixture " \
            "name, or - for stdin\n"


@pytest.mark.parametrize("argv, message", [
    (["nope", "x"], "no integration installed under the slug 'nope' (installed: "),
    (["webhooks", "nope"], "'nope' is neither a file nor a usable fixture: no fixture 'nope'"),
    (["webhooks", "track-basic", "--settings", "{"], "--settings is not valid JSON: "),
    (["webhooks", "track-basic", "--settings", "[]"], "--settings must be a JSON object, got "
                                                      "list"),
    (["webhooks", "track-basic", "--settings", "@/nonexistent/s.json"],
     "cannot read the settings file '/nonexistent/s.json'"),
])
def test_usage_errors(command, argv, message):
    for name in ("preview", "curl"):
        code, out, err = command(name, *argv)
        assert code == 2 and out == ""
        assert err.startswith(f"framework {name}: ") and message in err


def test_message_must_be_a_json_object(command, tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    path.write_text("[1]")
    code, _, err = command("preview", "webhooks", path)
    assert code == 2 and "the message must be a JSON object, got list" in err
    path.write_text("{")
    code, _, err = command("preview", "webhooks", path)
    assert code == 2 and "is not valid JSON" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("nope"))
    code, _, err = command("curl", "webhooks", "-")
    assert code == 2 and "the message on stdin is not valid JSON" in err


# -- curl -------------------------------------------------------------------------------------

def test_curl_prints_shell_quoted_commands(command):
    code, out, err = command("curl", "webhooks", "track-signed")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "curl -X POST https://hooks.test/a \\"
    assert "  -H 'X-Team: cdp' \\" in lines and "Content-Length" not in out
    words = shlex.split(out.replace("\\\n", " "))
    body = json.loads(words[words.index("--data-binary") + 1])
    assert body["event"] == "Signed Up" and body["timestamp"] == "2014-01-01T00:00:00.000Z"


def test_curl_quotes_what_the_shell_would_split(command, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(dict(TRACK, event="it's $HOME"))))
    code, out, _ = command("curl", "webhooks", "-", "--settings",
                           '{"hooks": ["https://h.test/a?x=1&y=2"]}')
    words = shlex.split(out.replace("\\\n", " "))
    assert words[3] == "https://h.test/a?x=1&y=2"
    assert json.loads(words[words.index("--data-binary") + 1])["event"] == "it's $HOME"


def test_curl_masks_secrets_unless_asked(command, monkeypatch):
    install(monkeypatch)
    monkeypatch.setattr("sys.stdin", io.StringIO('{"type": "page", "name": "Home"}'))
    code, out, _ = command("curl", "acme", "-", "--settings", '{"apiKey": "acme-key-1"}')
    assert code == 0 and "--data-binary name=it%27s" in out
    for show, expected in ((False, "Authorization: [REDACTED]"),
                           (True, "Authorization: Bearer acme-key-1")):
        monkeypatch.setattr("sys.stdin", io.StringIO('{"type": "identify", "userId": "u1"}'))
        argv = ["acme", "-", "--settings", '{"apiKey": "acme-key-1"}']
        code, out, _ = command("curl", *argv, *(["--show-secrets"] if show else []))
        assert expected in out and ("acme-key-1" in out) is show


def test_curl_of_failing_and_empty_runs(command, monkeypatch):
    code, out, err = command("curl", "webhooks", "track-basic", "--status", "500")
    assert code == 1 and out.count("curl -X POST") == 2
    assert err.startswith("framework curl: the pipeline fails with HTTPError: POST ")
    code, out, err = command("curl", "webhooks", "track-basic", "--settings", "{}")
    assert code == 1 and out == "" and "(no request is made)" in err
    install(monkeypatch)
    monkeypatch.setattr("sys.stdin", io.StringIO('{"type": "track", "event": "E"}'))
    code, out, err = command("curl", "acme", "-", "--settings", '{"apiKey": "k"}')
    assert code == 0 and out == ""
    assert err == "framework curl: the pipeline makes no request for this message\n"


def test_declared_secrets_are_masked_unless_asked(command, monkeypatch):
    install(monkeypatch, typed="command_toys:Typed")
    settings = '{"hush": "quiet-value-77", "token": "t"}'
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(TRACK)))
    code, out, _ = command("preview", "typed", "-", "--settings", settings, "--details")
    assert code == 0
    assert "quiet-value-77" not in out
    assert '"hush": "[REDACTED]"' in out
    assert "HEADER: X-Hush: [REDACTED]" in out
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(TRACK)))
    code, out, _ = command("curl", "typed", "-", "--settings", settings)
    assert code == 0 and "quiet-value-77" not in out and "X-Hush: [REDACTED]" in out
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(TRACK)))
    code, out, _ = command("curl", "typed", "-", "--settings", settings, "--show-secrets")
    assert code == 0 and out.count("quiet-value-77") == 2  # the header and the body


def test_preview_shows_the_batch_request_the_runner_would_make(command, monkeypatch, tmp_path):
    # issue 14: preview showed POST /track, the runner sends /import?strict=1 via batch()
    install(monkeypatch, bulk="command_toys:Bulk")
    message = tmp_path / "track.json"
    message.write_text(json.dumps(TRACK))
    code, out, _ = command("preview", "bulk", message)
    assert code == 0
    assert "ROUTE: track\nDELIVERY: batch(items), as framework send delivers it\n" in out
    assert "URL: https://bulk.test/import?strict=1\n" in out
    assert "/track\n" not in out
    code, out, _ = command("curl", "bulk", message)
    assert code == 0 and "https://bulk.test/import?strict=1" in out
    identify = tmp_path / "identify.json"
    identify.write_text(json.dumps({"type": "identify", "userId": "u1"}))
    code, out, _ = command("preview", "bulk", identify)
    assert code == 0 and "ROUTE: identify\nURL: https://bulk.test/identify\n" in out
    assert "DELIVERY" not in out
