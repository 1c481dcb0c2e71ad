"""FME impressions -> Segment destination -> a fake Segment API of ours on 127.0.0.1."""

import gzip
import importlib
import json

import pytest
import requests

from fake_segment_api import FakeSegmentAPI
from framework import errors
from framework.runner import InputReader
from integrations.harness_fme.source import convert_impressions, read_impressions
from integrations.segment import Segment

WRITE_KEY = "wk-roundtrip-1"
OPTIONS = {"identities": {"user": "userId", "anonymous": "anonymousId"},
           "splitTrafficTypes": {"guest_banner": "anonymous"}}


def impressions(n, offset=0):
    return [{"key": f"key-{i}", "split": "guest_banner" if i % 3 == 0 else "new_checkout",
             "environmentId": "env-1", "environmentName": "Production",
             "treatment": "on" if i % 2 else "off", "time": 1700000000000 + i,
             "bucketingKey": None, "label": "default rule", "machineName": "host",
             "machineIp": "10.0.0.1", "splitVersionNumber": 1699999999000, "sdk": "python",
             "sdkVersion": "10.0.0"} for i in range(offset, offset + n)]


def without_sent_at(message):
    return {k: v for k, v in message.items() if k != "sentAt"}


def test_impressions_round_trip_and_resending_does_not_duplicate():
    body = gzip.compress(json.dumps(impressions(7)).encode())
    converted = list(convert_impressions(read_impressions(body), OPTIONS))
    with FakeSegmentAPI(WRITE_KEY) as api:
        segment = Segment({"writeKey": WRITE_KEY, "endpoint": api.url})
        outcomes = segment.process_batch(converted)
        assert all(o[0].status_code == 200 for o in outcomes)
        assert len(api.requests) == 1 and not api.violations
        received = [without_sent_at(api.messages[m["messageId"]]) for m in converted]
        assert received == converted
        assert received[0]["anonymousId"] == "key-0" and "userId" not in received[0]
        assert received[1]["userId"] == "key-1"
        assert all(m["sentAt"].endswith("Z") for m in api.messages.values())
        again = list(convert_impressions(read_impressions(body), OPTIONS))
        segment.process_batch(again)
        assert len(api.requests) == 2
        assert len(api.messages) == 7


def test_large_volumes_are_split_within_the_limits():
    converted = list(convert_impressions(impressions(3000), OPTIONS))
    with FakeSegmentAPI(WRITE_KEY) as api:
        outcomes = Segment({"writeKey": WRITE_KEY, "endpoint": api.url}).process_batch(converted)
        assert all(not isinstance(o, errors.IntegrationError) for o in outcomes)
        assert not api.violations
        assert len(api.requests) >= 2
        assert all(r["bytes"] <= 500 * 1024 for r in api.requests)
        assert len(api.messages) == 3000


def test_big_messages_are_split_by_bytes_and_oversized_ones_rejected():
    messages = [{"type": "track", "event": "e", "userId": f"u{i}", "messageId": f"m{i}",
                 "properties": {"blob": "x" * 30000}} for i in range(40)]
    messages.append({"type": "track", "event": "e", "userId": "big", "messageId": "big",
                     "properties": {"blob": "x" * 40000}})
    with FakeSegmentAPI(WRITE_KEY) as api:
        outcomes = Segment({"writeKey": WRITE_KEY, "endpoint": api.url}).process_batch(messages)
        assert not api.violations
        assert len(api.requests) == 3
        assert len(api.messages) == 40
        assert isinstance(outcomes[-1], errors.RejectedError)
        assert "at most 32768 bytes" in str(outcomes[-1])


def test_the_fake_enforces_auth_and_limits():
    with FakeSegmentAPI(WRITE_KEY) as api:
        wrong = Segment({"writeKey": "wrong-key", "endpoint": api.url})
        with pytest.raises(errors.HTTPError) as caught:
            wrong.process({"type": "track", "event": "e", "userId": "u"})
        assert caught.value.status == 401 and not caught.value.retryable
        too_big = {"batch": [{"type": "track", "messageId": "m", "sentAt": "x",
                              "properties": {"b": "x" * 33000}}]}
        answer = requests.post(api.url + "/v1/batch", json=too_big, auth=(WRITE_KEY, ""))
        assert answer.status_code == 400
        many = {"batch": [{"type": "track", "messageId": str(i), "sentAt": "x"}
                          for i in range(2501)]}
        assert requests.post(api.url + "/v1/batch", json=many,
                             auth=(WRITE_KEY, "")).status_code == 400
        assert api.violations == ["bad write key", "message of 33067 bytes",
                                  "batch of 2501 messages"]


def test_the_runner_reads_impressions_with_the_converter(tmp_path, monkeypatch):
    converters = importlib.import_module("framework.runner.converters")
    from integrations.harness_fme import source
    monkeypatch.setattr(converters, "_CONVERTERS", dict(converters._CONVERTERS))
    source.register()
    path = tmp_path / "impressions.json"
    path.write_text(json.dumps(impressions(5)) + "\n")
    reader = InputReader(str(path), converter="harness-fme-impressions")
    messages = [message for _, message in reader]
    assert [m["event"] for m in messages] == ["get_treatment"] * 5
    with FakeSegmentAPI(WRITE_KEY) as api:
        Segment({"writeKey": WRITE_KEY, "endpoint": api.url}).process_batch(messages)
        assert {m["messageId"] for m in messages} == set(api.messages)
