"""``framework.manifest.load``: a manifest compiled onto the builder, run by the same pipeline."""

import hashlib
import hmac
import json
from pathlib import Path

import pytest

from framework import errors, integration
from framework.manifest import load
from framework.manifest.compile import setting_arguments
from framework.testing import IntegrationSuite
from framework.testing.sandbox import Reply, Sandbox

DATA = Path(__file__).parent / "data"
EVENT = {"kind": "project", "name": "Mobile", "key": "mobile", "_id": "e-1",
         "timestamp": {"milliseconds": 1580777685229}, "project": {"key": "mobile", "tags": []}}


def test_a_directory_and_its_manifest_file_load_the_same_integration():
    by_dir = load(DATA / "plain_hook")
    by_file = load(DATA / "plain_hook" / "manifest.json")
    assert by_dir.name == by_file.name == "Plain hook"
    assert by_dir.slug() == by_file.slug() == "plain_hook"  # the directory's name
    assert load(DATA / "plain_hook", key="plain-hook").slug() == "plain-hook"


def test_the_spec_shows_the_compiled_declarations():
    spec = load(DATA / "plain_hook").spec()
    assert spec["endpoint"] == "https://hooks.example.test/events"
    assert spec["methods"] == ["event"]
    assert spec["delivery"] == {
        "method": "PUT", "templates": {}, "headers": [],
        "hmac": {"header": "X-Hub-Signature", "secret_setting": "secret"},
        "policy": None, "error_body": 4096}
    json.dumps(spec)


def test_an_event_without_templates_is_sent_as_json_and_signed():
    hook = load(DATA / "plain_hook")({"secret": "signing-key-1"})
    with Sandbox() as sandbox:
        responses = hook.process(EVENT)
    assert [r.status_code for r in responses] == [200]
    (exchange,) = sandbox.exchanges
    assert (exchange.method, exchange.url) == ("PUT", "https://hooks.example.test/events")
    body = exchange.request.body
    assert json.loads(body) == EVENT
    assert exchange.request.headers["Content-Type"] == "application/json"
    expected = hmac.new(b"signing-key-1", body, hashlib.sha256).hexdigest()
    assert exchange.request.headers["X-Hub-Signature"] == expected


def test_a_missing_hmac_secret_is_a_validation_error_naming_the_setting():
    hook = load(DATA / "plain_hook")({})
    with Sandbox() as sandbox, pytest.raises(errors.ValidationError, match='"secret"'):
        hook.process(EVENT)
    assert sandbox.exchanges == []


def test_include_error_response_body_keeps_4_kb_of_the_answer():
    hook = load(DATA / "plain_hook")({"secret": "signing-key-1"})
    answer = "x" * 5000
    with Sandbox(default=Reply(400, answer)), pytest.raises(errors.HTTPError) as caught:
        hook.process(EVENT)
    assert caught.value.body == "x" * 4096
    assert caught.value.to_dict()["body"] == "x" * 4096


def test_without_include_error_response_body_the_answer_is_never_kept(tmp_path):
    manifest = json.loads((DATA / "plain_hook" / "manifest.json").read_text())
    del manifest["capabilities"]["auditLogEventsHook"]["includeErrorResponseBody"]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    hook = load(tmp_path)({"secret": "signing-key-1"})
    with Sandbox(default=Reply(400, "private detail")), \
            pytest.raises(errors.HTTPError) as caught:
        hook.process(EVENT)
    assert caught.value.body == ""
    assert "private detail" not in str(caught.value)
    assert "body" not in caught.value.to_dict()


def test_segment_messages_are_not_audit_log_events():
    hook = load(DATA / "plain_hook")({"secret": "signing-key-1"})
    with pytest.raises(errors.NotSupported):
        hook.process({"type": "track", "event": "Signed Up", "userId": "u1"})


def test_invalid_json_is_a_manifest_error_with_the_line(tmp_path):
    (tmp_path / "manifest.json").write_text('{"name": "x",\n  oops}')
    with pytest.raises(errors.ManifestError) as caught:
        load(tmp_path)
    (problem,) = caught.value.problems
    assert problem.rule == "json" and "line 2" in problem.message


def test_wrong_types_are_a_manifest_error_listing_every_problem(tmp_path):
    manifest = json.loads((DATA / "plain_hook" / "manifest.json").read_text())
    manifest["formVariables"][0]["key"] = 7
    manifest["capabilities"]["auditLogEventsHook"]["endpoint"]["method"] = "SEND"
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(errors.ManifestError) as caught:
        load(tmp_path)
    found = {(p.pointer, p.rule) for p in caught.value.problems}
    assert ("/formVariables/0/key", "type") in found
    assert ("/capabilities/auditLogEventsHook/endpoint/method", "enum") in found
    assert caught.value.code == "INVALID_MANIFEST" and not caught.value.retryable


def test_a_missing_manifest_is_a_manifest_error(tmp_path):
    with pytest.raises(errors.ManifestError, match="no such file"):
        load(tmp_path)


def test_form_variables_become_typed_setting_declarations():
    arguments = setting_arguments({
        "key": "channel", "name": "Channel", "type": "enum", "description": "Where.",
        "allowedValues": ["ops", "dev"], "isOptional": True, "defaultValue": "ops",
        "isHidden": True})
    assert arguments == {
        "type": "enum", "name": "Channel", "description": "Where.", "required": False,
        "secret": False, "placeholder": None, "default": "ops", "allowed": ["ops", "dev"],
        "ui": {"formVariableType": "enum", "isHidden": True}}
    multiselect = setting_arguments({
        "key": "envs", "name": "Envs", "type": "multiselect", "description": "Which.",
        "multiselectOptions": [{"label": "Prod", "value": "production"}]})
    assert multiselect["type"] == "multiselect" and multiselect["allowed"] == ["production"]
    assert multiselect["required"] is True


