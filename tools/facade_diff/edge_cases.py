"""Hand-made edge cases for the facade differential (see ``corpus.py``).

Each awkward value is put where the accessors that read it will see it: money amounts in
``revenue``/``total``/``discount``, names in ``traits.name``/``firstName``, addresses in
``email`` and ``userId``, dates in ``timestamp``/``created``/``birthday``, and so on; then
come the cases the issue names and a few structural oddities.
"""

from __future__ import annotations

from typing import Any, Dict, List

# Every character JavaScript's String.prototype.trim strips, and some it does not.
WHITESPACE = ["\t", "\n", "\u000b", "\u000c", "\r", " ", "\u00a0", "\u1680", "\u2000",
              "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff",
              "\u0085", "\u001c", "\u001d", "\u001e", "\u001f", "\u200b", "\u180e"]

MONEY: List[Any] = [
    "\u001c12", "\u001d12", "\u001e12", "\u001f12", "\ufeff12", "\u00a012", "\u200b12",
    "\u3000 12", "\u202812", "\u0085 12", "\t\n12", "12\u0000", "$12", "$ 12", "12$", "$-5",
    "-$5", "1,234.50", "1e3", "1E-2", "1e", ".5", "-.5", "+.5", "5.", "0x10", "0b1", "0o7",
    "Infinity", "-Infinity", "+Infinity", "NaN", "infinity", "12px", "\uff11\uff12", "١٢",
    "  ", "", "0", "-0", "00", "1_000", "\u221212", "12.5.6", "..5", "1e1000", "-1e1000",
    "9007199254740993", 0, -0.0, 12, 12.5, -3, 1e300, True, False, None, [], {}, [12],
    {"amount": 12},
]

NAMES: List[Any] = [w + "Ada Lovelace" + w for w in WHITESPACE] + [
    "Ada", "  ", "", "Ada  Lovelace", " Ada Lovelace", "Ada\tLovelace", "Ada\u00a0Lovelace",
    "Ada Lovelace Byron", "Ada ", 5, None, True, ["Ada"], {"first": "Ada"},
]

EMAILS: List[Any] = [
    "a@b.c", "a\r@b.c", "a\n@b.c", "a@b\n.c", "a@b.\nc", "a\u2028@b.c", "a@b\u2029.c",
    "a\u0085@b.c", "\r\n@b.c", "a@@b.c", "@b.c", "a@.c", "a@b.", "a@b", "a.b@c", " a@b.c ",
    "a\u00a0@b.c", "a\t@b.c", "x\u2028y@b.c", "a@b\u2028c.d", "", 5, None, ["a@b.c"],
]

DATES: List[Any] = [
    "0099-12-31T23:59:59.999Z", "0099-12-31T23:59:59.999+00:00", "0001-01-01T00:00:00.000Z",
    "0000-01-01T00:00:00.000Z", "0050-06-15", "0100-01-01T00:00:00.000Z",
    "Thu Jan 02 2014 10:00:00 GMT+0100 (CET)", "Thu Jan 02 2014 10:00:00 GMT-0500 (EST)",
    "Thu Jan 02 2014 10:00:00 GMT+0530", "Thu Jan 02 2014 10:00:00 GMT", "Jan 02 2014",
    "Thu Jan 02 2014", "Thu, 02 Jan 2014 10:00:00 +0100", "Thu, 02 Jan 2014 10:00:00 GMT",
    "02 Jan 2014 10:00 EST", "January 2, 2014 10:00 PM", "2 Jan 2014 10:00:00 PST",
    "2014-01-02 10:00:00 +01:00", "+002014-01-01T00:00:00Z", "+002014-01-01T00:00:00.000Z",
    "-000001-01-01T00:00:00Z", "+275760-09-13T00:00:00.000Z", "+275760-09-13T00:00:00.001Z",
    "\uff12\uff10\uff11\uff14-01-01T00:00:00Z", "２０１４", "2014-01-01T00:00:00.000Z\u00a0",
    "2014-01-01T24:00:00Z", "2014-02-29T00:00:00Z", "2016-02-29T00:00:00Z",
    "2014-01-01T00:00:60Z", "2014-01-01T00:00:00.1Z", "2014-01-01T00:00:00.12345678Z",
    "2014-01-01T00:00:00,5Z", "2014-01-01T00:00Z", "2014-01-01T0000Z", "2014-01-01T00",
    "2014-01-01T00:00:00+01", "2014-01-01T00:00:00+0100", "2014-01-01T00:00:00 +01:00",
    "20140101T000000Z", "201401", "2014-01-01t00:00:00z", "2014-1-01", "14-01-01",
    "1/2/2014", "1/2/14", "2014/1/2", "1.2.2014", "2014.01.02", "Jan 2014", "2014 Jan 2",
    "12:00", "noon", "yesterday", "1388534400000", "1388534400", "-1388534400",
    "13885344000001", "abc1388534400def", "1388534400.5", "0", "-1", "1e12", "   ",
    1388534400, 1388534400000, 31557599999, 31557600000, -1, 0, 0.5, 1e20, -1e20, 8.64e15,
    8.64e15 + 1, -8.64e15, True, False, None, [], {}, [2014],
]


def _track(props: Dict[str, Any], event: Any = "Order Completed") -> Dict[str, Any]:
    return {"type": "track", "event": event, "userId": "u1", "properties": props,
            "timestamp": "2014-01-01T00:00:00.000Z"}


def _identify(traits: Any, **extra: Any) -> Dict[str, Any]:
    msg = {"type": "identify", "userId": "u1", "traits": traits,
           "timestamp": "2014-01-01T00:00:00.000Z"}
    msg.update(extra)
    return msg


