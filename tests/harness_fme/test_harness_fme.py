"""Harness FME against ``responses``: declaration, logging, batching, retries and failures."""

import json
import logging

import pytest
import responses

from framework import errors
from integrations import load
from integrations.harness_fme import HarnessFME, mapper
from integrations.harness_fme.bulk import MAX_BYTES, MAX_RECORDS, pack
from integrations.harness_fme.records import properties
from integrations.harness_fme.settings import DEFAULTS, with_defaults

BULK = "https://events.split.io/api/events/bulk"
API = "https://api.split.io/internal/api/v2"
SETTINGS = {"apiKey": "sdk-key-1234", "adminApiKey": "admin-key-5678",
            "environment": "Production", "environmentId": "env-123",
            "identityMappings": [{"segmentIdentity": "userId", "trafficType": "user"},
                                 {"segmentIdentity": "anonymousId", "trafficType": "anonymous"}]}
TS = "2024-03-01T12:00:00.000Z"


def track(event="Signed Up", **extra):
    message = {"type": "track", "event": event, "userId": "u1", "timestamp": TS}
    message.update(extra)
    return message


def make(**settings):
    sleeps = []
    fme = HarnessFME(dict(SETTINGS, **settings), clock=lambda: 1000.0, sleep=sleeps.append)
    return fme, sleeps


def bodies():
    return [json.loads(call.request.body) for call in responses.calls]


def test_found_through_its_entry_point_and_declared():
    assert load("harness-fme") is HarnessFME
    spec = HarnessFME.spec()
    assert spec["name"] == "Harness FME" and spec["slug"] == "harness-fme"
    assert spec["methods"] == ["group", "identify", "page", "screen", "track"]
    assert spec["batch"]["methods"] == ["track", "page", "screen"]
    assert spec["batch"]["implemented"] is True
    assert spec["retries"] == 2


def test_defaults_live_in_one_place_and_do_not_mutate():
    given = {"environment": "Prod", "valuePath": None}
    resolved = with_defaults(given)
    assert given == {"environment": "Prod", "valuePath": None}
    assert resolved["environmentId"] == "Prod"
    assert resolved["screenEventFormat"] == DEFAULTS["screenEventFormat"] == \
        "viewed_{name}_screen"
    assert with_defaults({"environment": "P", "environmentId": "E"})["environmentId"] == "E"


def test_mapper_is_pure_and_callable_with_raw_settings():
    import facade
    msg = facade.create(track())
    first = mapper.track(msg, SETTINGS)
    assert first == mapper.track(msg, SETTINGS)
    assert first["records"][0]["timestamp"] == 1709294400000


@responses.activate
def test_invalid_trait_names_are_left_out_and_logged(caplog):
    responses.add(responses.PATCH, f"{API}/trafficTypes/user/environments/env-123/identities/u1")
    fme, _ = make()
    with caplog.at_level(logging.WARNING, logger="framework.integrations.harness-fme"):
        fme.process({"type": "identify", "userId": "u1",
                     "traits": {"ok": 1, "bad name": 2, "9lives": 3}})
    assert bodies() == [{"key": "u1", "values": {"ok": "1"}}]
    logged = [r.getMessage() for r in caplog.records]
    assert any('"bad name" left out' in line for line in logged)
    assert any('"9lives" left out' in line for line in logged)
    assert all(r.levelno == logging.WARNING for r in caplog.records)


def test_nothing_sent_reasons_are_logged(caplog):
    fme, _ = make(enableTrack=False)
    with caplog.at_level(logging.INFO, logger="framework.integrations.harness-fme"):
        with responses.RequestsMock() as mock:
            assert fme.process(track()) == []
            assert not mock.calls
    assert "nothing sent: enableTrack is off" in caplog.text


@responses.activate
def test_batch_packs_many_messages_into_one_request():
    responses.add(responses.POST, BULK, status=202)
    fme, _ = make()
    messages = [track(f"event_{i}", anonymousId=f"a{i}") for i in range(10)]
    outcomes = fme.process_batch(messages)
    assert len(responses.calls) == 1
    assert len(bodies()[0]) == 20
    assert all(len(o) == 1 and o[0].status_code == 202 for o in outcomes)
    assert outcomes[0][0] is outcomes[9][0]
    sent = responses.calls[0].request
    assert sent.headers["Authorization"] == "Bearer sdk-key-1234"
    assert sent.headers["Content-Type"] == "application/json"


