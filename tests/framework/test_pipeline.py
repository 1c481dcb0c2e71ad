"""``process()``: skip, validate, route, map, call, return."""

import pytest
import responses

from facade import Facade
from framework import errors, integration
from framework.events import SEMANTIC_EVENTS, semantic_method


class Recorder(integration("Recorder").channels(["server", "mobile"])):
    """Records what each method receives."""

    def initialize(self):
        self.calls = []

    def track(self, payload):
        self.calls.append(("track", payload))
        return "track-response"

    def identify(self, payload):
        self.calls.append(("identify", payload))

    def order_completed(self, payload):
        self.calls.append(("order_completed", payload))
        return ["a", "b"]


def test_routes_by_type_and_returns_responses_as_a_list():
    recorder = Recorder()
    assert recorder.process({"type": "track", "event": "Signed Up"}) == ["track-response"]
    assert recorder.process({"type": "identify", "userId": "u"}) == []
    kinds = [(kind, type(payload).__name__) for kind, payload in recorder.calls]
    assert kinds == [("track", "Track"), ("identify", "Identify")]
    assert all(isinstance(payload, Facade) for _, payload in recorder.calls)


@pytest.mark.parametrize("event", ["Order Completed", "order completed", "order_completed",
                                   "orderCompleted", "Completed Order", "completed_order",
                                   "ORDER COMPLETED"])
def test_semantic_events_route_to_their_method(event):
    recorder = Recorder()
    assert recorder.process({"type": "track", "event": event}) == ["a", "b"]
    assert recorder.calls[0][0] == "order_completed"


@pytest.mark.parametrize("event", ["Order Completed Twice", "Completed Order Foo",
                                   "My Order Completed", "Order  Completed", ""])
def test_partial_matches_do_not_route(event):
    recorder = Recorder()
    recorder.process({"type": "track", "event": event})
    assert recorder.calls[0][0] == "track"


@pytest.mark.parametrize("event, method", [
    ("Viewed Product", "product_viewed"), ("viewed product", "product_viewed"),
    ("viewed_product", "product_viewed"), ("viewedProduct", "product_viewed"),
    ("Product Viewed", "product_viewed"), ("Product Added", "product_added"),
    ("Product Added to Wishlist", "product_added_to_wishlist"),
    ("Product Added to Cart from Wishlist", "product_added_from_wishlist_to_cart"),
    ("Product Category Viewed", "product_list_viewed"),
    ("Product List Viewed", "product_list_viewed"),
    ("Checkout Step Completed", "checkout_step_completed"),
    ("Application Opened", "application_opened"),
    ("Video Playback Started", "video_playback_started"),
    ("Email Marked as Spam", "email_marked_as_spam"),
    ("Signed Up", None), (None, None), (5, None),
])
def test_semantic_routing_names(event, method):
    assert semantic_method(event) == method


def test_every_semantic_method_is_snake_case():
    for method in SEMANTIC_EVENTS:
        assert method == method.lower() and " " not in method


def test_semantic_event_without_a_method_falls_back_to_track():
    recorder = Recorder()
    recorder.process({"type": "track", "event": "Product Added"})
    assert recorder.calls[0][0] == "track"


@pytest.mark.parametrize("message_type", ["page", "screen", "group", "alias", "delete",
                                          "custom", None])
def test_types_without_a_method_are_not_supported(message_type):
    with pytest.raises(errors.NotSupported) as info:
        Recorder().process({"type": message_type})
    assert info.value.code == "NOT_SUPPORTED"
    assert info.value.integration == "Recorder"


@pytest.mark.parametrize("integrations", [{"Recorder": False}, {"recorder": False},
                                          {"All": False}, {"all": False, "Other": True}])
def test_disabled_messages_are_skipped(integrations):
    recorder = Recorder()
    with pytest.raises(errors.Skipped) as info:
        recorder.process({"type": "track", "integrations": integrations})
    assert "disabled" in str(info.value)
    assert recorder.calls == []
    assert isinstance(info.value, errors.RejectedError) and not info.value.retryable


@pytest.mark.parametrize("integrations", [{"All": False, "Recorder": True},
                                          {"Recorder": {"setting": 1}}, {"Other": False}])
def test_enabled_messages_go_through(integrations):
    Recorder().process({"type": "track", "integrations": integrations})


