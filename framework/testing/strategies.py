"""Hypothesis strategies for Segment messages (imports only hypothesis and the stdlib).

* :func:`json_values`: any JSON-like value (nested dicts and lists, unicode, numbers
  of every size, booleans, None), for "wrong type in every field" tests;
* :func:`timestamps`: plausible and odd timestamps (ISO of every precision, offsets,
  epoch seconds and milliseconds, garbage, wrong types);
* :func:`messages`: realistic messages of every type (``identify``, ``track``, ``page``,
  ``screen``, ``group``, ``alias``, ``delete``) whose fields are sometimes odd;
* :func:`odd_messages`: dicts whose every well-known field may hold any JSON value.

Example::

    @given(messages())
    def test_never_raises(message):
        create(message).traits()
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from hypothesis import strategies as st

__all__ = [
    "MESSAGE_TYPES", "FIELD_NAMES", "json_scalars", "json_values", "json_objects",
    "timestamps", "iso_strings", "identifiers", "contexts", "integrations",
    "messages", "message_of_type", "odd_messages", "any_messages",
]

MESSAGE_TYPES = ("identify", "track", "page", "screen", "group", "alias", "delete")

#: Top-level fields the facade reads.
FIELD_NAMES = (
    "type", "action", "userId", "anonymousId", "sessionId", "groupId", "previousId",
    "from", "to", "event", "name", "category", "traits", "properties", "context",
    "options", "integrations", "timestamp", "channel", "messageId", "sentAt",
    "receivedAt",
)

_TEXT = st.text(max_size=20)
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-", min_size=1, max_size=8)
# cheaper than _EMAILS: plausible addresses, and some that only look like one
_EMAILS = st.builds(lambda a, b, c: "%s@%s.%s" % (a, b, c), _WORD, _WORD,
                    st.sampled_from(["com", "io", "example", "co.uk"]))
_KEYS = st.one_of(
    st.sampled_from(["email", "name", "firstName", "first_name", "lastName", "id", "Id",
                     "created", "createdAt", "address", "city", "revenue", "total",
                     "products", "price", "quantity", "currency", "url", "All", "all",
                     "providers", "traits", "library", "device", "ip", "a.b", ""]),
    st.text(max_size=8),
)


def json_scalars() -> st.SearchStrategy[Any]:
    """None, booleans, integers, finite floats and unicode strings."""
    return st.one_of(
        st.none(), st.booleans(),
        st.integers(min_value=-(2 ** 63), max_value=2 ** 63),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=30),
        iso_strings(),
    )


def json_values(max_leaves: int = 8) -> st.SearchStrategy[Any]:
    """Any JSON-like value, nested.

    Args:
        max_leaves: Bound on the size of the generated structure.
    """
    return st.recursive(
        json_scalars(),
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(_KEYS, children, max_size=5),
        ),
        max_leaves=max_leaves,
    )


def json_objects(max_leaves: int = 8) -> st.SearchStrategy[Dict[str, Any]]:
    """A JSON object (dict) with any values."""
    return st.dictionaries(_KEYS, json_values(max_leaves), max_size=6)


def iso_strings() -> st.SearchStrategy[str]:
    """ISO-8601 strings of every precision, some out of range."""
    year = st.integers(min_value=0, max_value=9999).map(lambda y: "%04d" % y)
    two = st.integers(min_value=0, max_value=99).map(lambda v: "%02d" % v)
    frac = st.text(alphabet="0123456789", min_size=1, max_size=9)
    zone = st.sampled_from(["", "Z", "+00:00", "-05:00", "+0530", "+01"])
    return st.one_of(
        year,
        st.builds(lambda y, m: "%s-%s" % (y, m), year, two),
        st.builds(lambda y, m, d: "%s%s%s" % (y, m, d), year, two, two),
        st.builds(lambda y, m, d: "%s-%s-%s" % (y, m, d), year, two, two),
        st.builds(lambda y, m, d, sep, h, mi, s, f, z: "%s-%s-%s%s%s:%s:%s.%s%s"
                  % (y, m, d, sep, h, mi, s, f, z),
                  year, two, two, st.sampled_from(["T", " "]), two, two, two, frac, zone),
    )


def timestamps() -> st.SearchStrategy[Any]:
    """Plausible and odd values for a message's ``timestamp``."""
    return st.one_of(
        iso_strings(),
        st.integers(min_value=-(10 ** 17), max_value=10 ** 17),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(["5/12/2015", "Tue, 01 Jan 2014 00:00:00 GMT", "1388534400",
                         "1388534400000", "x1388534400000y", "yesterday", "", "  ",
                         "2014-13-45T25:61:61Z", "0000-00-00"]),
        st.text(max_size=30),
        st.none(), st.booleans(), json_values(4),
    )


