"""Page and Screen accessors."""

import pytest

from facade import Page, Screen, Track


@pytest.mark.parametrize("cls, kind", [(Page, "page"), (Screen, "screen")])
def test_type(cls, kind):
    assert cls({}).type() == cls({}).action() == kind


def test_category_and_name_are_top_level():
    f = Page({"name": "Home", "category": "Docs", "properties": {"name": "p", "category": "c"}})
    assert f.name() == "Home"
    assert f.category() == "Docs"


@pytest.mark.parametrize("cls", [Page, Screen])
def test_property_proxies(cls):
    f = cls({"properties": {"title": "T", "Path": "/p", "url": "u"}})
    assert f.title() == "T"
    assert f.path() == "/p"
    assert f.url() == "u"
    assert cls({}).title() is None


def test_properties_mix_in_name_and_category():
    f = Page({"name": "Home", "category": "Docs", "properties": {"name": "p", "x": 1}})
    assert f.properties() == {"name": "Home", "x": 1, "category": "Docs"}
    assert Page({"properties": {"name": "p"}}).properties() == {"name": "p"}
    assert Page({"name": ""}).properties() == {}
    assert Page({}).properties() == {}


def test_properties_aliases():
    f = Page({"name": "Home", "properties": {"url": "u", "title": "t"}})
    assert f.properties({"url": "$url"}) == {"title": "t", "name": "Home", "$url": "u"}
    assert f.properties({"title": "title"})["title"] == "t"  # 1:1 keeps its key
    assert f.properties({"name": "page_name"})["page_name"] == "Home"


@pytest.mark.parametrize("msg, expected", [
    ({"context": {"traits": {"email": "c@x.io"}}, "properties": {"email": "p@x.io"}}, "c@x.io"),
    ({"properties": {"email": "p@x.io"}}, "p@x.io"),
    ({"userId": "u@x.io"}, "u@x.io"),
    ({"userId": "u"}, None),
])
def test_email(msg, expected):
    assert Page(msg).email() == expected


@pytest.mark.parametrize("msg, expected", [
    ({"name": "Home", "category": "Docs"}, "Docs Home"),
    ({"name": "Home"}, "Home"),
    ({"category": "Docs"}, None),
    ({}, None),
])
def test_full_name(msg, expected):
    assert Page(msg).full_name() == expected


@pytest.mark.parametrize("cls, name, expected", [
    (Page, "Home", "Viewed Home Page"),
    (Page, None, "Loaded a Page"),
    (Page, "", "Loaded a Page"),
    (Screen, "Home", "Viewed Home Screen"),
    (Screen, None, "Loaded a Screen"),
])
def test_event(cls, name, expected):
    assert cls({}).event(name) == expected


def test_referrer():
    assert Page({"context": {"page": {"referrer": "r"}}}).referrer() == "r"
    assert Page({"properties": {"referrer": "p"}}).referrer() == "p"
    assert Screen({"context": {"referrer": {"url": "x"}}}).referrer() == "x"


@pytest.mark.parametrize("cls, event", [(Page, "Viewed Docs Home Page"),
                                        (Screen, "Viewed Docs Home Screen")])
def test_track(cls, event):
    f = cls({"type": cls({}).type(), "name": "Home", "category": "Docs", "timestamp": "2014",
             "properties": {"url": "u"}})
    t = f.track(f.full_name())
    assert isinstance(t, Track)
    assert t.type() == "track"
    assert t.event() == event
    assert t.properties() == {"url": "u", "category": "Docs", "name": "Home"}
    assert t.timestamp() == f.timestamp()
    assert t.json()["type"] == "track"
    assert f.track().event() == "Loaded a " + cls.__name__
