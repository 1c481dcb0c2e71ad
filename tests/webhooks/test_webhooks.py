"""Webhooks on the tester: fan-out, signatures, failures and cool-down.

Every fixture in tests/fixtures/webhooks/ also runs on its own through the pytest plugin.
"""

import hashlib
import hmac
import re

import pytest

from framework import errors
from framework.testing import IntegrationSuite, IntegrationTester
from integrations import load
from integrations.webhooks import Webhooks
from integrations.webhooks.hooks import CoolDown

HOOK = "https://hooks.test/a"
TRACK = {"type": "track", "event": "Signed Up", "userId": "u1", "timestamp": "2014",
         "properties": {"plan": "pro"}}
TYPES = ["identify", "track", "page", "screen", "group", "alias", "delete"]


class Clock:
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)


def make(settings):
    clock = Clock()
    return Webhooks(settings, clock=clock, sleep=clock.sleep), clock


class TestWebhooksStandardSuite(IntegrationSuite):
    integration = Webhooks
    settings = {"hooks": [HOOK], "sharedSecret": "suite-shared-secret",
                "headers": {"X-Team": "cdp"}}


def test_a_secret_header_never_shows(request, caplog):
    class Nested(TestWebhooksStandardSuite):
        settings = {"hooks": [HOOK], "headers": {"Authorization": "Bearer nested-secret"}}

    Nested().test_no_secret_leaks(request, caplog)


def test_load_finds_the_class_through_its_entry_point():
    assert load("webhooks") is Webhooks
    with pytest.raises(LookupError, match="no integration installed under the slug 'nope'"):
        load("nope")


def test_declaration():
    (IntegrationTester(Webhooks)
        .name("Webhooks")
        .channels(["server", "mobile", "client"])
        .timeout("5s")
        .retries(1)
        .setting("hooks", type="array", required=False)
        .setting("globalHook", type="uri")
        .setting("headers", type="object")
        .setting("sharedSecret", type="string", secret=True))
    spec = Webhooks.spec()
    assert spec["settings_rules"] == ["has_a_hook"]
    assert spec["slug"] == "webhooks"
    assert spec["methods"] == ["alias", "delete", "group", "identify", "page", "screen",
                               "track"]


@pytest.mark.parametrize("message_type", TYPES)
def test_every_type_maps_to_the_message_json(integration_tester, message_type):
    integration_tester(Webhooks, {"hooks": [HOOK]}).maps(f"{message_type}-basic")


@pytest.mark.parametrize("message_type", TYPES)
def test_every_type_sends_the_message_json(message_type):
    tester = IntegrationTester(Webhooks, {"hooks": [HOOK]})
    responses = (tester.replies(200, "not json at all")
                 .message(dict(TRACK, type=message_type))
                 .requests(1)
                 .method("POST").url(HOOK)
                 .sends("Content-Type", "application/json")
                 .sends(dict(TRACK, type=message_type, timestamp="2014-01-01T00:00:00.000Z"))
                 .sends_almost({"type": message_type, "userId": "u1"},
                               ignored=["event", "properties", "timestamp"])
                 .expects(200)
                 .expects("not json at all")
                 .end())
    assert [r.status_code for r in responses] == [200]


def test_shared_secret_signs_the_exact_body_and_extra_headers_are_sent():
    tester = IntegrationTester(Webhooks, {"hooks": [HOOK], "sharedSecret": "s3cret",
                                          "headers": {"X-Team": "cdp"}})
    (tester.track(TRACK)
        .sends("X-Signature", re.compile(r"^[0-9a-f]{40}$"))
        .sends("X-Team", "cdp")
        .end())
    sent = tester.last.exchanges[0]
    assert sent.request.headers["X-Signature"] == \
        hmac.new(b"s3cret", sent.body, hashlib.sha1).hexdigest()


def test_no_signature_without_a_secret():
    (IntegrationTester(Webhooks, {"hooks": [HOOK], "sharedSecret": ""})
        .track(TRACK).sends("X-Signature", None).end())