def identifiers() -> st.SearchStrategy[Any]:
    """User, anonymous and group ids: strings (some e-mail addresses), numbers, odd."""
    return st.one_of(
        st.integers(min_value=0, max_value=999999).map(lambda i: "user_%06d" % i),
        _EMAILS,
        st.uuids().map(str),
        st.integers(min_value=0, max_value=10 ** 9),
        st.just(""), st.none(),
    )


def integrations() -> st.SearchStrategy[Dict[str, Any]]:
    """An ``integrations`` object: ``All`` and per-destination booleans or settings."""
    names = st.sampled_from(["All", "all", "Mixpanel", "mixpanel", "Google Analytics",
                             "google_analytics", "Salesforce", "Customer.io", "HubSpot",
                             "hub_spot", "providers"])
    values = st.one_of(st.booleans(), st.dictionaries(st.text(max_size=5), json_scalars(),
                                                      max_size=2), st.none())
    return st.dictionaries(names, values, max_size=4)


def contexts() -> st.SearchStrategy[Dict[str, Any]]:
    """A ``context`` object with plausible and odd fields."""
    library_names = st.sampled_from(["analytics.js", "analytics-ios", "analytics-android"])
    library = st.one_of(
        st.fixed_dictionaries({"name": library_names, "version": st.text(max_size=6)}),
        st.text(max_size=10), json_values(3))
    fields = {
        "ip": st.one_of(st.tuples(*[st.integers(0, 255)] * 4).map(
            lambda t: "%d.%d.%d.%d" % t), json_values(2)),
        "library": library,
        "userAgent": st.one_of(st.text(max_size=40), json_values(2)),
        "user_agent": st.text(max_size=10),
        "locale": st.sampled_from(["en-US", "de-DE"]),
        "timezone": st.sampled_from(["Europe/Berlin", "America/New_York"]),
        "traits": st.one_of(json_objects(6), st.fixed_dictionaries(
            {"email": _EMAILS, "name": st.text(max_size=20)})),
        "page": st.one_of(json_objects(4), st.fixed_dictionaries(
            {"url": st.text(max_size=30), "referrer": st.text(max_size=30)})),
        "referrer": json_values(3),
        "device": json_values(3),
        "groupId": identifiers(),
        "active": json_scalars(),
        "providers": integrations(),
        "All": st.booleans(),
    }
    return st.fixed_dictionaries({}, optional=fields)


def _traits() -> st.SearchStrategy[Dict[str, Any]]:
    fields = {
        "email": st.one_of(_EMAILS, json_scalars()),
        "name": st.one_of(st.text(max_size=30), json_scalars()),
        "firstName": st.one_of(st.text(max_size=10), json_scalars()),
        "last_name": st.text(max_size=10),
        "created": timestamps(),
        "createdAt": st.one_of(iso_strings(), json_scalars()),
        "birthday": st.one_of(iso_strings(), json_scalars()),
        "age": json_scalars(),
        "phone": st.text(max_size=12),
        "phones": st.lists(st.text(max_size=12), max_size=3),
        "website": st.text(max_size=20),
        "websites": json_values(3),
        "address": st.one_of(st.fixed_dictionaries({}, optional={
            "city": st.text(max_size=10), "country": st.text(max_size=10),
            "postalCode": st.text(max_size=6), "street": st.text(max_size=10)}),
            json_values(3)),
        "company": st.one_of(st.fixed_dictionaries({}, optional={
            "name": st.text(max_size=10), "created": timestamps(),
            "createdAt": iso_strings()}), json_values(3)),
        "industry": st.text(max_size=10),
        "employees": json_scalars(),
    }
    return st.fixed_dictionaries({}, optional=fields)


