"""Group accessors."""

from datetime import datetime, timezone

import pytest

from facade import Group

UTC = timezone.utc


def test_type_and_group_id():
    f = Group({"groupId": "g", "context": {"groupId": "ctx"}})
    assert f.type() == f.action() == "group"
    assert f.group_id() == "g"  # not context.groupId


def test_properties_are_traits_else_properties():
    assert Group({"traits": {"a": 1}, "properties": {"b": 2}}).properties() == {"a": 1}
    assert Group({"properties": {"b": 2}}).properties() == {"b": 2}
    assert Group({"traits": {}, "properties": {"b": 2}}).properties() == {}  # {} is truthy
    assert Group({}).properties() == {}


def test_traits_and_aliases():
    f = Group({"groupId": "g", "traits": {"name": "Acme", "size": 5}})
    assert f.traits() == {"name": "Acme", "size": 5, "id": "g"}
    renamed = f.traits({"size": "employees_count"})
    assert renamed == {"name": "Acme", "id": "g", "employees_count": 5}
    assert f.traits({"size": "size"})["size"] == 5  # 1:1 keeps its key
    assert Group({"traits": "x"}).traits() == {}


@pytest.mark.parametrize("msg, expected", [
    ({"traits": {"createdAt": "2014-01-01", "created": "2015-01-01"}},
     datetime(2014, 1, 1, tzinfo=UTC)),
    ({"traits": {"created": 1388534400}}, datetime(2014, 1, 1, tzinfo=UTC)),
    ({"properties": {"created_at": "2014"}}, datetime(2014, 1, 1, tzinfo=UTC)),
    ({}, None),
])
def test_created(msg, expected):
    assert Group(msg).created() == expected


@pytest.mark.parametrize("msg, expected", [
    ({"traits": {"email": "t@x.io"}, "groupId": "g@x.io"}, "t@x.io"),
    ({"groupId": "g@x.io"}, "g@x.io"),
    ({"groupId": "g"}, None),
])
def test_email(msg, expected):
    assert Group(msg).email() == expected


def test_trait_proxies():
    f = Group({"traits": {"Name": "Acme", "industry": "Software", "employees": 50}})
    assert (f.name(), f.industry(), f.employees()) == ("Acme", "Software", 50)
    assert Group({}).name() is None