@responses.activate
def test_batch_outcomes_are_aligned_with_rejections_and_empty_items():
    responses.add(responses.POST, BULK, status=202)
    responses.add(responses.PATCH, f"{API}/trafficTypes/user/environments/env-123/identities/u1")
    fme, _ = make()
    outcomes = fme.process_batch([
        track("ok"),
        track("bad id!"),
        {"type": "page", "userId": "u1", "timestamp": TS},
        {"type": "identify", "userId": "u1", "traits": {"a": "b"}},
        {"type": "alias", "userId": "u1", "previousId": "x"},
        track("also ok"),
    ])
    assert len(outcomes[0]) == 1 and outcomes[0][0].status_code == 202
    assert isinstance(outcomes[1], errors.RejectedError) and '"bad_id!"' in str(outcomes[1])
    assert outcomes[2] == []
    assert outcomes[3][0].status_code == 200
    assert isinstance(outcomes[4], errors.NotSupported)
    assert outcomes[5][0] is outcomes[0][0]
    posted = [c for c in responses.calls if c.request.method == "POST"]
    assert len(posted) == 1
    assert [r["eventTypeId"] for r in json.loads(posted[0].request.body)] == ["ok", "also_ok"]


@responses.activate
def test_batch_splits_at_1000_records_keeping_a_message_together():
    responses.add(responses.POST, BULK, status=202)
    fme, _ = make()
    # 2 records per message: 600 messages -> 1,200 records -> two requests (1,000 + 200)
    messages = [track("e", anonymousId=f"a{i}", userId=f"u{i}") for i in range(600)]
    outcomes = fme.batch([fme.payload_for("track", fme.prepare(m)[1]) for m in messages])
    assert [len(b) for b in bodies()] == [1000, 200]
    assert outcomes[499][0] is not outcomes[500][0]
    assert all(len(o) == 1 for o in outcomes)


@responses.activate
def test_a_failed_bulk_request_fails_only_the_items_in_it():
    responses.add(responses.POST, BULK, status=400, body="bad")
    responses.add(responses.POST, BULK, status=202)
    fme, _ = make()
    payloads = [fme.payload_for("track", fme.prepare(track("e", userId=f"u{i}"))[1])
                for i in range(1001)]
    outcomes = fme.batch(payloads)
    assert all(isinstance(o, errors.HTTPError) and o.status == 400 for o in outcomes[:1000])
    assert outcomes[1000][0].status_code == 202


def test_pack_respects_both_limits_and_splits_oversized_items():
    records = [{"k": "x" * 100}] * 3
    chunks = pack([records, records], max_records=4)
    assert [len(c.records) for c in chunks] == [3, 3]
    assert [c.owners for c in chunks] == [[0], [1]]
    huge = [{"k": str(i)} for i in range(9)]
    chunks = pack([huge], max_records=4)
    assert [len(c.records) for c in chunks] == [4, 4, 1]
    assert all(c.owners == [0] for c in chunks)
    size = len(json.dumps({"k": "x" * 100}, separators=(",", ":")))
    chunks = pack([records], max_bytes=2 + size * 2 + 1)
    assert [len(c.records) for c in chunks] == [2, 1]
    assert all(len(c.body()) <= 2 + size * 2 + 1 for c in chunks)
    single = pack([[{"k": "y" * 50}]], max_bytes=10)
    assert len(single) == 1 and json.loads(single[0].body()) == [{"k": "y" * 50}]
    assert pack([[], []]) == []
    assert (MAX_RECORDS, MAX_BYTES) == (1000, 5 * 1024 * 1024)


def test_pack_keeps_bodies_under_5_mb():
    record = {"properties": {"blob": "z" * 30000}}
    chunks = pack([[record]] * 400)
    assert len(chunks) == 3
    assert all(len(c.body()) <= MAX_BYTES for c in chunks)
    assert sum(len(json.loads(c.body())) for c in chunks) == 400


@responses.activate
def test_retryable_statuses_are_retried_through_the_policy():
    responses.add(responses.POST, BULK, status=429, headers={"Retry-After": "3"})
    responses.add(responses.POST, BULK, status=503)
    responses.add(responses.POST, BULK, status=202)
    fme, sleeps = make()
    assert fme.process(track())[0].status_code == 202
    assert len(responses.calls) == 3
    assert sleeps[0] == 3.0


@responses.activate
def test_retries_exhausted_raise_a_retryable_error():
    responses.add(responses.POST, BULK, status=500)
    fme, _ = make()
    with pytest.raises(errors.HTTPError) as caught:
        fme.process(track())
    assert caught.value.retryable and caught.value.status == 500
    assert len(responses.calls) == 3