def edge_cases() -> List[Dict[str, Any]]:
    """The hand-made messages, in a fixed order."""
    cases: List[Dict[str, Any]] = [
        # The examples.
        {"type": "track", "properties": {"id": "i1", "order_id": "o1"}},
        _identify({"first_name": "  fn  ", "firstName": " Fn "}),
        {"type": "track", "userId": "u1", "context": {"traits": {"user_id": "raw"}}},
        _track({"revenue": "\u001c12"}), _track({"total": "\u001c12"}, "Order Completed"),
        _track({"revenue": "\ufeff12"}),
        _identify({"email": "a\r@b.c"}), {"type": "identify", "userId": "a\r@b.c"},
        {"type": "track", "timestamp": "0099-12-31T23:59:59.999Z"},
        {"type": "track", "timestamp": "Thu Jan 02 2014 10:00:00 GMT+0100 (CET)"},
        {"type": "track", "timestamp": "+002014-01-01T00:00:00Z"},
        {"type": "track", "timestamp": "\uff12014-01-01T00:00:00Z"},
        {"type": "alias", "previousId": "p", "userId": "u"},
        {"type": "alias", "from": "p", "to": "u"},
        {"type": "alias", "previousId": "", "from": "f", "userId": 0, "to": "t"},
    ]
    for value in MONEY:
        cases.append(_track({"revenue": value, "value": 3}, "Signed Up"))
        cases.append(_track({"total": value, "tax": "1", "shipping": 2, "discount": value},
                            "Order Completed"))
        cases.append(_track({"total": 100, "tax": value, "shipping": value,
                             "discount": "5"}, "Completed Order"))
    for value in NAMES:
        cases.append(_identify({"name": value}))
        cases.append(_identify({"firstName": value, "lastName": value}))
    for value in EMAILS:
        cases.append(_identify({"email": value}, userId=value))
        cases.append({"type": "track", "userId": value, "properties": {}})
        cases.append({"type": "group", "groupId": value, "traits": {"name": "g"}})
        cases.append({"type": "page", "userId": value, "context": {"traits": {}}})
    for value in DATES:
        cases.append({"type": "track", "event": "e", "timestamp": value})
        cases.append(_identify({"created": value, "birthday": value,
                                "company": {"createdAt": value}}))
        cases.append({"type": "group", "groupId": "g", "traits": {"createdAt": value}})
    cases += [
        # Aliases whose source is an accessor name, in both spellings.
        _identify({"firstName": "F", "first_name": "f", "lastName": "L", "name": "N"}),
        {"type": "track", "userId": "u",
         "properties": {"orderId": "O", "order_id": "o", "productId": "P", "product_id": "p",
                        "revenue": "$5"}},
        {"type": "group", "groupId": "g", "traits": {"createdAt": "2014-01-01",
                                                     "created": 1, "email": "e@x.io"}},
        # Key case and separators.
        _identify({"FIRST NAME": "Ada", "Last-Name": "L", "E_MAIL": "x", "Email": "E@x.io"}),
        {"type": "track", "properties": {"REVENUE": 5, "Total": 7, "order-id": "o"}},
        {"type": "track", "properties": {"": "empty key", "a.b": 1, "a": {"b": 2}}},
        {"type": "track", "properties": {"a": {"b": 2}, "a.b": 1}},
        {"type": "track", "properties": {"1": "one", "b": 2, "0": "zero"}},
        {"type": "track", "properties": {"products": [None, {"sku": "s"}, None, 5, "x"]}},
        {"type": "track", "properties": {"products": {"0": {"sku": "s"}}}},
        {"type": "track", "properties": None}, {"type": "track", "properties": []},
        {"type": "track", "properties": "props"}, {"type": "identify", "traits": []},
        {"type": "identify", "traits": "t"},
        {"type": "group", "traits": {}, "properties": {"name": "from properties"}},
        # Context shapes.
        {"type": "track", "context": None}, {"type": "track", "context": []},
        {"type": "track", "context": "ctx"},
        {"type": "track", "options": {}, "context": {"ip": "c"}},
        {"type": "track", "options": {"ip": "o"}, "context": {"ip": "c"}},
        {"type": "track", "context": {"library": {"name": 5}}},
        {"type": "track", "context": {"library": "analytics-ios"}},
        {"type": "track", "context": {"library": {"name": "analytics-android"},
                                      "device": {"type": ""}}},
        {"type": "track", "context": {"providers": {"Segment": False, "all": False}}},
        {"type": "track", "integrations": {"All": False, "segment": True}},
        {"type": "track", "integrations": {"all": False, "Segment": {"k": 1}}},
        {"type": "track", "integrations": {"providers": {"Segment": False}}},
        {"type": "track", "context": {"Customer.io": False}},
        {"type": "track", "integrations": "yes"}, {"type": "track", "integrations": []},
        # Types and timestamps.
        {}, {"type": None}, {"type": 5}, {"type": "TRACK", "event": "E"},
        {"action": "identify", "traits": {"email": "a@b.co"}}, {"type": "Screen", "name": "S"},
        {"type": "delete", "userId": "u"}, {"type": "track", "timestamp": None},
        {"type": "page", "name": 0, "category": 0}, {"type": "page", "name": "N",
                                                     "category": True},
        {"type": "screen", "name": 1.5, "category": "C", "properties": {"name": "p"}},
        # Strings that look like ISO dates anywhere in the message.
        {"type": "track", "properties": {"when": "2014-01-01", "later": "2014-01-01T10:00",
                                         "odd": "2014-01-01X", "list": ["2014-01-02"]}},
    ]
    return cases