def test_legacy_global_hook():
    IntegrationTester(Webhooks, {"globalHook": HOOK}).track(TRACK).requests(1).url(HOOK).end()


def test_only_the_first_five_hooks_are_used():
    urls = [f"https://hooks.test/{i}" for i in range(7)]
    tester = IntegrationTester(Webhooks, {"hooks": urls}).track(TRACK).requests(5)
    for index, url in enumerate(urls[:5]):
        tester.request(index).url(url).expects(200)
    assert len(tester.end()) == 5


def test_success_when_any_hook_accepts():
    tester = IntegrationTester(Webhooks, {"hooks": ["https://hooks.test/down",
                                                    "https://hooks.test/ok"]})
    result = (tester.track(TRACK)
              .replies(503, times=2)  # the failing hook is retried once
              .requests(3)
              .request(0).url("https://hooks.test/down").expects(503)
              .request(1).url("https://hooks.test/down").expects(503)
              .request(2).url("https://hooks.test/ok").expects(200)
              .end())
    assert [r.status_code for r in result] == [200]


def test_failure_when_every_hook_fails_lists_each_and_is_retryable_if_any_is():
    tester = IntegrationTester(Webhooks, {"hooks": ["https://hooks.test/gone",
                                                    "https://hooks.test/down"]})
    error = (tester.track(TRACK).replies(404).replies(503, times=2)
             .request(0).url("https://hooks.test/gone").expects(404)
             .error(message="all 2 hooks failed"))
    assert isinstance(error, errors.RetryableError)
    assert "answered 404" in str(error) and "answered 503" in str(error)
    assert [e.status for e in error.errors] == [404, 503]


def test_failure_when_every_hook_fails_permanently_is_not_retryable():
    tester = IntegrationTester(Webhooks, {"hooks": ["https://hooks.test/a",
                                                    "https://hooks.test/b"]})
    error = tester.track(TRACK).replies(404).replies(410).requests(2).error()
    assert isinstance(error, errors.HTTPError)
    assert not error.retryable


def test_a_single_failing_hook_raises_its_own_error():
    tester = IntegrationTester(Webhooks, {"hooks": [HOOK]})
    error = tester.track(TRACK).replies(503, times=None).requests(2).error(503, code="HTTP_ERROR")
    assert isinstance(error, errors.HTTPError) and error.retryable
    assert len(tester.last.sleeps) == 1


@pytest.mark.parametrize("settings, match", [
    ({}, 'setting "hooks" needs at least one URL \\(or the legacy "globalHook"\\)'),
    ({"hooks": []}, 'needs at least one URL'),
    ({"hooks": [""]}, 'setting "hooks" item 0 must be an absolute http\\(s\\) URL, got ""'),
    ({"hooks": [HOOK, "aaa"]}, 'item 1 must be an absolute http\\(s\\) URL, got "aaa"'),
    ({"hooks": ["ftp://x.test/a"]}, "must be an absolute http"),
    ({"hooks": [True]}, 'setting "hooks" item 0 must be a string, got true'),
    ({"globalHook": ""}, 'setting "hooks" needs at least one URL'),  # blank: not set
    ({"globalHook": "aaa"}, 'got "aaa"'),
    ({"hooks": "https://x.test"}, None),
    ({"hooks": "aaa"}, 'setting "hooks" must be an absolute http'),
    ({"hooks": 5}, 'setting "hooks" must be a list or a string, got 5'),
    ({"hooks": [HOOK], "headers": "X-A: 1"}, 'setting "headers" must be an object'),
    ({"hooks": [HOOK], "headers": {"X-A": 1}}, 'setting "headers.X-A" must be a string, got 1'),
    ({"hooks": [HOOK], "sharedSecret": 5},
     'setting "sharedSecret" must be a string, got \\[REDACTED\\]'),
])
def test_bad_settings_fail_before_any_request(settings, match):
    tester = IntegrationTester(Webhooks, settings)
    if match is None:
        tester.valid(TRACK)
        tester.track(TRACK).requests(1).end()
        return
    error = tester.invalid(TRACK, match=match).validation_error
    assert isinstance(error, errors.ValidationError)
    tester.track(TRACK).requests(0).error(code="INVALID_SETTINGS", message=re.compile(match))


