"""Track accessors, e-commerce helpers and revenue parsing."""

import pytest

from facade import Identify, Track


def track(props=None, **fields):
    msg = dict(fields)
    if props is not None:
        msg["properties"] = props
    return Track(msg)


def test_type_and_event():
    f = track(event="Signed Up")
    assert f.type() == f.action() == "track"
    assert f.event() == "Signed Up"
    assert track().event() is None


def test_properties_and_aliases():
    f = track({"revenue": "$10.50", "Name": "n", "keep": 1})
    assert f.properties() == {"revenue": "$10.50", "Name": "n", "keep": 1}
    # an accessor's value is used (revenue is parsed); the old key goes
    assert f.properties({"revenue": "amount"}) == {"Name": "n", "keep": 1, "amount": 10.5}
    # a 1:1 alias keeps its key (the original deleted it)
    assert f.properties({"keep": "keep"}) == {"revenue": "$10.50", "Name": "n", "keep": 1}
    assert f.properties({"revenue": "revenue"})["revenue"] == 10.5
    assert f.properties({"other": "x"}) == f.properties()
    assert track("nope").properties() == {}
    assert track().properties() == {}


@pytest.mark.parametrize("method", [
    "value", "category", "id", "sku", "tax", "name", "price", "total", "repeat", "coupon",
    "shipping", "discount", "description", "plan",
])
def test_property_proxies(method):
    assert getattr(track({method: "v"}), method)() == "v"
    assert getattr(track({method.upper(): "V"}), method)() == "V"
    assert getattr(track({}), method)() is None


@pytest.mark.parametrize("method, snake, camel", [
    ("product_id", "product_id", "productId"),
    ("promotion_id", "promotion_id", "promotionId"),
    ("cart_id", "cart_id", "cartId"),
    ("checkout_id", "checkout_id", "checkoutId"),
    ("payment_id", "payment_id", "paymentId"),
    ("coupon_id", "coupon_id", "couponId"),
    ("wishlist_id", "wishlist_id", "wishlistId"),
    ("review_id", "review_id", "reviewId"),
    ("shipping_method", "shipping_method", "shippingMethod"),
    ("payment_method", "payment_method", "paymentMethod"),
])
def test_id_helpers(method, snake, camel):
    assert getattr(track({snake: "s"}), method)() == "s"
    assert getattr(track({camel: "c"}), method)() == "c"
    assert getattr(track({}), method)() is None


@pytest.mark.parametrize("props, expected", [
    ({"id": "i", "order_id": "o", "orderId": "oo"}, "i"),
    ({"order_id": "o", "orderId": "oo"}, "o"),
    ({"orderId": "oo"}, "oo"),
    ({"id": "", "orderId": "oo"}, "oo"),
    ({}, None),
])
def test_order_id(props, expected):
    assert track(props).order_id() == expected


@pytest.mark.parametrize("props, event, expected", [
    ({"revenue": 10}, None, 10),
    ({"revenue": 10.5}, None, 10.5),
    ({"revenue": "10.5"}, None, 10.5),
    ({"revenue": "$10.50"}, None, 10.5),
    ({"revenue": "$1$2"}, None, 12),
    ({"revenue": "12abc"}, None, 12),
    ({"revenue": "  7.5"}, None, 7.5),
    ({"revenue": "abc"}, None, None),
    ({"revenue": 0}, None, None),
    ({"revenue": True}, None, None),
    ({"revenue": [1]}, None, None),
    ({"total": 30}, "Order Completed", 30),
    ({"total": 30}, "completed order", 30),
    ({"total": 30}, "order_completed", 30),
    ({"total": 30}, " Completed Order ", 30),
    ({"total": 30}, "Order Completed Twice", None),
    ({"total": 30}, "Signed Up", None),
    ({"total": "$30"}, "Completed Order", 30),
    ({"revenue": 5, "total": 30}, "Order Completed", 5),
    ({}, None, None),
])
def test_revenue(props, event, expected):
    assert track(props, event=event).revenue() == expected


