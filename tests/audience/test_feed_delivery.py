"""File and batch delivery: the SDK's end-to-end flows, and checks of returned items."""

import pytest
from feed_toys import BatchFeed, FileFeed

from framework.audience import BatchPolicy
from framework.audience.testing import AudienceFeedSuite

POINTS = [{"type": "USER_POINT", "user_point_id": "u1"},
          {"type": "USER_POINT", "user_point_id": "u2"}]


def test_file_delivery_flow(client_for):
    client = client_for(FileFeed)
    creation = client.create_segment()
    assert (creation.status_code, creation.json()) == (
        200, {"status": "ok", "message": "test_creation", "visibility": "PUBLIC"})
    assert client.connect_segment().json() == {"status": "ok", "message": "test_connection"}
    update = client.update(POINTS)
    assert update.status_code == 200
    assert update.json()["data"] == [
        {"type": "FILE_DELIVERY", "content": "u1,UPSERT\n", "grouping_key": "UPSERT",
         "destination_token": "dest-1"},
        {"type": "FILE_DELIVERY", "content": "u2,UPSERT\n", "grouping_key": "UPSERT",
         "destination_token": "dest-1"}]
    assert len(update.json()["stats"]) == 2
    batch = client.post("batch_update", {"batch_content": [], "ts": 1, "context": {}})
    assert batch.status_code == 500
    troubleshoot = client.post("troubleshoot", {"feed_id": "1", "datamart_id": "1",
                                                "segment_id": "1",
                                                "action": "FETCH_DESTINATION_AUDIENCE"})
    assert troubleshoot.json()["data"] == {"id": "1", "name": "myExternalAudience"}


def test_no_eligible_identifier_is_400(client_for):
    response = client_for(FileFeed).update([{"type": "USER_EMAIL", "hash": "h"}])
    assert (response.status_code, response.json()["status"]) == (400, "no_eligible_identifier")


def test_batch_delivery_flow_groups_by_key_and_policy_size(client_for):
    client = client_for(BatchFeed)
    assert client.create_segment().status_code == 200
    upserts = client.update(POINTS + [{"type": "USER_POINT", "user_point_id": "u3"}])
    deletes = client.update([{"type": "USER_POINT", "user_point_id": "u4"}], "DELETE")
    assert upserts.json()["data"][0] == {"type": "BATCH_DELIVERY", "content": {"id": "u1"},
                                         "grouping_key": "UPSERT"}
    batches = client.deliver(upserts, deletes)
    assert [b.status_code for b in batches] == [200, 200, 200]
    assert [b.json() for b in batches] == [
        {"status": "OK", "sent_items_in_success": 2, "sent_items_in_error": 0,
         "message": "[{'id': 'u1'}, {'id': 'u2'}]"},
        {"status": "OK", "sent_items_in_success": 1, "sent_items_in_error": 0,
         "message": "[{'id': 'u3'}]"},
        {"status": "OK", "sent_items_in_success": 1, "sent_items_in_error": 0,
         "message": "[{'id': 'u4'}]"}]
    contexts = [seen[1]["context"]["grouping_key"] for seen in client.connector.seen
                if seen[0] == "batch"]
    assert contexts == ["UPSERT", "UPSERT", "DELETE"]


@pytest.mark.parametrize("feed,item,problem", [
    (FileFeed, {"type": "BATCH_DELIVERY", "content": "x", "grouping_key": "k"},
     "a non-batched feed returns type FILE_DELIVERY, got 'BATCH_DELIVERY'"),
    (FileFeed, {"type": "FILE_DELIVERY", "content": "x", "grouping_key": "k"},
     "destination_token is required"),
    (FileFeed, {"type": "FILE_DELIVERY", "content": {"a": 1}, "grouping_key": "k",
                "destination_token": "d"}, "content must be a string"),
    (BatchFeed, {"type": "FILE_DELIVERY", "content": "x", "grouping_key": "k",
                 "destination_token": "d"},
     "a batched feed returns type BATCH_DELIVERY, got 'FILE_DELIVERY'"),
    (BatchFeed, {"type": "BATCH_DELIVERY", "content": "x"}, "grouping_key is required"),
    (BatchFeed, "just a string", "got 'str'"),
])
def test_malformed_delivery_items_are_500(client_for, feed, item, problem):
    client = client_for(feed)
    client.connector.script["update"] = {"status": "ok", "data": [item]}
    response = client.update(POINTS)
    assert response.status_code == 500
    assert response.json()["message"] == f"on_user_segment_update: data[0]: {problem}" or \
        problem in response.json()["message"]


def test_data_must_be_a_list(client_for):
    client = client_for(BatchFeed)
    client.connector.script["update"] = {"status": "ok", "data": {"type": "BATCH_DELIVERY"}}
    assert "data must be a list" in client.update(POINTS).json()["message"]


def test_batch_policy_is_checked():
    with pytest.raises(ValueError, match="max_size must be at least 1"):
        BatchPolicy(max_size=0)
    with pytest.raises(ValueError, match="max_wait must be positive"):
        BatchPolicy(max_wait=0)


class TestFileFeedSuite(AudienceFeedSuite):
    feed = FileFeed
    hypothesis_settings = {"max_examples": 10, "deadline": None}


class TestBatchFeedSuite(AudienceFeedSuite):
    feed = BatchFeed
    hypothesis_settings = {"max_examples": 10, "deadline": None}
