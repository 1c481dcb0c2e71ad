"""Instance contexts: cached per feed for 600 s x (1 + 0.1 x random), evicted on failure,
rebuilt by creation."""

import asyncio

import pytest
from feed_toys import PROPERTIES, FileFeed

from framework.audience.cache import ContextCache
from framework.errors import MissingConfigurationPropertyError

SEGMENT = {"feed_id": "1", "datamart_id": "1", "segment_id": "1"}
FEED_PATH = "/v1/audience_segment_external_feeds/1"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def gateway_fetches(gateway):
    return len(gateway.calls_to(FEED_PATH))


def test_default_builder_fetches_feed_and_properties(client_for, gateway):
    client = client_for(FileFeed)
    assert client.connect_segment().status_code == 200
    context = client.connector.seen[0][2]
    assert context["feed"]["id"] == "1"
    assert context["feed_properties"].string_value("destination") == "acme"
    assert sorted(c.path for c in gateway.calls) == [FEED_PATH, FEED_PATH + "/properties"]


def test_a_cached_context_is_reused(client_for, gateway):
    client = client_for(FileFeed, clock=Clock())
    for _ in range(3):
        assert client.connect_segment().status_code == 200
    assert gateway_fetches(gateway) == 1
    contexts = [seen[2] for seen in client.connector.seen]
    assert contexts[0] is contexts[1] is contexts[2]


def test_contexts_are_per_feed(client_for, gateway):
    gateway.add_feed("2", PROPERTIES)
    client = client_for(FileFeed)
    client.connect_segment(feed_id="1")
    client.connect_segment(feed_id="2")
    client.connect_segment(feed_id="1")
    assert [c.path for c in gateway.calls if c.path.endswith(("/1", "/2"))] == [
        FEED_PATH, "/v1/audience_segment_external_feeds/2"]


@pytest.mark.parametrize("draw,lifetime", [(0.0, 600.0), (0.5, 630.0), (0.999, 659.94)])
def test_the_context_expires_after_its_jittered_ttl(client_for, gateway, draw, lifetime):
    clock = Clock()
    client = client_for(FileFeed, clock=clock, rng=lambda: draw)
    client.connect_segment()
    clock.now += lifetime - 0.01
    client.connect_segment()
    assert gateway_fetches(gateway) == 1
    clock.now += 0.02
    client.connect_segment()
    assert gateway_fetches(gateway) == 2


def test_creation_forces_a_refresh(client_for, gateway):
    client = client_for(FileFeed, clock=Clock())
    client.connect_segment()
    gateway.properties["1"] = [{"technical_name": "destination", "property_type": "STRING",
                                "value": {"value": "changed"}}]
    client.create_segment()
    assert gateway_fetches(gateway) == 2
    client.connect_segment()
    assert gateway_fetches(gateway) == 2  # the refreshed context is cached again
    assert client.connector.seen[-1][2]["feed_properties"].string_value("destination") == \
        "changed"


def test_a_failing_builder_is_evicted_and_retried(client_for, gateway):
    class Flaky(FileFeed):
        failures = 1

        async def instance_context_builder(self, feed_id, credentials=None):
            if type(self).failures:
                type(self).failures -= 1
                raise MissingConfigurationPropertyError(feed_id, "destination")
            return await super().instance_context_builder(feed_id, credentials)

    client = client_for(Flaky, clock=Clock())
    failed = client.connect_segment()
    assert failed.status_code == 500
    assert "destination" in failed.json()["message"]
    assert len(client.routes.contexts) == 0
    assert client.connect_segment().status_code == 200
    assert client.connect_segment().status_code == 200
    assert gateway_fetches(gateway) == 1


def test_a_gateway_failure_is_not_cached(client_for, gateway):
    gateway.answer("GET", FEED_PATH, 404)
    client = client_for(FileFeed, clock=Clock())
    response = client.connect_segment()
    assert response.status_code == 500
    assert "answered 404" in response.json()["message"]
    assert client.connect_segment().status_code == 200


def test_a_sync_builder_override_works(client_for):
    class Static(FileFeed):
        def instance_context_builder(self, feed_id, credentials=None):
            return {"feed": {"id": feed_id}, "feed_properties": None, "extra": 1}

    client = client_for(Static)
    assert client.connect_segment().status_code == 200
    assert client.connector.seen[0][2]["extra"] == 1


def test_concurrent_misses_share_one_build():
    builds = []

    async def main():
        cache = ContextCache(clock=Clock())

        async def build():
            builds.append(1)
            await asyncio.sleep(0)
            return {"n": len(builds)}

        results = await asyncio.gather(*(cache.get("f", build) for _ in range(5)))
        return results

    results = asyncio.run(main())
    assert builds == [1] and all(r is results[0] for r in results)


def test_cache_put_evict_and_bounds():
    async def main():
        clock = Clock()
        cache = ContextCache(ttl=10, jitter=0, clock=clock, max_entries=2)

        async def value(v):
            return v

        await cache.get("a", lambda: value(1))
        await cache.get("b", lambda: value(2))
        await cache.get("c", lambda: value(3))
        assert "a" not in cache and "b" in cache and "c" in cache
        cache.put("b", 20)
        assert await cache.get("b", lambda: value(0)) == 20
        cache.evict("b")
        assert await cache.get("b", lambda: value(0)) == 0
        clock.now += 10
        assert "b" not in cache
        cache.clear()
        assert len(cache) == 0

    asyncio.run(main())


def test_ttl_must_be_positive():
    with pytest.raises(ValueError, match="ttl must be positive"):
        ContextCache(ttl=0)