@pytest.mark.parametrize("props, event, expected", [
    ({"revenue": 10.5}, None, 1050),
    ({"value": 3}, None, 3),
    ({}, None, 0),
    ({"total": 2}, "Order Completed", 200),
])
def test_cents(props, event, expected):
    assert track(props, event=event).cents() == expected


@pytest.mark.parametrize("props, expected", [
    ({"subtotal": 5, "total": 10}, 5),
    ({"total": 10, "tax": 2, "shipping": 2, "discount": 1}, 7),  # the discount is added back
    ({"total": 10}, 10),
    ({"total": "10", "tax": "2"}, 8),
    ({"total": 10, "tax": "x", "discount": "5"}, "NaN5"),  # 10 - "x" is NaN, + "5" joins
    ({"total": 100, "discount": "5"}, "1005"),
    ({"revenue": 10, "tax": 2, "shipping": 2}, 10),  # revenue is not adjusted
    ({}, 0),
    ({"total": 0, "revenue": 0}, 0),
])
def test_subtotal(props, expected):
    assert track(props).subtotal() == expected


def test_products():
    products = [{"sku": "a"}, None, {"sku": "b"}]
    f = track({"products": products})
    assert f.products() == [{"sku": "a"}, {"sku": "b"}]
    f.products()[0]["sku"] = "changed"
    assert products[0]["sku"] == "a"
    assert track({"products": "x"}).products() == []
    assert track({}).products() == []


@pytest.mark.parametrize("props, quantity, currency", [
    ({"quantity": 3, "currency": "EUR"}, 3, "EUR"),
    ({"quantity": 0, "currency": ""}, 1, "USD"),
    ({"Quantity": 3, "Currency": "EUR"}, 1, "USD"),  # exact keys only
    ({}, 1, "USD"),
])
def test_quantity_and_currency(props, quantity, currency):
    f = track(props)
    assert f.quantity() == quantity
    assert f.currency() == currency
    assert track("x").quantity() == 1


@pytest.mark.parametrize("msg, expected", [
    ({"context": {"referrer": {"url": "r1"}, "page": {"referrer": "r2"}},
      "properties": {"referrer": "r3"}}, "r1"),
    ({"context": {"page": {"referrer": "r2"}}, "properties": {"referrer": "r3"}}, "r2"),
    ({"properties": {"referrer": "r3"}}, "r3"),
    ({}, None),
])
def test_referrer(msg, expected):
    assert Track(msg).referrer() == expected


def test_query():
    assert Track({"context": {"query": "q"}}).query() == "q"


@pytest.mark.parametrize("msg, expected", [
    ({"context": {"traits": {"username": "t"}}, "properties": {"username": "p"},
      "userId": "u"}, "t"),
    ({"properties": {"username": "p"}, "userId": "u"}, "p"),
    ({"userId": "u", "anonymousId": "a"}, "u"),
    ({"anonymousId": "a"}, "a"),
    ({}, None),
])
def test_username(msg, expected):
    assert Track(msg).username() == expected


@pytest.mark.parametrize("msg, expected", [
    ({"context": {"traits": {"email": "t@x.io"}}, "properties": {"email": "p@x.io"}}, "t@x.io"),
    ({"properties": {"email": "p@x.io"}, "userId": "u@x.io"}, "p@x.io"),
    ({"userId": "u@x.io"}, "u@x.io"),
    ({"userId": "u"}, None),
    ({}, None),
])
def test_email(msg, expected):
    assert Track(msg).email() == expected


def test_traits_are_context_traits():
    f = Track({"userId": "u", "traits": {"top": 1}, "context": {"traits": {"ctx": 1}}})
    assert f.traits() == {"ctx": 1, "id": "u"}
    assert f.traits({"ctx": "renamed"}) == {"renamed": 1, "id": "u"}


def test_identify():
    f = Track({"type": "track", "userId": "u", "event": "E", "timestamp": "2014",
               "context": {"traits": {"email": "e@x.io"}}})
    ident = f.identify()
    assert isinstance(ident, Identify)
    assert ident.traits() == {"email": "e@x.io", "id": "u"}
    assert ident.email() == "e@x.io"
    assert ident.timestamp() == f.timestamp()
    assert ident.user_id() == "u"
