"""The divergences from @segment/facade found by the differential, one test each.

``test_differential.py`` checks every accessor on the whole frozen corpus; these name the
behaviours (issue 14) so that a regression reads as what it is.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

from facade import Alias, Group, Identify, Page, Track, create, is_email, parse_timestamp
from facade.jsdate import parse
from facade.jsvalues import add, parse_float, subtract, to_number, to_string, trim


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


# -- aliases and proxy roots -------------------------------------------------------------

def test_a_snake_case_alias_source_is_the_raw_property_not_our_method():
    msg = Track({"type": "track", "properties": {"id": "i1", "order_id": "o1"}})
    assert msg.properties({"order_id": "orderId"}) == {"id": "i1", "orderId": "o1"}
    assert msg.properties({"orderId": "oid"}) == {"id": "i1", "order_id": "o1", "oid": "i1"}


def test_a_snake_case_trait_alias_takes_the_raw_trait():
    msg = Identify({"type": "identify", "traits": {"first_name": "  fn  "}})
    assert msg.traits({"first_name": "fn"}) == {"fn": "  fn  "}
    assert msg.traits({"firstName": "fn"})["fn"] == "fn"  # the accessor, trimmed


def test_user_id_alias_adds_nothing_without_a_raw_user_id_trait():
    msg = Track({"userId": "u1"})
    assert msg.traits({"user_id": "x"}) == {"id": "u1"}
    assert msg.traits({"userId": "x"}) == {"id": "u1", "x": "u1"}


def test_proxy_of_a_snake_case_first_segment_reads_the_raw_field():
    msg = Group({"type": "group", "groupId": "g", "group_id": "raw"})
    assert msg.proxy("groupId") == "g"
    assert msg.proxy("group_id") == "raw"


def test_alias_to_and_from():
    msg = Alias({"type": "alias", "from": "p", "to": "u"})
    assert (msg.from_(), msg.to()) == ("p", "u")
    assert (msg.previous_id(), msg.user_id()) == ("p", "u")


# -- numbers -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["\u001c12", "\u001d12", "\u001e12", "\u001f12"])
def test_information_separators_are_not_whitespace_and_never_raise(text):
    msg = Track({"event": "Order Completed", "properties": {"revenue": text, "total": text}})
    assert msg.revenue() is None
    assert msg.cents() == 0
    assert msg.subtotal() is None or isinstance(msg.subtotal(), (int, float, str))


@pytest.mark.parametrize("text, expected", [
    ("\ufeff12", 12), ("\u00a012", 12), ("\u3000 12.5", 12.5), ("$1,200", 1), ("-$5", -5),
    ("Infinity", math.inf), ("1e3", 1000), (".5", 0.5), ("\u200b12", None), ("0x10", 0),
    ("\u008512", None),
])
def test_revenue_strings_are_read_with_parse_float(text, expected):
    assert Track({"properties": {"revenue": text}}).revenue() == expected


def test_subtotal_uses_javascript_arithmetic():
    assert Track({"properties": {"total": 100, "discount": "5"}}).subtotal() == "1005"
    assert Track({"properties": {"total": "100", "tax": " 0x0A "}}).subtotal() == 90
    assert math.isnan(Track({"properties": {"total": 10, "tax": "x"}}).subtotal())


def test_javascript_value_helpers():
    assert parse_float(" \ufeff-1.5e2px") == -150
    assert math.isnan(parse_float("\u0085 1"))
    assert to_number("") == 0 and to_number([]) == 0 and to_number([7]) == 7
    assert math.isnan(to_number({})) and math.isnan(to_number("1 2"))
    assert to_string(1e21) == "1e+21" and to_string(1e-7) == "1e-7"
    assert to_string(0.1 + 0.2) == "0.30000000000000004" and to_string([1, None, "a"]) == "1,,a"
    assert add(1, 2) == 3 and add(1, [2]) == "12" and add(True, 1) == 2
    assert subtract("5", True) == 4


# -- strings -----------------------------------------------------------------------------

def test_trim_is_javascripts_set():
    assert trim("\ufeff\u00a0\u2028 x \u3000\t") == "x"
    assert trim("\u0085x\u001f") == "\u0085x\u001f"  # NEL and U+001F are not JS whitespace
    assert trim("\u200bx\u180e") == "\u200bx\u180e"


def test_name_accessors_trim_as_javascript_does():
    msg = Identify({"traits": {"name": "\ufeffAda Lovelace\u0085"}})
    assert msg.name() == "Ada Lovelace\u0085"
    assert msg.first_name() == "Ada"
    assert msg.last_name() == "Lovelace\u0085"


@pytest.mark.parametrize("text, expected", [
    ("a@b.c", True), ("a\r@b.c", False), ("a\n@b.c", False), ("a\u2028@b.c", False),
    ("a@b\u2029.c", False), ("a\u0085@b.c", True), ("x\ry@b.c", True), (["a@b.c"], True),
    (23, False), (None, False),
])
def test_email_detection_excludes_line_terminators(text, expected):
    assert is_email(text) is expected


def test_an_email_user_id_with_a_carriage_return_is_not_an_email():
    assert Identify({"userId": "a\r@b.c"}).email() is None
    assert Page({"userId": "a@b.c"}).email() == "a@b.c"


# -- dates -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("0099-12-31T23:59:59.999Z", utc(1999, 12, 31, 23, 59, 59, 999000)),
    ("Thu Jan 02 2014 10:00:00 GMT+0100 (CET)", utc(2014, 1, 2, 9)),
    ("Thu Jan 02 2014 10:00:00 GMT-0500 (EST)", utc(2014, 1, 2, 15)),
    ("+002014-01-01T00:00:00Z", utc(2014, 1, 1)),
    ("Thu, 02 Jan 2014 10:00:00 +0100", utc(2014, 1, 2, 9)),
    ("02 Jan 2014 10:00 EST", utc(2014, 1, 2, 15)),
    ("January 2, 2014 10:00 PM", utc(2014, 1, 2, 22)),
    ("Jan 5", utc(2001, 1, 5)),  # V8: no year is 2001
    ("5/12/2015", utc(2015, 5, 12)),
    ("2014/01/02", utc(2014, 1, 2)),
    ("2014-01-01T24:00:00Z", utc(2014, 1, 2)),
])
def test_timestamps_parse_as_node_does(text, expected):
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize("text", [
    "\uff12\uff10\uff11\uff14-01-01T00:00:00Z", "2014-01-01T00:00:00Z ", "not a date",
    "2014-13-01T00:00:00Z", "Tuesday", "-000000-01-01T00:00:00Z", "",
])
def test_what_node_rejects_we_reject(text):
    assert parse(text) is None or parse_timestamp(text) is None


def test_full_width_digits_are_not_digits():
    # V8 reads "２０１４" as an unknown word: only "-01-01" is left, i.e. 1 January 2001.
    assert parse_timestamp("\uff12\uff10\uff11\uff14-01-01") == utc(2001, 1, 1)
    assert parse_timestamp("\uff12\uff10\uff11\uff14-01-01T00:00:00Z") is None


def test_dates_outside_python_years_are_none():
    assert parse_timestamp("-000001-01-01T00:00:00Z") is None
    assert parse("-000001-01-01T00:00:00Z") == -62198755200000
    assert create({"type": "track", "timestamp": "+275760-09-13T00:00:00.000Z"}
                  ).timestamp() is None
