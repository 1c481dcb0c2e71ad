"""FME impressions as Segment ``get_treatment`` track messages."""

import gzip
import importlib
import json

import pytest

from framework.runner import get_converter
from integrations.harness_fme import source
from integrations.harness_fme.source import convert_impressions, read_impressions

IMPRESSION = {"key": "user-1", "split": "new_checkout", "environmentId": "env-1",
              "environmentName": "Production", "treatment": "on", "time": 1580851834698,
              "bucketingKey": "bk-1", "label": "default rule", "machineName": "m",
              "machineIp": "10.0.0.1", "splitVersionNumber": 1580851834000,
              "sdk": "java", "sdkVersion": "4.0.0", "properties": None}


def convert(record, options=None):
    return list(convert_impressions([record], options))[0]


def test_an_impression_becomes_a_get_treatment_track():
    message = convert(IMPRESSION)
    assert message == {
        "type": "track", "event": "get_treatment", "userId": "user-1",
        "properties": {"split": "new_checkout", "treatment": "on", "label": "default rule",
                       "environmentName": "Production", "environmentId": "env-1",
                       "changeNumber": 1580851834000, "bucketingKey": "bk-1"},
        "timestamp": "2020-02-04T21:30:34.698Z",
        "messageId": message["messageId"],
        "context": {"library": {"name": "harness-fme-impressions", "version": "1"}},
    }


def test_the_message_id_is_stable_and_depends_on_the_impression():
    first = convert(IMPRESSION)["messageId"]
    assert convert(dict(IMPRESSION))["messageId"] == first
    assert convert(dict(IMPRESSION, machineName="other"))["messageId"] == first
    for field, value in [("key", "user-2"), ("split", "x"), ("environmentId", "env-2"),
                         ("treatment", "off"), ("time", 1), ("splitVersionNumber", 2)]:
        assert convert(dict(IMPRESSION, **{field: value}))["messageId"] != first, field
    assert len(first) == 36


def test_traffic_type_mapping_decides_user_or_anonymous_id():
    options = {"identities": {"user": "userId", "anonymous": "anonymousId"},
               "splitTrafficTypes": {"guest_banner": "anonymous"}}
    guest = convert(dict(IMPRESSION, split="guest_banner"), options)
    assert guest["anonymousId"] == "user-1" and "userId" not in guest
    assert convert(IMPRESSION, options)["userId"] == "user-1"
    own = convert(dict(IMPRESSION, trafficTypeName="anonymous"), options)
    assert own["anonymousId"] == "user-1"
    account = convert(dict(IMPRESSION, trafficTypeName="account"),
                      {"defaultIdentity": "anonymousId"})
    assert account["anonymousId"] == "user-1"
    assert convert(IMPRESSION, {"defaultTrafficType": "anonymous"})["anonymousId"] == "user-1"


def test_change_number_and_sdk_field_names():
    assert convert(dict(IMPRESSION, splitVersionNumber=None, changeNumber=7))[
        "properties"]["changeNumber"] == 7
    sdk = {"keyName": "k", "feature": "f", "treatment": "on", "time": 1000, "changeNumber": 3}
    message = convert(sdk)
    assert message["userId"] == "k" and message["properties"] == {
        "split": "f", "treatment": "on", "changeNumber": 3}
    assert message["timestamp"] == "1970-01-01T00:00:01.000Z"


def test_missing_fields_are_left_out_of_properties():
    minimal = {"key": 42, "split": "f", "treatment": "off", "time": 5}
    message = convert(minimal)
    assert message["userId"] == "42"
    assert message["properties"] == {"split": "f", "treatment": "off"}


@pytest.mark.parametrize("record, reason", [
    ({"split": "f", "treatment": "on", "time": 1}, 'non-empty string "key"'),
    ({"key": "k", "treatment": "on", "time": 1}, 'non-empty string "split"'),
    ({"key": "k", "split": "f", "time": 1}, 'non-empty string "treatment"'),
    ({"key": "k", "split": "f", "treatment": "on"}, 'numeric "time"'),
    ({"key": "k", "split": "f", "treatment": "on", "time": True}, 'numeric "time"'),
    ("not an object", "must be a JSON object"),
])
def test_bad_impressions_raise_a_value_error_naming_the_rule(record, reason):
    with pytest.raises(ValueError, match=reason):
        convert(record)


@pytest.mark.parametrize("options, reason", [
    ({"identities": {"user": "email"}}, 'must map to "userId" or "anonymousId"'),
    ({"defaultIdentity": "email"}, '"defaultIdentity" must be'),
    ({"splitTrafficTypes": []}, '"splitTrafficTypes" must be an object'),
    ({"traffic": {}}, "unknown impressions option"),
])
def test_bad_options_raise_before_any_record_is_read(options, reason):
    with pytest.raises(ValueError, match=reason):
        next(convert_impressions(iter([]), options), None)


def test_a_record_that_is_a_list_is_expanded():
    messages = list(convert_impressions([[IMPRESSION, dict(IMPRESSION, key="u2")]]))
    assert [m["userId"] for m in messages] == ["user-1", "u2"]


def test_read_impressions_plain_gzipped_and_single():
    raw = json.dumps([IMPRESSION]).encode()
    assert read_impressions(raw) == [IMPRESSION]
    assert read_impressions(gzip.compress(raw)) == [IMPRESSION]
    assert read_impressions(json.dumps(IMPRESSION).encode()) == [IMPRESSION]
    assert read_impressions(b"\xef\xbb\xbf" + raw) == [IMPRESSION]


@pytest.mark.parametrize("data, reason", [
    (b"\x1f\x8b not really gzip", "cannot be decompressed"),
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe", "not valid JSON"),
    (b"[1, 2]", "impression 0 must be a JSON object"),
])
def test_read_impressions_rejects_bad_data(data, reason):
    with pytest.raises(ValueError, match=reason):
        read_impressions(data)


def test_register_makes_it_a_runner_converter(monkeypatch):
    converters = importlib.import_module("framework.runner.converters")
    monkeypatch.setattr(converters, "_CONVERTERS", dict(converters._CONVERTERS))
    source.register()
    source.register()  # the same function again is fine
    assert get_converter("harness-fme-impressions") is convert_impressions
