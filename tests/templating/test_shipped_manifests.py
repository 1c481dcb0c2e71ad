"""The manifest integrations we ship: they load, their templates render strictly against the
sample events, their fixtures replay, and the values that matter are checked independently."""

import base64
import copy
import hashlib
import hmac
import json
from pathlib import Path

import pytest

from framework import errors
from framework.manifest import load, parse_synced_segment
from framework.policy import Policy
from framework.samples.audit_log import sample_event, sample_names
from framework.templating import render
from framework.testing.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
HOOKS = ("audit_log_webhook", "chat_card", "change_events_api", "release_timeline")
ALL = HOOKS + ("alert_relay", "audience_sync")


def manifest(slug):
    return json.loads((ROOT / "integrations" / slug / "manifest.json").read_text())


def send(slug, settings, event):
    """The requests the integration makes for ``event`` (or the error it raises)."""
    integration = load(ROOT / "integrations" / slug, key=slug)(copy.deepcopy(settings))
    with Sandbox() as sandbox:
        integration.process(copy.deepcopy(event))
    return sandbox.exchanges


@pytest.mark.parametrize("slug", ALL)
def test_each_manifest_loads_with_its_assets_and_readme(slug):
    integration = load(ROOT / "integrations" / slug, key=slug)
    assert integration.slug() == slug
    document = manifest(slug)
    assert document["overview"].endswith(".")
    for icon in document["icons"].values():
        assert (ROOT / "integrations" / slug / icon).read_text().startswith("<svg")
    assert (ROOT / "integrations" / slug / "README.md").read_text().startswith("# ")


def _templates():
    for slug in HOOKS:
        for kind, path in manifest(slug)["capabilities"]["auditLogEventsHook"]["templates"].items():
            yield slug, kind, path


@pytest.mark.parametrize("slug, kind, path", list(_templates()))
def test_templates_render_strictly_to_json_against_every_sample(slug, kind, path):
    source = (ROOT / "integrations" / slug / path).read_text()
    settings = {v["key"]: v.get("defaultValue", v["key"]) for v in manifest(slug)["formVariables"]}
    for name in sample_names():
        event = sample_event(name)
        if kind not in ("default", "validation") and event["kind"] != kind:
            continue
        text = render(source, {**event, "formVariables": settings}, filename=path, strict=True)
        json.loads(text)


