"""The Segment destination against ``responses``: auth, regions, ids, limits, retries."""

import base64
import json
import uuid

import pytest
import responses

from framework import errors
from integrations import load
from integrations.segment import Segment
from integrations.segment.batching import MAX_BATCH_BYTES, MAX_BATCH_MESSAGES, pack
from integrations.segment.settings import base_url

US = "https://api.segment.io/v1/batch"
EU = "https://events.eu1.segmentapis.com/v1/batch"
KEY = "wk-test-123"
NOW = 1_709_294_400.5


def make(**settings):
    sleeps = []
    segment = Segment(dict({"writeKey": KEY}, **settings), clock=lambda: NOW,
                      sleep=sleeps.append)
    return segment, sleeps


def track(i=0, **extra):
    message = {"type": "track", "event": "Signed Up", "userId": f"u{i}",
               "messageId": f"m{i}"}
    message.update(extra)
    return message


def sent(index=0):
    return json.loads(responses.calls[index].request.body)


def test_found_through_its_entry_point_and_declared():
    assert load("segment") is Segment
    spec = Segment.spec()
    assert spec["methods"] == ["alias", "group", "identify", "page", "screen", "track"]
    assert spec["retries"] == 3 and spec["batch"]["implemented"]


@responses.activate
def test_basic_auth_is_the_write_key_with_an_empty_password():
    responses.add(responses.POST, US, json={"success": True})
    segment, _ = make()
    assert segment.process(track())[0].status_code == 200
    header = responses.calls[0].request.headers["Authorization"]
    assert header == "Basic " + base64.b64encode(b"wk-test-123:").decode()
    assert base64.b64decode(header.split()[1]) == b"wk-test-123:"


@responses.activate
def test_message_id_is_kept_or_generated_and_sent_at_is_the_send_time():
    responses.add(responses.POST, US)
    segment, _ = make()
    segment.process(track())
    segment.process({"type": "identify", "userId": "u", "sentAt": "2000-01-01T00:00:00Z"})
    kept, generated = sent(0)["batch"][0], sent(1)["batch"][0]
    assert kept["messageId"] == "m0"
    assert uuid.UUID(generated["messageId"]).version == 4
    assert kept["sentAt"] == generated["sentAt"] == "2024-03-01T12:00:00.500Z"
    assert set(sent(0)) == {"batch"}


def test_regions_and_the_endpoint_override():
    assert base_url({"writeKey": "k"}) == "https://api.segment.io"
    assert base_url({"region": "eu"}) == "https://events.eu1.segmentapis.com"
    assert base_url({"region": "eu", "endpoint": "http://127.0.0.1:1/"}) == "http://127.0.0.1:1"


@responses.activate
def test_the_eu_region_posts_to_the_eu_host():
    responses.add(responses.POST, EU)
    segment, _ = make(region="eu")
    segment.process(track())
    assert responses.calls[0].request.url == EU


@responses.activate
def test_batch_fills_requests_up_to_2500_messages():
    responses.add(responses.POST, US)
    segment, _ = make()
    outcomes = segment.batch([track(i) for i in range(5001)])
    assert [len(sent(i)["batch"]) for i in range(3)] == [2500, 2500, 1]
    assert outcomes[0][0] is outcomes[2499][0] and outcomes[2500][0] is not outcomes[0][0]


@responses.activate
def test_batch_fills_requests_up_to_500_kb():
    responses.add(responses.POST, US)
    segment, _ = make()
    messages = [track(i, properties={"blob": "x" * 20000}) for i in range(60)]
    outcomes = segment.batch(messages)
    sizes = [len(call.request.body) for call in responses.calls]
    assert len(sizes) == 3 and max(sizes) <= MAX_BATCH_BYTES
    assert sum(len(sent(i)["batch"]) for i in range(3)) == 60
    assert all(len(o) == 1 for o in outcomes)


@responses.activate
def test_an_oversized_message_is_rejected_and_its_neighbours_delivered():
    responses.add(responses.POST, US)
    segment, _ = make()
    outcomes = segment.batch([track(0), track(1, properties={"b": "x" * 40000}), track(2)])
    assert isinstance(outcomes[1], errors.RejectedError)
    assert outcomes[1].code == "MESSAGE_REJECTED"
    assert "message m1 is" in str(outcomes[1]) and "at most 32768 bytes" in str(outcomes[1])
    assert [m["messageId"] for m in sent()["batch"]] == ["m0", "m2"]


@responses.activate
def test_a_failed_batch_fails_every_item_in_it():
    responses.add(responses.POST, US, status=400, body="invalid")
    segment, _ = make()
    outcomes = segment.process_batch([track(0), track(1), {"type": "track", "event": "x"}])
    assert all(isinstance(o, errors.HTTPError) and o.status == 400 for o in outcomes[:2])
    assert isinstance(outcomes[2], errors.RejectedError)


@responses.activate
def test_429_and_5xx_retry_through_the_policy():
    responses.add(responses.POST, US, status=429, headers={"Retry-After": "2"})
    responses.add(responses.POST, US, status=502)
    responses.add(responses.POST, US, status=200)
    segment, sleeps = make()
    assert segment.process(track())[0].status_code == 200
    assert len(responses.calls) == 3 and sleeps[0] == 2.0
    bodies = [call.request.body for call in responses.calls]
    assert bodies[0] == bodies[1] == bodies[2]


@responses.activate
def test_retries_exhausted_leave_a_retryable_error():
    responses.add(responses.POST, US, status=503)
    segment, sleeps = make()
    with pytest.raises(errors.HTTPError) as caught:
        segment.process(track())
    assert caught.value.retryable and len(responses.calls) == 4 and len(sleeps) == 3


@responses.activate
def test_the_write_key_never_appears_in_errors():
    responses.add(responses.POST, US, status=401, body=f"unknown write key {KEY}")
    segment, _ = make()
    with pytest.raises(errors.HTTPError) as caught:
        segment.process(track())
    assert KEY not in str(caught.value) and KEY not in repr(segment)


def test_pack_keeps_order_and_owners():
    batches = pack([(0, "{}"), (3, '{"a":1}'), (5, "{}")], max_messages=2)
    assert [b.owners for b in batches] == [[0, 3], [5]]
    assert json.loads(batches[0].body()) == {"batch": [{}, {"a": 1}]}
    assert json.loads(pack([(0, "{}")], max_bytes=1)[0].body()) == {"batch": [{}]}
    assert pack([]) == [] and MAX_BATCH_MESSAGES == 2500