def test_valid_and_invalid_use_the_given_settings_not_the_testers():
    tester = IntegrationTester(Webhooks, {"hooks": [HOOK]})
    tester.valid({}).invalid({}, {"globalHook": True})
    tester.invalid({}, {"globalHook": ""})
    tester.invalid({}, {"globalHook": "aaa"})
    tester.invalid({}, {})


def test_cool_down_opens_after_25_consecutive_failures_and_probes_every_2_s():
    clock = Clock()
    cool = CoolDown(clock=clock)
    for _ in range(24):
        cool.failed(HOOK)
        clock.now += 1
    assert cool.acquire(HOOK) == 0
    cool.failed(HOOK)
    assert cool.remaining(HOOK) == 2.0 and cool.acquire(HOOK) == 2.0
    clock.now += 2
    assert cool.acquire(HOOK) == 0  # the half-open probe
    assert cool.acquire(HOOK) == 2.0  # one probe at a time; ask again in a probe interval
    cool.failed(HOOK)  # the probe failed: the next one in 2 s
    assert cool.acquire(HOOK) == 2.0
    clock.now += 2
    assert cool.acquire(HOOK) == 0
    cool.succeeded(HOOK)  # the probe got through: closed at once
    assert cool.acquire(HOOK) == 0 and cool.acquire(HOOK) == 0


def test_cool_down_resets_on_success_and_on_old_failures():
    clock = Clock()
    cool = CoolDown(clock=clock)
    for _ in range(24):
        cool.failed(HOOK)
    cool.succeeded(HOOK)
    cool.failed(HOOK)
    assert cool.remaining(HOOK) == 0
    for _ in range(23):
        cool.failed(HOOK)
    clock.now += 181
    cool.failed(HOOK)
    assert cool.remaining(HOOK) == 0
    for _ in range(25):
        cool.failed(HOOK)
    clock.now += 181  # an open circuit whose last failure is older than the window closes
    assert cool.acquire(HOOK) == 0 and cool.acquire(HOOK) == 0


def test_cooling_hooks_are_skipped_and_all_cooling_asks_for_a_retry_later():
    hooks, _ = make({"hooks": ["https://hooks.test/bad", "https://hooks.test/good"]})
    tester = IntegrationTester(hooks)  # the instance keeps its cool-down between runs
    for _ in range(25):
        tester.track(TRACK).replies(500, times=2).requests(3).end()
    tester.track(TRACK).requests(1).url("https://hooks.test/good").end()

    lonely, clock = make({"hooks": ["https://hooks.test/bad"]})
    tester = IntegrationTester(lonely)
    for _ in range(25):
        tester.track(TRACK).replies(500, times=None).error(500)
    clock.now += 1
    error = tester.track(TRACK).requests(0).error(message="cooling down")
    assert isinstance(error, errors.CircuitOpenError) and error.retryable
    assert error.retry_after == pytest.approx(1.0)
    clock.now += 1  # the probe goes out, and the hook is back
    tester.track(TRACK).requests(1).end()
    tester.track(TRACK).requests(1).end()


@pytest.mark.parametrize("status", [400, 401, 404, 413])
def test_4xx_answers_never_cool_a_hook_down(status):
    lonely, _ = make({"hooks": ["https://hooks.test/picky"]})
    tester = IntegrationTester(lonely)
    for _ in range(60):
        error = tester.track(TRACK).replies(status).requests(1).error(status)
        assert isinstance(error, errors.HTTPError) and not error.retryable
    assert lonely.cool_down.acquire("https://hooks.test/picky") == 0


def test_the_response_body_is_never_parsed():
    responses = (IntegrationTester(Webhooks, {"hooks": [HOOK]})
                 .replies(200, b"\xff\xfe{{{", {"Content-Type": "application/json"})
                 .track(TRACK).end())
    assert responses[0].status_code == 200