def test_other_channels_are_skipped_and_no_channel_means_server():
    with pytest.raises(errors.Skipped, match="'client' channel"):
        Recorder().process({"type": "track", "channel": "client"})
    Recorder().process({"type": "track", "channel": "mobile"})
    Recorder().process({"type": "track"})
    Client = integration("ClientOnly").channels(["client"])
    Client.track = lambda self, msg: None
    with pytest.raises(errors.Skipped, match="'server' channel"):
        Client().process({"type": "track"})


def test_validation_runs_before_routing():
    class Strict(integration("Strict").ensure("settings.apiKey")):
        def track(self, msg):
            raise AssertionError("must not be called")

    with pytest.raises(errors.ValidationError):
        Strict().process({"type": "track"})
    with pytest.raises(errors.ValidationError):
        Strict().process({"type": "alias"})


class Mapper:
    @staticmethod
    def track(msg, settings):
        return {"event": msg.event(), "key": settings["apiKey"]}

    @staticmethod
    def order_completed(msg, settings):
        return {"order": msg.order_id()}


class Mapped(integration("Mapped").mapper(Mapper)):
    def initialize(self):
        self.received = []

    def track(self, payload):
        self.received.append(payload)

    def order_completed(self, payload):
        self.received.append(payload)

    def identify(self, payload):
        self.received.append(payload)


def test_the_method_receives_the_mapped_payload():
    mapped = Mapped({"apiKey": "k"})
    mapped.process({"type": "track", "event": "Signed Up"})
    mapped.process({"type": "track", "event": "Order Completed", "properties": {"orderId": "o1"}})
    mapped.process({"type": "identify"})
    assert mapped.received[:2] == [{"event": "Signed Up", "key": "k"}, {"order": "o1"}]
    assert isinstance(mapped.received[2], Facade)
    assert Mapped.spec()["mapper"] == ["order_completed", "track"]


def test_process_accepts_a_facade():
    import facade
    recorder = Recorder()
    msg = facade.create({"type": "track", "event": "x"})
    recorder.process(msg)
    assert recorder.calls[0][1] is msg


class Pages(integration("Pages").map_to_track(["page", "screen"])):
    def initialize(self):
        self.events = []

    def track(self, msg):
        self.events.append((msg.event(), msg.properties().get("name"),
                            msg.properties().get("category")))


@pytest.mark.parametrize("message_type, expected", [
    ("page", ["Loaded a Page", "Viewed Docs Page", "Viewed Docs Integration Page"]),
    ("screen", ["Loaded a Screen", "Viewed Docs Screen", "Viewed Docs Integration Screen"]),
])
def test_map_to_track_event_names(message_type, expected):
    pages = Pages({"trackAllPages": True, "trackCategorizedPages": True,
                   "trackNamedPages": True})
    pages.process({"type": message_type, "name": "Integration", "category": "Docs",
                   "properties": {"url": "https://x.test"}, "context": {"ip": "0.0.0.0"}})
    assert [e[0] for e in pages.events] == expected
    assert pages.events[0][1:] == ("Integration", "Docs")


def test_map_to_track_sends_nothing_without_settings():
    pages = Pages({})
    assert pages.process({"type": "page", "name": "Home"}) == []
    assert pages.events == []
    assert Pages.spec()["methods"] == ["page", "screen", "track"]


@pytest.mark.parametrize("methods", [["track"], "page", 5])
def test_map_to_track_rejects_bad_methods(methods):
    with pytest.raises(ValueError, match="map_to_track"):
        integration("Test").map_to_track(methods)


def test_repr_hides_secret_settings():
    text = repr(Recorder({"apiKey": "very-secret-key", "region": "eu"}))
    assert "very-secret-key" not in text and "eu" in text


@responses.activate
def test_http_delete_helper_and_segment_delete_messages_coexist():
    responses.add(responses.DELETE, "https://api.test/users/u1", status=204)

    class Deleter(integration("Deleter").endpoint("https://api.test")):
        def delete(self, msg):
            return self.request("DELETE", f"users/{msg.user_id()}").end()

    assert [r.status_code for r in Deleter().process({"type": "delete", "userId": "u1"})] == [204]
    Plain = integration("Plain").endpoint("https://api.test")
    assert Plain().delete("users/u1").end().status_code == 204
    with pytest.raises(errors.NotSupported):
        Plain().process({"type": "delete", "userId": "u1"})