def _properties() -> st.SearchStrategy[Dict[str, Any]]:
    money = st.one_of(st.floats(min_value=-1e6, max_value=1e6), st.integers(-1000, 10 ** 6),
                      st.builds(lambda d, c, s: "%s%d.%02d" % (d, c, s), st.sampled_from(["", "$"]),
                                st.integers(0, 99999), st.integers(0, 99)),
                      json_scalars())
    product = st.one_of(st.fixed_dictionaries({}, optional={
        "product_id": st.text(max_size=6), "sku": st.text(max_size=6), "price": money,
        "quantity": st.integers(0, 5)}), st.none(), json_values(2))
    fields = {
        "revenue": money, "total": money, "subtotal": money, "tax": money,
        "shipping": money, "discount": money, "price": money, "value": money,
        "quantity": json_scalars(), "currency": json_scalars(),
        "products": st.one_of(st.lists(product, max_size=3), json_values(3)),
        "id": json_scalars(), "order_id": json_scalars(), "orderId": json_scalars(),
        "email": st.one_of(_EMAILS, json_scalars()),
        "referrer": st.text(max_size=20), "url": st.text(max_size=20),
        "path": st.text(max_size=10), "title": st.text(max_size=10),
        "name": json_scalars(), "category": json_scalars(),
        "address": json_values(3), "created_at": iso_strings(),
    }
    return st.fixed_dictionaries({}, optional=fields)


def _build_message(kind: str) -> st.SearchStrategy[Dict[str, Any]]:
    optional: Dict[str, st.SearchStrategy[Any]] = {
        "userId": identifiers(), "anonymousId": identifiers(),
        "context": contexts(), "integrations": integrations(),
        "timestamp": timestamps(), "messageId": st.uuids().map(str),
        "channel": st.sampled_from(["server", "client", "mobile"]),
        "sentAt": iso_strings(), "traits": _traits(), "properties": _properties(),
    }
    if kind == "track":
        optional["event"] = st.one_of(
            st.sampled_from(["Order Completed", "completed order", "Signed Up",
                             "order_completed"]), json_scalars())
    if kind in ("page", "screen"):
        optional["name"] = st.one_of(st.text(max_size=12), json_scalars())
        optional["category"] = st.one_of(st.text(max_size=12), json_scalars())
    if kind == "group":
        optional["groupId"] = identifiers()
    if kind == "alias":
        optional["previousId"] = identifiers()
        optional["from"] = identifiers()
        optional["to"] = identifiers()
    return st.fixed_dictionaries({"type": st.just(kind)}, optional=optional)


_BY_KIND: Dict[str, st.SearchStrategy[Dict[str, Any]]] = {}


def message_of_type(kind: Optional[str] = None) -> st.SearchStrategy[Dict[str, Any]]:
    """A realistic message of ``kind`` (any type when None), fields sometimes odd.

    Args:
        kind: One of :data:`MESSAGE_TYPES`, or None for any.
    """
    kinds = [kind] if kind else list(MESSAGE_TYPES)
    for name in kinds:
        if name not in _BY_KIND:
            _BY_KIND[name] = _build_message(name)
    return st.one_of(*[_BY_KIND[name] for name in kinds])


def messages() -> st.SearchStrategy[Dict[str, Any]]:
    """A realistic message of any type (see :func:`message_of_type`)."""
    return message_of_type(None)


def odd_messages() -> st.SearchStrategy[Dict[str, Any]]:
    """A dict whose well-known fields (and a few others) hold any JSON value."""
    fields = {name: json_values(6) for name in FIELD_NAMES}
    fields["type"] = st.one_of(st.sampled_from(MESSAGE_TYPES + ("Track", "unknown")),
                               json_scalars())
    return st.fixed_dictionaries({}, optional=fields)


def any_messages() -> st.SearchStrategy[Dict[str, Any]]:
    """Realistic, odd, or entirely arbitrary JSON objects."""
    return st.one_of(messages(), odd_messages(), json_objects(8))
