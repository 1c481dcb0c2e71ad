"""The messages our facade is compared on with the JavaScript original.

``python tools/facade_diff/corpus.py OUT.json [--seed N] [--count N]`` writes
``{"seed": N, "cases": [{"id", "message"}, ...]}``: the hand-made edge cases of
``edge_cases.py`` followed by ``count`` messages from a seeded generator that mixes
realistic Segment messages with awkward values (numbers as strings, dates of every
shape, odd whitespace, aliases, nested traits, snake_case and camelCase keys).
The same seed always gives the same corpus.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))

from edge_cases import edge_cases  # noqa: E402

TYPES = ["track", "identify", "page", "screen", "group", "alias", "delete", "Track", "IDENTIFY",
         None, "unknown"]
EVENTS = ["Order Completed", "Completed Order", "order_completed", "  Order Completed",
          "Product Viewed", "Signed Up", "Viewed Product", "Order Completed Foo", "", "Foo",
          "completed order ", "checkout started", None, 5]
NAMES = ["Ada Lovelace", "  Grace  Hopper ", "Alan", "\u00a0Linus Torvalds\u00a0",
         "\ufeffBom Name", "Tab\tSeparated", "line\nbreak name", "", "Mary Ann Evans",
         "\u2003Em Space", "\u0085Next Line", "\u001fUnit Sep", "Zoë Ångström"]
EMAILS = ["ada@example.com", "ADA@EXAMPLE.COM", "not-an-email", "a\r@b.c", "a@b", "a@b.c",
          "\u2028@b.c", "x@y.\u2029z", "user@sub.domain.org ", "", None, 42]
DATE_STRINGS = [
    "2014-01-01T00:00:00.000Z", "2014-01-01T10:00:00+02:00", "2014-01-01T10:00:00.123456Z",
    "2014-01-01", "2014-01", "2014", "20140101", "2014-01-01 10:00:00", "2014-01-01T10:00",
    "2014-01-01T10:00:00-0530", "2014-13-45T25:61:61Z", "0099-12-31T23:59:59.999Z",
    "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "1999-12-31T23:59:59,5Z",
    "Thu Jan 02 2014 10:00:00 GMT+0100 (CET)", "Thu, 02 Jan 2014 10:00:00 GMT",
    "Jan 2, 2014", "2 January 2014 10:00 UTC", "5/12/2015", "12/31/1999 23:59:59",
    "+002014-01-01T00:00:00Z", "-000001-01-01T00:00:00Z", "2014-01-01T00:00:00.000+00:00",
    "1388534400000", "1388534400", "ts 1388534400123 ms", "\uff12\uff10\uff11\uff14-01-01",
    "not a date", "", "   ", "2014-02-30", "2014-1-1", "2014/01/01", "01-02-2014",
    "Tuesday", "2014-01-01T00:00:00Z ", " 2014-01-01", "2014-01-01T00:00:00.000Z\n",
    "2021-06-01T12:30:45.678Z", "1970-01-01T00:00:00.000Z", "2014-W01",
]
NUMBERS: List[Any] = [0, 1, -1, 12, 12.5, 19.99, 1e21, -0.0, 100, 3.14159, 0.1, 1e-7, 2 ** 53,
                      "12", "12.50", "$12.50", "$1,200", " 42 ", "\ufeff12", "\u001c12",
                      "\u000b12", "\u00a012", "\u200b12", "1e3", "0x1A", ".5", "5.", "-$3",
                      "$$4", "abc", "", "Infinity", "-Infinity", "NaN", "١٢", "12abc",
                      "  ", True, False, None, [], {}, [1], "0", "00012", "+7", "1_000"]
STRINGS = ["x", "", " ", "Hello", "  padded  ", "\t", "ünïcödé", "\u2028", "\ufeff", "0",
           "null", "undefined", "true", "2014-01-01T00:00:00.000Z", "a.b.c"]
LIBRARIES: List[Any] = ["analytics.js", "analytics-ios", "analytics-android", "",
                        {"name": "analytics-ios", "version": "4.1"},
                        {"name": "analytics-android"}, {"version": "1"}, {}, None, 5]
INTEGRATION_KEYS = ["Segment", "segment", "Webhooks", "HubSpot", "hub_spot", "Salesforce",
                    "Customer.io", "customer-io", "Mixpanel", "Google Analytics", "All", "all"]
TRAIT_KEYS = ["email", "Email", "firstName", "first_name", "lastName", "last_name", "name",
              "username", "userName", "phone", "phones", "website", "websites", "avatar",
              "photoUrl", "avatar_url", "position", "jobTitle", "job_title", "description",
              "background", "age", "birthday", "gender", "created", "createdAt",
              "created_at", "company", "address", "postalCode", "zip", "city", "country",
              "street", "state", "region", "id", "industry", "employees", "plan"]
PROPERTY_KEYS = ["revenue", "Revenue", "total", "subtotal", "tax", "shipping", "discount",
                 "value", "price", "quantity", "currency", "order_id", "orderId", "id",
                 "product_id", "productId", "sku", "name", "category", "products", "coupon",
                 "coupon_id", "cart_id", "checkout_id", "payment_id", "promotion_id",
                 "wishlist_id", "review_id", "shipping_method", "paymentMethod", "repeat",
                 "plan", "description", "username", "email", "referrer", "url", "path",
                 "title", "address", "city", "zip", "country", "created", "createdAt"]


def _pick(rng: random.Random, values: List[Any]) -> Any:
    return values[rng.randrange(len(values))]


def _scalar(rng: random.Random) -> Any:
    return _pick(rng, [_pick(rng, NUMBERS), _pick(rng, STRINGS), _pick(rng, DATE_STRINGS),
                       _pick(rng, NAMES), _pick(rng, EMAILS)])


def _value_for(rng: random.Random, key: str) -> Any:
    lowered = key.lower().replace("_", "")
    if rng.random() < 0.15:
        return _scalar(rng)
    if "email" in lowered:
        return _pick(rng, EMAILS)
    if lowered in ("name", "firstname", "lastname", "username"):
        return _pick(rng, NAMES)
    if "created" in lowered or lowered == "birthday":
        return _pick(rng, DATE_STRINGS + NUMBERS[:6])
    if lowered in ("revenue", "total", "subtotal", "tax", "shipping", "discount", "value",
                   "price", "quantity", "age", "employees"):
        return _pick(rng, NUMBERS)
    if lowered == "products":
        return [_product(rng) if rng.random() < 0.85 else None
                for _ in range(rng.randrange(4))]
    if lowered in ("address", "company"):
        return _address(rng) if lowered == "address" else {
            "name": _pick(rng, NAMES), "created": _pick(rng, DATE_STRINGS),
            "createdAt": _pick(rng, DATE_STRINGS)}
    if lowered in ("phones", "websites"):
        return [_pick(rng, STRINGS) for _ in range(rng.randrange(3))] \
            if rng.random() < 0.8 else _pick(rng, STRINGS)
    return _pick(rng, STRINGS + [rng.randrange(1000)])


def _product(rng: random.Random) -> Dict[str, Any]:
    keys = ["sku", "price", "quantity", "product_id", "name", "category"]
    return {k: _value_for(rng, k) for k in rng.sample(keys, rng.randrange(1, len(keys)))}


def _address(rng: random.Random) -> Dict[str, Any]:
    keys = ["city", "country", "postalCode", "postal_code", "zip", "street", "state", "region"]
    return {k: _pick(rng, STRINGS + NAMES) for k in rng.sample(keys, rng.randrange(len(keys)))}


def _object(rng: random.Random, keys: List[str], most: int) -> Dict[str, Any]:
    chosen = rng.sample(keys, rng.randrange(min(most, len(keys)) + 1))
    return {k: _value_for(rng, k) for k in chosen}


def _context(rng: random.Random) -> Dict[str, Any]:
    ctx: Dict[str, Any] = {}
    choices: Dict[str, Callable[[], Any]] = {
        "ip": lambda: _pick(rng, ["1.2.3.4", "", None, "::1"]),
        "userAgent": lambda: _pick(rng, ["Mozilla/5.0", "", None]),
        "user_agent": lambda: "snake-agent",
        "library": lambda: _pick(rng, LIBRARIES),
        "device": lambda: _pick(rng, [{"type": "ios"}, {"model": "x"}, {}, None, "phone",
                                      {"type": ""}]),
        "traits": lambda: _object(rng, TRAIT_KEYS, 6),
        "page": lambda: {"url": "https://x.test/a", "referrer": _pick(rng, STRINGS)},
        "referrer": lambda: {"url": _pick(rng, ["https://ref.test", "", None])},
        "timezone": lambda: _pick(rng, ["Europe/Paris", "", None]),
        "groupId": lambda: _pick(rng, ["g1", "", None, 0]),
        "active": lambda: _pick(rng, [True, False, None, 0, "", "yes"]),
        "locale": lambda: "fr-FR",
        "query": lambda: _pick(rng, ["q=1", {"a": 1}, None]),
        "providers": lambda: {k: _pick(rng, [True, False, {}]) for k in
                              rng.sample(INTEGRATION_KEYS, rng.randrange(3))},
        "all": lambda: _pick(rng, [True, False, "yes"]),
        "Customer.io": lambda: _pick(rng, [False, True, {"x": 1}]),
    }
    for key in rng.sample(list(choices), rng.randrange(len(choices) // 2)):
        ctx[key] = choices[key]()
    return ctx


def _integrations(rng: random.Random) -> Any:
    if rng.random() < 0.1:
        return _pick(rng, [None, "all", [], True])
    return {k: _pick(rng, [True, False, {"apiKey": "k"}, {}, "yes", 0]) for k in
            rng.sample(INTEGRATION_KEYS, rng.randrange(4))}


def message(rng: random.Random) -> Dict[str, Any]:
    """One generated message."""
    msg: Dict[str, Any] = {}
    kind = _pick(rng, TYPES)
    if kind is not None:
        msg["type" if rng.random() < 0.95 else "action"] = kind
    lowered = kind.lower() if isinstance(kind, str) else ""
    if rng.random() < 0.8:
        msg["userId"] = _pick(rng, ["u1", "user@example.com", "", None, 0, 123, "a\r@b.c",
                                    " u2 "])
    if rng.random() < 0.4:
        msg["anonymousId"] = _pick(rng, ["anon", "", None])
    if rng.random() < 0.1:
        msg["sessionId"] = "sess"
    if rng.random() < 0.1:
        msg["user_id"] = "snake-user"
    if rng.random() < 0.85:
        msg["timestamp"] = _pick(rng, DATE_STRINGS + NUMBERS[:8] + [None])
    if rng.random() < 0.3:
        msg["sentAt"] = _pick(rng, DATE_STRINGS)
    msg["messageId"] = "m-%d" % rng.randrange(10 ** 6)
    if rng.random() < 0.7:
        msg["context" if rng.random() < 0.9 else "options"] = _context(rng)
    if rng.random() < 0.4:
        msg["integrations"] = _integrations(rng)
    if rng.random() < 0.2:
        msg["channel"] = _pick(rng, ["server", "client", "mobile", ""])
    if lowered in ("track", "") or rng.random() < 0.1:
        msg["event"] = _pick(rng, EVENTS)
        msg["properties"] = _object(rng, PROPERTY_KEYS, 10)
    if lowered in ("identify", "group") or rng.random() < 0.15:
        msg["traits"] = _object(rng, TRAIT_KEYS, 10) if rng.random() < 0.95 else \
            _pick(rng, [None, "x", []])
    if lowered in ("page", "screen"):
        if rng.random() < 0.8:
            msg["name"] = _pick(rng, ["Home", "", None, "Docs", 7, "Pricing Page"])
        if rng.random() < 0.6:
            msg["category"] = _pick(rng, ["Docs", "", None, 3, "Blog"])
        msg["properties"] = _object(rng, PROPERTY_KEYS + ["title", "url", "path"], 6)
    if lowered == "group":
        msg["groupId"] = _pick(rng, ["g1", "group@example.com", "", None, 7])
        if rng.random() < 0.3:
            msg["properties"] = _object(rng, TRAIT_KEYS, 4)
    if lowered == "alias":
        for key in rng.sample(["previousId", "from", "to"], rng.randrange(4)):
            msg[key] = _pick(rng, ["p1", "", None, 0, "to-1"])
    return msg


def generate(seed: int, count: int) -> List[Dict[str, Any]]:
    """``count`` generated messages, always the same for the same seed."""
    rng = random.Random(seed)
    return [message(rng) for _ in range(count)]


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=20260115)
    parser.add_argument("--count", type=int, default=2500)
    args = parser.parse_args(argv)
    cases = [{"id": "edge-%03d" % i, "message": m} for i, m in enumerate(edge_cases())]
    cases += [{"id": "gen-%05d" % i, "message": m}
              for i, m in enumerate(generate(args.seed, args.count))]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"seed": args.seed, "cases": cases}, ensure_ascii=True))
    print("%s: %d messages" % (args.out, len(cases)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
