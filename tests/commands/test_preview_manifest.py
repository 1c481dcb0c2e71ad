"""``framework preview``/``curl`` of a manifest integration: stand-in values, real settings,
``--event`` and ``--validation``, in the URL:/METHOD:/HEADER:/BODY: format."""

import json
import shlex
from pathlib import Path

DATA = Path(__file__).parents[1] / "manifest" / "data"
HOOK = DATA / "signed_webhook"
SETTINGS = {"url": "https://hooks.example.test/ld", "apiToken": "tok-1234",
            "signingSecret": "sign-5678", "channel": "dev"}


def lines_of(out):
    return out.splitlines()


def test_stand_in_preview_renders_the_flag_sample_timestamped_now(command):
    code, out, err = command("preview", HOOK)
    assert code == 0 and err == ""
    lines = lines_of(out)
    assert lines[:3] == ["ROUTE: flag", "URL: $URL", "METHOD: POST"]
    assert "HEADER: Content-Type: application/json" in lines
    assert "HEADER: Authorization: Bearer $APITOKEN" in lines  # a stand-in, not a secret
    start = lines.index("BODY:\tflag/targeting-rule-update") + 1
    body = json.loads("\n".join(lines[start:lines.index("", start)]))
    assert body["flag"] == "express-checkout" and body["channel"] == "$CHANNEL"
    assert body["tickets"] == []  # a reserved custom property the event lacks
    assert lines[-1] == "RESULT: rendered with stand-in values ($NAME); nothing was sent"
    assert "REPLY" not in out


def test_the_sample_timestamp_is_now(monkeypatch):
    from framework.commands import auditlog

    event = auditlog.with_timestamp({"kind": "flag"}, 1700000000.25)
    assert event["timestamp"] == {"milliseconds": 1700000000250, "seconds": 1700000000,
                                  "rfc3339": "2023-11-14T22:13:20Z",
                                  "simple": "2023-11-14 22:13:20"}


def test_event_picks_a_sample_or_a_file(command, tmp_path):
    code, out, _ = command("preview", HOOK, "--event", "project/update")
    assert code == 0 and "ROUTE: default\n" in out and "BODY:\tproject/update\n" in out
    assert '"kind": "project"' in out
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"kind": "member", "title": {"plainText": "From a file"}}))
    code, out, _ = command("preview", HOOK, "--event", event)
    assert code == 0 and '"text": "From a file"' in out


def test_real_settings_run_the_pipeline_with_secrets_masked(command, tmp_path):
    settings = json.dumps(SETTINGS)
    code, out, _ = command("preview", HOOK, "--settings", settings)
    assert code == 0
    assert "URL: https://hooks.example.test/ld" in out
    assert "HEADER: Authorization: [REDACTED]" in out and "tok-1234" not in out
    assert "REPLY: 200 (sandbox)" in out and out.endswith("RESULT: delivered (1 response)\n")
    code, out, _ = command("preview", HOOK, "--settings", settings, "--show-secrets")
    assert "HEADER: Authorization: Bearer tok-1234" in out


def test_real_settings_apply_the_policy(command):
    code, out, _ = command("preview", HOOK, "--settings", json.dumps(SETTINGS),
                           "--event", "project/update")
    assert code == 1 and "REQUESTS: none" in out
    assert "RESULT: failed: Skipped MESSAGE_SKIPPED" in out
    assert "no policy statement allows updateTags on proj/checkout;web" in out


def test_validation_previews_the_connection_test(command):
    code, out, _ = command("preview", HOOK, "--validation")
    assert code == 0 and "ROUTE: validation\n" in out
    assert '{"text": "Connection test from $CHANNEL"}' in out
    code, out, _ = command("preview", HOOK, "--validation", "--settings", json.dumps(SETTINGS))
    assert code == 0 and '{"text": "Connection test from dev"}' in out
    assert "REPLY: 200 (sandbox)" in out


def test_curl_prints_a_runnable_command_with_a_note_about_stand_ins(command):
    code, out, _ = command("curl", HOOK)
    assert code == 0
    note, _, commands = out.partition("\n\n")
    assert note.startswith("# Before running the following curl command, replace every")
    words = shlex.split(commands.replace("\\\n", " "))
    assert words[:4] == ["curl", "-X", "POST", "$URL"]
    assert "Authorization: Bearer $APITOKEN" in words
    body = json.loads(words[words.index("--data-binary") + 1])
    assert body["flag"] == "express-checkout"


def test_a_template_that_does_not_render_fails_the_preview(command, tmp_path):
    import shutil

    shutil.copytree(HOOK, tmp_path / "hook")
    (tmp_path / "hook" / "templates" / "flag.json.hbs").write_text('{"x": "{{nope.at.all}}"}')
    code, out, _ = command("preview", tmp_path / "hook")
    assert code == 1 and "REQUESTS: none" in out
    assert "RESULT: failed: TemplateError TEMPLATE_ERROR" in out and "nope.at.all" in out


def test_usage_errors_for_manifests(command, tmp_path):
    code, _, err = command("preview", HOOK, "flag-production", "--event", "flag/toggle")
    assert code == 2 and "give a message or --event, not both" in err
    code, _, err = command("preview", HOOK, "--event", "flag/nope")
    assert code == 2 and "--event 'flag/nope' is neither a file nor a sample event" in err
    (tmp_path / "manifest.json").write_text("{")
    code, _, err = command("preview", tmp_path)
    assert code == 2 and "invalid JSON" in err and "framework validate" in err


def test_a_fixture_of_a_manifest_integration_previews_with_its_settings(command):
    import framework.testing.fixtures  # noqa: F401 - fixtures are found beside the manifest

    code, out, _ = command("preview", HOOK, HOOK / "fixtures" / "flag-production.json")
    assert code == 0 and "URL: https://hooks.example.test/ld" in out
    assert '"tickets": ["T-1", "T-2"]' in out