@responses.activate
def test_connection_failure_is_retryable():
    fme, _ = make()
    with pytest.raises(errors.ConnectionError) as caught:
        fme.process(track())
    assert caught.value.retryable


@responses.activate
def test_a_failing_identity_patch_raises_after_the_first_succeeded():
    responses.add(responses.PATCH, f"{API}/trafficTypes/user/environments/env-123/identities/u1")
    responses.add(responses.PATCH,
                  f"{API}/trafficTypes/anonymous/environments/env-123/identities/a1",
                  status=404, body="no such traffic type")
    fme, _ = make()
    with pytest.raises(errors.HTTPError) as caught:
        fme.process({"type": "identify", "userId": "u1", "anonymousId": "a1"})
    assert caught.value.status == 404 and not caught.value.retryable
    assert [c.request.method for c in responses.calls] == ["PATCH", "PATCH"]
    assert responses.calls[0].request.headers["Authorization"] == "Bearer admin-key-5678"


@responses.activate
def test_secrets_never_appear_in_errors_or_repr():
    responses.add(responses.POST, BULK, status=401, body="invalid key sdk-key-1234")
    fme, _ = make()
    with pytest.raises(errors.HTTPError) as caught:
        fme.process(track())
    assert "sdk-key-1234" not in str(caught.value)
    assert "sdk-key-1234" not in repr(fme) and "admin-key-5678" not in repr(fme)


def test_properties_values_become_scalars():
    from datetime import datetime, timezone
    notes = []
    out = properties({"when": datetime(2024, 1, 2, tzinfo=timezone.utc),
                      "nan": float("nan"), "nested": {"deep": {"x": [1, {"y": 2}]}},
                      "emptyObject": {}, "obj": object()}, notes)
    assert out == {"when": "2024-01-02T00:00:00.000Z", "nan": None,
                   "nested.deep.x": '[1,{"y":2}]', "obj": None}
    assert properties("not an object", notes) == {} and notes == []


def test_page_with_a_numeric_name_and_screens_use_their_format():
    import facade
    page = mapper.page(facade.create({"type": "page", "name": 404, "userId": "u",
                                      "timestamp": TS}), SETTINGS)
    assert page["records"][0]["eventTypeId"] == "view_404_page"
    screen = mapper.screen(facade.create({"type": "screen", "name": "  ", "userId": "u"}),
                           SETTINGS)
    assert screen == {"records": [], "notes": [], "skipped": "screen has no name"}


def test_settings_errors_name_the_setting_and_the_rule():
    cases = [
        ({"identityMappings": ["user"]}, 'setting "identityMappings" item 0 must be an object'),
        ({"environmentId": 7}, 'setting "environmentId" must be a non-empty string, got 7'),
        ({"environmentId": " "}, 'setting "environmentId" must be a non-empty string'),
        ({"apiEndpoint": "ftp://x"},
         'setting "apiEndpoint" must be an absolute http(s) URL, got "ftp://x"'),
        ({"identityMappings": {"userId": "user"}},
         'setting "identityMappings" must be a list of {"segmentIdentity"'),
        ({"identityMappings": [{"segmentIdentity": "userId", "trafficType": " "}]},
         'setting "identityMappings" item 0: "trafficType" must be a non-empty string'),
        ({"identityMappings": [{"trafficType": "user"}]},
         'setting "identityMappings" item 0: "segmentIdentity" is required'),
        ({"eventTypeIdPath": ""}, 'setting "eventTypeIdPath" must be a non-empty path string'),
        ({"valuePath": 3}, 'setting "valuePath" must be a path string such as'),
        ({"trackNamedScreens": 1}, 'setting "trackNamedScreens" must be true or false'),
        ({"screenEventFormat": None, "pageEventFormat": 5},
         'setting "pageEventFormat" must be a string containing "{name}"'),
    ]
    for extra, message in cases:
        fme, _ = make(**extra)
        with pytest.raises(errors.ValidationError, match=message.replace("(", r"\(")
                           .replace(")", r"\)").replace("{", r"\{").replace("}", r"\}")):
            fme.process(track())


def test_null_settings_take_their_defaults():
    fme, _ = make(screenEventFormat=None, identityMappings=None)
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, BULK, status=202)
        assert fme.process({"type": "screen", "name": "Home", "userId": "u",
                            "properties": {"split": [{"user": "u"}]}})
        assert json.loads(mock.calls[0].request.body)[0]["eventTypeId"] == "viewed_Home_screen"
