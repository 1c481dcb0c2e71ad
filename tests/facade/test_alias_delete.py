"""Alias and Delete."""

import pytest

from facade import Alias, Delete, Facade


@pytest.mark.parametrize("msg, previous, user", [
    ({"previousId": "p", "userId": "u"}, "p", "u"),
    ({"from": "p", "to": "u"}, "p", "u"),
    ({"previousId": "p", "from": "f", "userId": "u", "to": "t"}, "p", "u"),
    ({"previousId": "", "from": "f", "userId": "", "to": "t"}, "f", "t"),
    ({}, None, None),
])
def test_alias_ids(msg, previous, user):
    f = Alias(msg)
    assert f.type() == f.action() == "alias"
    assert f.previous_id() == previous
    assert f.user_id() == user
    assert f.proxy("previousId") == previous
    assert f.proxy("to") == user


def test_alias_traits_use_its_user_id():
    assert Alias({"to": "t", "context": {"traits": {"a": 1}}}).traits() == {"a": 1, "id": "t"}


def test_delete():
    f = Delete({"type": "delete", "userId": "u", "context": {"ip": "1"}})
    assert isinstance(f, Facade)
    assert f.type() == f.action() == "delete"
    assert f.user_id() == "u"
    assert f.ip() == "1"
    assert f.json()["type"] == "delete"
