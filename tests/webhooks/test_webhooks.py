"""Webhooks against ``responses``: fan-out, signatures, failures and cool-down."""

import hashlib
import hmac
import json

import pytest
import responses

from framework import errors
from integrations import load
from integrations.webhooks import Webhooks
from integrations.webhooks.hooks import CoolDown

HOOK = "https://hooks.test/a"
TRACK = {"type": "track", "event": "Signed Up", "userId": "u1", "timestamp": "2014",
         "properties": {"plan": "pro"}}


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


def test_load_finds_the_class_through_its_entry_point():
    assert load("webhooks") is Webhooks
    with pytest.raises(LookupError, match="no integration installed under the slug 'nope'"):
        load("nope")


def test_declaration():
    spec = Webhooks.spec()
    assert spec["name"] == "Webhooks" and spec["slug"] == "webhooks"
    assert sorted(spec["channels"]) == ["client", "mobile", "server"]
    assert spec["timeout"] == 5.0
    assert spec["methods"] == ["alias", "delete", "group", "identify", "page", "screen",
                               "track"]


@responses.activate
@pytest.mark.parametrize("message_type", ["identify", "track", "page", "screen", "group",
                                          "alias", "delete"])
def test_every_type_sends_the_message_json(message_type):
    responses.add(responses.POST, HOOK, body="not json at all")
    hooks, _ = make({"hooks": [HOOK]})
    message = dict(TRACK, type=message_type)
    assert [r.status_code for r in hooks.process(message)] == [200]
    sent = responses.calls[0].request
    assert sent.headers["Content-Type"] == "application/json"
    body = json.loads(sent.body)
    assert body["type"] == message_type
    assert body["timestamp"] == "2014-01-01T00:00:00.000Z"
    assert body["userId"] == "u1"


@responses.activate
def test_shared_secret_signs_the_exact_body_and_extra_headers_are_sent():
    responses.add(responses.POST, HOOK)
    hooks, _ = make({"hooks": [HOOK], "sharedSecret": "s3cret", "headers": {"X-Team": "cdp"}})
    hooks.process(TRACK)
    sent = responses.calls[0].request
    expected = hmac.new(b"s3cret", sent.body, hashlib.sha1).hexdigest()
    assert sent.headers["X-Signature"] == expected
    assert sent.headers["X-Team"] == "cdp"


@responses.activate
def test_no_signature_without_a_secret():
    responses.add(responses.POST, HOOK)
    make({"hooks": [HOOK], "sharedSecret": ""})[0].process(TRACK)
    assert "X-Signature" not in responses.calls[0].request.headers


@responses.activate
def test_legacy_global_hook():
    responses.add(responses.POST, HOOK)
    make({"globalHook": HOOK})[0].process(TRACK)
    assert responses.calls[0].request.url == HOOK


@responses.activate
def test_only_the_first_five_hooks_are_used():
    urls = [f"https://hooks.test/{i}" for i in range(7)]
    for url in urls:
        responses.add(responses.POST, url)
    assert len(make({"hooks": urls})[0].process(TRACK)) == 5
    assert [c.request.url for c in responses.calls] == urls[:5]


@responses.activate
def test_success_when_any_hook_accepts():
    responses.add(responses.POST, "https://hooks.test/ok", status=200)
    responses.add(responses.POST, "https://hooks.test/down", status=503)
    hooks, _ = make({"hooks": ["https://hooks.test/down", "https://hooks.test/ok"]})
    result = hooks.process(TRACK)
    assert [r.status_code for r in result] == [200]
    assert len(responses.calls) == 3  # the failing hook was retried once


@responses.activate
def test_failure_when_every_hook_fails_lists_each_and_is_retryable_if_any_is():
    responses.add(responses.POST, "https://hooks.test/gone", status=404)
    responses.add(responses.POST, "https://hooks.test/down", status=503)
    hooks, _ = make({"hooks": ["https://hooks.test/gone", "https://hooks.test/down"]})
    with pytest.raises(errors.RetryableError) as info:
        hooks.process(TRACK)
    assert "all 2 hooks failed" in str(info.value)
    assert "answered 404" in str(info.value) and "answered 503" in str(info.value)
    assert [e.status for e in info.value.errors] == [404, 503]


