"""Dates: isodate, new-date and isodate-traverse semantics."""

from datetime import date, datetime, timedelta, timezone

import pytest

from facade import Track, create, format_iso, is_iso, iso_value, parse_iso, parse_timestamp
from facade import to_millis

UTC = timezone.utc


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("text, expected", [
    ("2014", utc(2014, 1, 1)),
    ("2014-01", utc(2014, 1, 1)),
    ("2014-02", utc(2014, 2, 1)),
    ("20140101", utc(2014, 1, 1)),
    ("2014-03-04", utc(2014, 3, 4)),
    ("2014-03-04T05:06", utc(2014, 3, 4, 5, 6)),
    ("2014-03-04T05:06:07", utc(2014, 3, 4, 5, 6, 7)),
    ("2014-03-04T05:06:07Z", utc(2014, 3, 4, 5, 6, 7)),
    ("2014-03-04T05:06:07.123Z", utc(2014, 3, 4, 5, 6, 7, 123000)),
    ("2014-03-04T05:06:07.1Z", utc(2014, 3, 4, 5, 6, 7, 100000)),
    ("2014-03-04T05:06:07.123456789Z", utc(2014, 3, 4, 5, 6, 7, 123000)),  # truncated to ms
    ("2014-03-04T05:06:07,5Z", utc(2014, 3, 4, 5, 6, 7, 500000)),
    ("2014-03-04T05:06:07+02:00", utc(2014, 3, 4, 3, 6, 7)),
    ("2014-03-04T05:06:07-0530", utc(2014, 3, 4, 10, 36, 7)),
    ("2014-03-04T05:06:07.250+05:30", utc(2014, 3, 3, 23, 36, 7, 250000)),
    ("2014-03-04T05:06:07+01", utc(2014, 3, 4, 4, 6, 7)),
    ("2014-03-04 05:06:07", utc(2014, 3, 4, 5, 6, 7)),  # space: wall clock read as UTC
    ("20140304T0506", utc(2014, 3, 4, 5, 6)),
    # fields out of range roll over like Date.UTC
    ("2014-02-30", utc(2014, 3, 2)),
    ("2014-13-01", utc(2015, 1, 1)),
    ("2014-00-00", utc(2014, 1, 1)),
    ("2024-01-01T24:00:00.000Z", utc(2024, 1, 2)),
    ("0014-01-01", utc(1914, 1, 1)),  # Date.UTC maps years 0-99 to 1900-1999
])
def test_parse_iso(text, expected):
    assert parse_iso(text) == expected
    assert parse_timestamp(text) == expected
    assert parse_timestamp(text).tzinfo is UTC


@pytest.mark.parametrize("text", ["", "abc", "2014-1-1", "14", "2014-01-01T", "2014-01-01T1",
                                  "2014-01-01Z", "2014-01-01T10:00:00+1", "２０１４",
                                  "2014-01-01\n"])
def test_not_iso(text):
    assert parse_iso(text) is None
    assert not is_iso(text, strict=False)


@pytest.mark.parametrize("text, strict, expected", [
    ("2014-01-01", True, True),
    ("2014-01-01T00:00:00Z", True, True),
    ("2014", True, False),
    ("2014", False, True),
    ("20140101", True, False),
    ("20140101", False, True),
    ("2014-01", True, False),
    (20140101, False, False),
])
def test_is_iso(text, strict, expected):
    assert is_iso(text, strict) is expected


@pytest.mark.parametrize("value, expected", [
    (0, utc(1970, 1, 1)),
    (1, utc(1970, 1, 1, 0, 0, 1)),
    (1388534400, utc(2014, 1, 1)),  # seconds
    (1388534400.5, utc(2014, 1, 1, 0, 0, 0, 500000)),
    (31557599999, datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=31557599999)),
    (31557600000, utc(1971, 1, 1, 6)),  # from here on, milliseconds
    (1388534400000, utc(2014, 1, 1)),
    (1388534400123.9, utc(2014, 1, 1, 0, 0, 0, 123000)),  # truncated
    (-1, utc(1969, 12, 31, 23, 59, 59)),
    ("1388534400000", utc(2014, 1, 1)),  # 13 digits: milliseconds
    ("x1388534400000y", None),  # parseInt of a non-number
    ("1388534400000 ms", utc(2014, 1, 1)),
    ("1388534400", utc(2014, 1, 1)),  # 10 digits: seconds
    ("5/12/2015", utc(2015, 5, 12)),  # free-form, naive read as UTC
    ("Tue, 01 Jan 2014 10:00:00 GMT", utc(2014, 1, 1, 10)),
    ("2014-01-01T00:00:00+01:00", utc(2013, 12, 31, 23)),
    (datetime(2014, 1, 1, 1, tzinfo=timezone(timedelta(hours=1))), utc(2014, 1, 1)),
    (datetime(2014, 1, 1), utc(2014, 1, 1)),  # naive: UTC
    (date(2014, 1, 2), utc(2014, 1, 2)),
])
def test_parse_timestamp(value, expected):
    assert parse_timestamp(value) == expected


