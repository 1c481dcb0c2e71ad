"""No accessor raises on any JSON message (issue 14): arbitrary JSON in every field the
accessors read, every probe of the differential (its frozen probe list) called on it."""

from __future__ import annotations

from typing import Any, Dict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import facade

from test_differential import call, load

PROBES = load()["probes"]
_ODD_TEXT = st.sampled_from(["", " ", "\u001c12", "\ufeff1", "$5", "2014-01-01", "0099-01-01",
                             "Thu Jan 02 2014 10:00:00 GMT+0100 (CET)", "a\r@b.c", "Infinity",
                             "+002014-01-01T00:00:00Z", "(", ")", "1388534400000", "x.y"])
_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 60, 2 ** 60),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
                    _ODD_TEXT)
# Keys the accessors read (at any depth): each generated object may hold any of them.
_KNOWN = ["revenue", "total", "tax", "shipping", "discount", "subtotal", "value", "products",
          "name", "firstName", "lastName", "email", "created", "createdAt", "birthday", "age",
          "company", "address", "city", "zip", "postalCode", "library", "device", "traits",
          "providers", "all", "Segment", "page", "referrer", "url", "ip", "quantity",
          "currency", "phones", "websites", "id", "username"]
JSON = st.recursive(_SCALAR, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(_KNOWN), inner, max_size=3),
                    max_leaves=8)
VALUE = st.one_of(_SCALAR, _ODD_TEXT, JSON)  # mostly scalars, some containers
OBJECT = st.fixed_dictionaries({k: VALUE for k in _KNOWN})  # every key, random values
# Objects where the accessors expect them, usually; any JSON value now and then.
FIELD = st.one_of(OBJECT, OBJECT, OBJECT, JSON)
MESSAGE = st.fixed_dictionaries(
    {"properties": FIELD, "traits": FIELD, "context": FIELD},
    optional={"options": FIELD, "integrations": FIELD, "event": _SCALAR, "userId": JSON,
              "anonymousId": JSON, "timestamp": JSON, "name": _SCALAR, "category": _SCALAR,
              "groupId": JSON, "previousId": JSON, "from": JSON, "to": JSON, "channel": _SCALAR})


TYPES = ["track", "identify", "page", "screen", "group", "alias", "delete", "other"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=MESSAGE)
def test_every_accessor_answers_any_json_message(message: Dict[str, Any]) -> None:
    for kind in TYPES:  # the same body as every type
        msg = facade.create(dict(message, type=kind))
        for probe in PROBES[type(msg).__name__]:
            call(msg, probe)  # raising fails the test
