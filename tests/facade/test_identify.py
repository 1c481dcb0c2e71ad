"""Identify accessors."""

from datetime import datetime, timezone

import pytest

from facade import Identify

UTC = timezone.utc


def ident(traits=None, **fields):
    msg = dict(fields)
    if traits is not None:
        msg["traits"] = traits
    return Identify(msg)


def test_type():
    assert Identify({}).type() == Identify({}).action() == "identify"


def test_traits_are_top_level_plus_id():
    f = ident({"a": 1}, userId="u", context={"traits": {"ctx": 1}})
    assert f.traits() == {"a": 1, "id": "u"}
    assert ident().traits() == {}
    assert ident("nope", userId="u").traits() == {"id": "u"}
    assert ident({"id": "old"}, userId="u").traits() == {"id": "u"}


def test_traits_aliases():
    f = ident({"firstName": "Ada", "lastName": "Lovelace", "email": "a@b.co"}, userId="u")
    assert f.traits({"email": "$email", "firstName": "first"}) == {
        "lastName": "Lovelace", "id": "u", "$email": "a@b.co", "first": "Ada"}
    # a 1:1 alias keeps its key (the original deleted it in some classes)
    assert f.traits({"email": "email"})["email"] == "a@b.co"
    # the accessor's value is used: name() combines first and last
    assert f.traits({"name": "full"})["full"] == "Ada Lovelace"
    assert f.traits({"missing": "x"}) == f.traits()


@pytest.mark.parametrize("traits, user_id, expected", [
    ({"email": "a@b.co"}, None, "a@b.co"),
    ({"Email": "a@b.co"}, "x@y.zz", "a@b.co"),
    ({}, "x@y.zz", "x@y.zz"),
    ({}, "user_1", None),
    ({"email": ""}, "x@y.zz", "x@y.zz"),
    ({}, 23, None),
])
def test_email(traits, user_id, expected):
    assert ident(traits, userId=user_id).email() == expected


@pytest.mark.parametrize("traits, expected", [
    ({"created": "2014-01-01"}, datetime(2014, 1, 1, tzinfo=UTC)),
    ({"createdAt": "2014-01-01T10:00:00Z"}, datetime(2014, 1, 1, 10, tzinfo=UTC)),
    ({"created_at": 1388534400}, datetime(2014, 1, 1, tzinfo=UTC)),
    ({"created": "2014", "createdAt": "2015-01-01"}, datetime(2014, 1, 1, tzinfo=UTC)),
    ({"created": 0, "createdAt": 1388534400000}, datetime(2014, 1, 1, tzinfo=UTC)),
    ({"created": "garbage"}, None),
    ({}, None),
])
def test_created(traits, expected):
    assert ident(traits).created() == expected


def test_company():
    f = ident({"company": {"name": "Acme", "created": "2014-01-01"}})
    assert f.company_name() == "Acme"
    assert f.company_created() == datetime(2014, 1, 1, tzinfo=UTC)
    assert ident({"company": {"createdAt": 1388534400}}).company_created() == \
        datetime(2014, 1, 1, tzinfo=UTC)
    assert ident({}).company_name() is None
    assert ident({}).company_created() is None


@pytest.mark.parametrize("traits, name, first, last", [
    ({"name": "  Ada Lovelace  "}, "Ada Lovelace", "Ada", "a Lovelace"),  # original's quirk:
    # the space is found in the trimmed name but the untrimmed name is cut
    ({"name": "Ada King Lovelace"}, "Ada King Lovelace", "Ada", "King Lovelace"),
    ({"name": "Ada"}, "Ada", "Ada", None),
    ({"firstName": " Ada ", "lastName": " Lovelace "}, "Ada Lovelace", "Ada", "Lovelace"),
    ({"first_name": "Ada", "last_name": "Lovelace"}, "Ada Lovelace", "Ada", "Lovelace"),
    ({"firstName": "Ada"}, None, "Ada", None),
    ({"name": "Ada Lovelace", "firstName": "Augusta"}, "Ada Lovelace", "Augusta", "Lovelace"),
    ({"name": 5, "firstName": "A", "lastName": "B"}, "A B", "A", "B"),
    ({"name": 5}, None, None, None),
    ({}, None, None, None),
])
def test_names(traits, name, first, last):
    f = ident(traits)
    assert f.name() == name
    assert f.first_name() == first
    assert f.last_name() == last


def test_uid():
    assert ident({"username": "un", "email": "e@x.io"}, userId="u").uid() == "u"
    assert ident({"username": "un", "email": "e@x.io"}).uid() == "un"
    assert ident({"email": "e@x.io"}).uid() == "e@x.io"
    assert ident({}).uid() is None


@pytest.mark.parametrize("method, traits, expected", [
    ("description", {"description": "d", "background": "b"}, "d"),
    ("description", {"background": "b"}, "b"),
    ("avatar", {"avatar": "a", "photoUrl": "p"}, "a"),
    ("avatar", {"photo_url": "p"}, "p"),
    ("avatar", {"avatarUrl": "u"}, "u"),
    ("position", {"position": "p", "jobTitle": "j"}, "p"),
    ("position", {"job_title": "j"}, "j"),
    ("username", {"userName": "un"}, "un"),
    ("gender", {"gender": "f"}, "f"),
    ("address", {"address": {"city": "c"}}, {"city": "c"}),
    ("birthday", {"birthday": "1990-05-06"}, datetime(1990, 5, 6, tzinfo=UTC)),
    ("birthday", {"birthday": "May 6"}, "May 6"),
    ("website", {"website": "w"}, "w"),
    ("website", {"websites": ["w1", "w2"]}, "w1"),
    ("websites", {"websites": ["w1", "w2"]}, ["w1", "w2"]),
    ("websites", {"website": "w"}, ["w"]),
    ("websites", {}, []),
    ("phone", {"phone": "1"}, "1"),
    ("phone", {"phones": ["2", "3"]}, "2"),
    ("phones", {"phones": ["2", "3"]}, ["2", "3"]),
    ("phones", {"phone": "1"}, ["1"]),
    ("phones", {}, []),
    ("description", {}, None),
    ("avatar", {}, None),
])
def test_trait_accessors(method, traits, expected):
    assert getattr(ident(traits), method)() == expected


def test_age():
    assert ident({"age": 30}).age() == 30
    assert ident({"age": 0, "birthday": "1990-01-01"}).age() == 0
    year = datetime.now(UTC).year
    assert ident({"birthday": "1990-05-06"}).age() == year - 1990
    assert ident({"birthday": "not a date"}).age() is None
    assert ident({}).age() is None


def test_identify_does_not_read_context_traits():
    f = Identify({"context": {"traits": {"email": "c@x.io", "name": "Ctx"}}})
    assert f.email() is None
    assert f.name() is None