@pytest.mark.parametrize("value", [
    None, "", "   ", "not a date", {}, [], {"a": 1}, float("nan"),
    float("inf"), 10 ** 20, -(10 ** 20), "9999999999999999999",
])
def test_parse_timestamp_unparseable(value):
    assert parse_timestamp(value) is None


def test_parse_timestamp_reads_booleans_and_lists_as_new_date_does():
    assert parse_timestamp(True) == datetime(1970, 1, 1, 0, 0, 0, 1000, tzinfo=timezone.utc)
    assert parse_timestamp(False) == datetime(1970, 1, 1, tzinfo=timezone.utc)
    assert parse_timestamp([2014]) == datetime(2014, 1, 1, tzinfo=timezone.utc)


def test_iso_value_is_strict_and_keeps_other_values():
    assert iso_value("2014-01-01") == utc(2014, 1, 1)
    assert iso_value("2014-01-01T10:20:30.456Z") == utc(2014, 1, 1, 10, 20, 30, 456000)
    assert iso_value("2014") == "2014"
    assert iso_value("20140101") == "20140101"
    assert iso_value("2014-01-01 is a date") == "2014-01-01 is a date"
    assert iso_value(5) == 5
    assert iso_value(None) is None


def test_format_iso_and_millis():
    dt = utc(2014, 1, 1, 10, 20, 30, 456789)
    assert format_iso(dt) == "2014-01-01T10:20:30.456Z"
    assert format_iso(datetime(2014, 1, 1)) == "2014-01-01T00:00:00.000Z"
    plus2 = datetime(2014, 1, 1, 2, tzinfo=timezone(timedelta(hours=2)))
    assert format_iso(plus2) == "2014-01-01T00:00:00.000Z"
    assert format_iso(utc(5, 1, 1)) == "0005-01-01T00:00:00.000Z"
    assert to_millis(dt) == 1388571630456
    assert to_millis(utc(1969, 12, 31, 23, 59, 59, 999000)) == -1
    assert to_millis(datetime(1970, 1, 1, 0, 0, 1)) == 1000
    parsed = parse_timestamp("2024-04-21T22:49:43.052Z")
    assert format_iso(parsed) == "2024-04-21T22:49:43.052Z"
    assert to_millis(parsed) == 1713739783052


def test_missing_timestamp_is_time_of_construction():
    before = datetime.now(UTC)
    ts = Track({}).timestamp()
    after = datetime.now(UTC)
    assert before <= ts <= after
    assert ts.tzinfo is UTC
    assert before <= Track({"timestamp": None}).timestamp() <= datetime.now(UTC)


def test_unparseable_timestamp_is_none_and_raw_is_kept():
    f = create({"type": "track", "timestamp": "yesterday at noon-ish"})
    assert f.timestamp() is None
    assert f.raw_event()["timestamp"] == "yesterday at noon-ish"
    assert f.json()["timestamp"] is None


def test_timestamp_read_twice_is_equal():
    f = Track({"timestamp": "2014"})
    assert f.timestamp() == f.timestamp() == utc(2014, 1, 1)
    assert f.field("timestamp") == utc(2014, 1, 1)
    assert f.proxy("timestamp") == utc(2014, 1, 1)


def test_strict_iso_strings_anywhere_become_datetimes_when_read():
    msg = {
        "type": "identify",
        "traits": {"created": "2014-01-01", "nested": [{"at": "2015-02-03T04:05:06Z"}],
                   "year": "2014", "text": "2014-01-01 and more"},
        "context": {"when": "2016-01-01T00:00:00.000Z"},
        "sentAt": "2017-01-01T00:00:00Z",
    }
    f = create(msg)
    traits = f.traits()
    assert traits["created"] == utc(2014, 1, 1)
    assert traits["nested"][0]["at"] == utc(2015, 2, 3, 4, 5, 6)
    assert traits["year"] == "2014"
    assert traits["text"] == "2014-01-01 and more"
    assert f.context()["when"] == utc(2016, 1, 1)
    assert f.proxy("context.when") == utc(2016, 1, 1)
    assert f.field("sentAt") == utc(2017, 1, 1)
    assert f.proxy("sentAt") == utc(2017, 1, 1)
    assert f.json()["sentAt"] == utc(2017, 1, 1)
    assert msg["traits"]["created"] == "2014-01-01"  # the caller's dict is untouched
    assert f.raw_event()["sentAt"] == "2017-01-01T00:00:00Z"
