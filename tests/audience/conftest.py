import pytest

from feed_toys import PROPERTIES

from framework.audience.testing import AudienceFeedClient, FakeGateway


@pytest.fixture
def gateway():
    fake = FakeGateway()
    fake.add_feed("1", PROPERTIES)
    return fake


@pytest.fixture
def client_for(gateway):
    """``client_for(FeedClass, **options)``: an in-process client over the fake gateway."""
    clients = []

    def make(feed, **options):
        client = AudienceFeedClient(feed, gateway, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