@responses.activate
def test_failure_when_every_hook_fails_permanently_is_not_retryable():
    responses.add(responses.POST, "https://hooks.test/a", status=404)
    responses.add(responses.POST, "https://hooks.test/b", status=410)
    hooks, _ = make({"hooks": ["https://hooks.test/a", "https://hooks.test/b"]})
    with pytest.raises(errors.HTTPError) as info:
        hooks.process(TRACK)
    assert not info.value.retryable


@responses.activate
def test_a_single_failing_hook_raises_its_own_error():
    responses.add(responses.POST, HOOK, status=503)
    hooks, clock = make({"hooks": [HOOK]})
    with pytest.raises(errors.HTTPError) as info:
        hooks.process(TRACK)
    assert info.value.status == 503 and info.value.retryable
    assert len(responses.calls) == 2 and len(clock.sleeps) == 1


@pytest.mark.parametrize("settings, match", [
    ({}, 'needs at least one URL'),
    ({"hooks": []}, 'needs at least one URL'),
    ({"hooks": [""]}, "item 0 must be a non-empty http"),
    ({"hooks": [HOOK, "aaa"]}, "item 1 must be an http\\(s\\) URL, got 'aaa'"),
    ({"hooks": ["ftp://x.test/a"]}, "must be an http"),
    ({"hooks": [True]}, "item 0 must be a non-empty"),
    ({"globalHook": ""}, "item 0 must be a non-empty"),
    ({"globalHook": "aaa"}, "got 'aaa'"),
    ({"hooks": "https://x.test"}, None),
    ({"hooks": [HOOK], "headers": "X-A: 1"}, '"headers" must be an object'),
    ({"hooks": [HOOK], "sharedSecret": 5}, '"sharedSecret" must be a string'),
])
@responses.activate
def test_bad_settings_fail_before_any_request(settings, match):
    responses.add(responses.POST, "https://x.test")
    hooks, _ = make(settings)
    if match is None:
        hooks.process(TRACK)
        return
    with pytest.raises(errors.ValidationError, match=match):
        hooks.process(TRACK)
    assert len(responses.calls) == 0


def test_cool_down_after_25_consecutive_failures():
    clock = Clock()
    cool = CoolDown(clock=clock)
    for _ in range(24):
        cool.failed(HOOK)
        clock.now += 1
    assert cool.remaining(HOOK) == 0
    cool.failed(HOOK)
    assert cool.remaining(HOOK) == 180.0
    clock.now += 100
    assert cool.remaining(HOOK) == 80.0
    clock.now += 80
    assert cool.remaining(HOOK) == 0


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


@responses.activate
def test_cooling_hooks_are_skipped_and_all_cooling_asks_for_a_retry_later():
    responses.add(responses.POST, "https://hooks.test/bad", status=500)
    responses.add(responses.POST, "https://hooks.test/good", status=200)
    hooks, clock = make({"hooks": ["https://hooks.test/bad", "https://hooks.test/good"]})
    for _ in range(25):
        hooks.process(TRACK)
    before = len(responses.calls)
    hooks.process(TRACK)
    assert [c.request.url for c in responses.calls[before:]] == ["https://hooks.test/good"]

    lonely, clock = make({"hooks": ["https://hooks.test/bad"]})
    for _ in range(25):
        with pytest.raises(errors.HTTPError):
            lonely.process(TRACK)
    clock.now += 30
    before = len(responses.calls)
    with pytest.raises(errors.RetryableError) as info:
        lonely.process(TRACK)
    assert len(responses.calls) == before
    assert info.value.retry_after == pytest.approx(150.0)
    assert "cooling down" in str(info.value)


@responses.activate
def test_the_response_body_is_never_parsed():
    responses.add(responses.POST, HOOK, body=b"\xff\xfe{{{", content_type="application/json")
    assert make({"hooks": [HOOK]})[0].process(TRACK)[0].status_code == 200