FIXTURES = sorted((ROOT / "tests" / "fixtures").glob("[a-z]*_*/*.json"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_replays(path):
    # Replays the fixture through the integration the way the fixture runner does, until the
    # runner accepts audit-log events (input.kind) itself.
    fixture = json.loads(path.read_text())
    slug = path.parent.name
    expected = fixture.get("request", fixture.get("requests", []))
    expected = expected if isinstance(expected, list) else [expected]
    try:
        exchanges = send(slug, fixture.get("settings", {}), fixture["input"])
    except errors.IntegrationError as exc:
        assert "error" in fixture, f"unexpected {exc!r}"
        assert exc.code == fixture["error"]["code"]
        assert expected == []
        return
    assert "error" not in fixture
    assert len(exchanges) == len(expected)
    for exchange, want in zip(exchanges, expected):
        assert (exchange.method, exchange.url) == (want["method"], want["url"])
        for name, value in want.get("headers", {}).items():
            assert exchange.request.headers[name] == value
        assert json.loads(exchange.request.body) == want["body"]


def test_webhook_sends_the_entry_itself_signed_over_the_exact_bytes():
    settings = {"url": "https://hooks.example.com/in", "signingSecret": "whsec-1"}
    event = sample_event("flag/targeting-rule-update")
    (exchange,) = send("audit_log_webhook", settings, event)
    body = exchange.request.body
    assert json.loads(body) == event
    assert exchange.request.headers["X-Audit-Signature"] == \
        hmac.new(b"whsec-1", body, hashlib.sha256).hexdigest()


def test_webhook_policy_denies_flags_tagged_no_webhook():
    event = sample_event("flag/toggle")
    event["tags"].append("no-webhook")
    with pytest.raises(errors.Skipped, match="denied by policy statement 1"):
        send("audit_log_webhook", {"url": "https://h.example", "signingSecret": "s-123"}, event)


def test_chat_card_says_all_environments_for_the_tilde_environment():
    settings = {"webhookUrl": "https://chat.example.com/hooks/x"}
    (exchange,) = send("chat_card", settings, sample_event("flag/update-all-environments"))
    card = json.loads(exchange.request.body)
    assert {"name": "Environment", "value": "All environments"} in card["fields"]
    assert card["title"].startswith("[Ada Okafor](mailto:ada.okafor@example.com) updated")
    (exchange,) = send("chat_card", settings, sample_event("flag/targeting-rule-update"))
    card = json.loads(exchange.request.body)
    assert {"name": "Environment", "value": "Production"} in card["fields"]
    assert card["comment"] == sample_event("flag/targeting-rule-update")["comment"]


def test_events_api_basic_auth_and_timestamps():
    settings = {"apiUser": "ld-events", "apiKey": "evk_1"}
    event = sample_event("flag/toggle")  # 1764587020555 ms = 2025-12-01T11:03:40.555Z
    (exchange,) = send("change_events_api", settings, event)
    assert exchange.url == "https://api.observability.example/us/v2/events"
    assert exchange.request.headers["Authorization"] == \
        "Basic " + base64.b64encode(b"ld-events:evk_1").decode()
    body = json.loads(exchange.request.body)
    assert body["date_happened"] == 1764587021            # .555 s rounds up
    assert body["display_time"] == "2025-12-01 11:03:40 UTC"
    assert body["aggregation_window_end"] == 1764587021 + 3600
    assert body["expires_at"] == "2025-12-02T11:03:40.555Z"
    assert "flag_tag:payments" in body["tags"] and "project_tag:web" in body["tags"]


def test_release_timeline_encodes_the_url():
    settings = {"baseUrl": "https://tl.example.com", "application": "Web & mobile/EU",
                "accessToken": "t-1"}
    (exchange,) = send("release_timeline", settings, sample_event("flag/targeting-rule-update"))
    assert exchange.url.startswith(
        "https://tl.example.com/api/applications/Web%20&%20mobile/EU/markers?flag=express-checkout"
        "&env=production&summary=Ada%20Okafor%20updated%20the%20flag%20Express%20checkout%20in%20"
        "'Production'")


def test_alert_relay_parser_points_into_a_sample_alert():
    trigger = manifest("alert_relay")["capabilities"]["trigger"]
    alert = {"alert": {"title": "[TEST] checkout p99 latency", "metric": {"value": 2.4},
                       "links": {"dashboard": "https://monitor.example.com/d/42"}}}
    jsonpointer = pytest.importorskip("jsonpointer")
    found = {key: jsonpointer.resolve_pointer(alert, pointer)
             for key, pointer in trigger["parser"].items()}
    assert found == {"eventName": "[TEST] checkout p99 latency", "value": 2.4,
                     "url": "https://monitor.example.com/d/42"}
    import re

    assert re.search(trigger["testEventNameRegexp"], found["eventName"])
    assert not re.search(trigger["testEventNameRegexp"], "checkout p99 latency [TEST]")


AUDIENCE_UPDATE = {
    "destination": {"environmentId": "env-5f1c", "contextKind": "user"},
    "audience": {"id": "aud-991", "name": "Frequent buyers",
                 "url": "https://cdp.example.com/audiences/aud-991"},
    "changes": {"joined": [{"contextKey": "shopper-1"}, {"contextKey": "shopper-2"}],
                "left": [{"contextKey": "shopper-9"}]},
}


def test_audience_sync_parses_joined_and_left():
    parser = manifest("audience_sync")["capabilities"]["syncedSegment"]["requestParser"]
    parsed = parse_synced_segment(parser, AUDIENCE_UPDATE)
    data = parsed if isinstance(parsed, dict) else vars(parsed)
    assert data["environmentId"] == "env-5f1c" and data["contextKind"] == "user"
    batch = [b if isinstance(b, dict) else vars(b) for b in data["batch"]]
    assert [(b["userId"], b["value"]) for b in batch] == [
        ("shopper-1", True), ("shopper-2", True), ("shopper-9", False)]
    assert {b["cohortId"] for b in batch} == {"aud-991"}


@pytest.mark.parametrize("error, expected", [
    ("", {"ok": True}),
    ('could not find path "/audience/id"', {"ok": False, "error": {
        "status": 400, "message": 'could not find path "/audience/id"'}}),
])
def test_audience_sync_response_body_is_json(error, expected):
    template = manifest("audience_sync")["capabilities"]["syncedSegment"]["jsonResponseBody"]
    context = {"requestBody": AUDIENCE_UPDATE, "statusCode": 400 if error else 200,
               "errorMessage": error.replace('"', '\\"'), "projectKey": "default",
               "environmentKey": "production", "segmentKey": "audience_sync-aud-991",
               "segmentUrl": "https://app.launchdarkly.com/default/production/segments/x"}
    body = json.loads(render(template, context, strict=False))
    assert body["audience"] == "aud-991" and body["segment"] == "audience_sync-aud-991"
    assert {k: body[k] for k in expected} == expected


def test_the_default_policies_parse():
    for slug in HOOKS:
        hook = manifest(slug)["capabilities"]["auditLogEventsHook"]
        Policy.from_statements(hook["defaultPolicy"])