def test_a_hand_written_integration_uses_the_same_declarations(tmp_path):
    Hook = (integration("Hand hook")
            .endpoint("https://hooks.example.test/hand", method="POST")
            .templates({})
            .header("X-Team", "core")
            .hmac("X-Signature", "signingKey"))
    with Sandbox() as sandbox:
        Hook({"signingKey": "hand-key-1"}).process(EVENT)
    (exchange,) = sandbox.exchanges
    assert exchange.request.headers["X-Team"] == "core"
    assert exchange.request.headers["X-Signature"] == hmac.new(
        b"hand-key-1", exchange.request.body, hashlib.sha256).hexdigest()
    assert Hook.implemented() == ["event"]


def test_an_unreadable_template_fails_the_declaration(tmp_path):
    with pytest.raises(errors.ConfigError, match="missing.json.hbs"):
        integration("Broken").endpoint("https://x.test").templates(
            {"flag": "missing.json.hbs"}, tmp_path)


FIXTURES = sorted((DATA / "signed_webhook" / "fixtures").glob("*.json"))


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_manifest_fixtures_run_through_the_generic_runner(path):
    from framework.testing.fixtures import load_fixture
    from framework.testing.runner import run_fixture

    run_fixture(load(DATA / "signed_webhook"), load_fixture(path))


def test_a_wrong_fixture_request_fails_the_runner(tmp_path):
    from framework.testing.fixtures import load_fixture
    from framework.testing.runner import run_fixture

    fixture = json.loads((DATA / "signed_webhook" / "fixtures" / "flag-production.json")
                         .read_text())
    fixture["request"]["body"]["flag"] = "another-flag"
    (tmp_path / "wrong.json").write_text(json.dumps(fixture))
    with pytest.raises(AssertionError):
        run_fixture(load(DATA / "signed_webhook"), load_fixture(tmp_path / "wrong.json"))


class TestSignedWebhookSuite(IntegrationSuite):
    integration = load(DATA / "signed_webhook")
    settings = {"url": "https://hooks.example.test/ld", "apiToken": "tok-1234",
                "signingSecret": "sign-5678"}
    fixtures = DATA / "signed_webhook" / "fixtures"


def test_the_suite_fails_a_manifest_that_does_not_validate(tmp_path):
    import shutil

    shutil.copytree(DATA / "plain_hook", tmp_path / "hook")
    manifest = json.loads((tmp_path / "hook" / "manifest.json").read_text())
    manifest["overview"] = "No period at the end"
    (tmp_path / "hook" / "manifest.json").write_text(json.dumps(manifest))

    class Broken(IntegrationSuite):
        integration = load(tmp_path / "hook")

    with pytest.raises(AssertionError, match=r"/overview: must end with a period"):
        Broken().test_manifest()


def test_loading_a_manifest_imports_neither_jsonschema_nor_the_template_engine():
    # A fresh interpreter is the subject: `framework list` loads every manifest integration.
    import subprocess
    import sys

    code = ("import sys; from framework.manifest import load; "
            f"load({str(DATA / 'signed_webhook')!r}); "
            "print(sorted(m for m in ('jsonschema', 'dotpromptz_handlebars', 'jsonpointer') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert (result.returncode, result.stdout) == (0, "[]\n"), result.stderr


def test_form_variables_are_typed_settings_checked_before_sending():
    Hook = load(DATA / "signed_webhook")
    properties = Hook.spec()["settings_schema"]["properties"]
    assert properties["apiToken"]["secret"] is True
    assert properties["channel"]["enum"] == ["ops", "dev"]
    assert properties["channel"]["default"] == "ops"
    flag = {"kind": "flag", "key": "f", "verbKind": "updateOn",
            "project": {"key": "p", "environment": {"key": "production"}}}
    with Sandbox() as sandbox, pytest.raises(errors.ValidationError) as caught:
        Hook({"url": "nope"}).process(flag)
    assert {p.pointer for p in caught.value.problems} == {"/url", "/apiToken", "/signingSecret"}
    assert sandbox.exchanges == []
    hook = Hook({"url": "https://x.test", "apiToken": "tok-1", "signingSecret": "sig-1"})
    assert hook.settings["channel"] == "ops"


def test_a_policy_setting_that_is_not_a_policy_is_a_validation_error():
    hook = load(DATA / "signed_webhook")({
        "url": "https://x.test", "apiToken": "tok-1", "signingSecret": "sig-1",
        "policy": [{"effect": "maybe", "resources": ["proj/*"]}]})
    flag = {"kind": "flag", "key": "f", "verbKind": "updateOn",
            "project": {"key": "p", "environment": {"key": "production"}}}
    with Sandbox() as sandbox, pytest.raises(errors.ValidationError, match='"policy"'):
        hook.process(flag)
    assert sandbox.exchanges == []


def test_the_typed_user_module_runs():
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "typing"))
    try:
        import manifest_user
    finally:
        sys.path.pop(0)
    assert manifest_user.problems() == []
    skipped = {"kind": "project", "key": "p", "verbKind": "updateName"}
    assert manifest_user.deliver(skipped) == -1
