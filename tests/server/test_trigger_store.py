"""framework.server.trigger_store: hashed tokens, revocation, firings."""

from __future__ import annotations

import sqlite3

import pytest

from framework.server.trigger_store import Firing, TriggerStore, hash_secret


@pytest.fixture
def store(tmp_path):
    now = iter(float(t) for t in range(1000, 2000))
    with TriggerStore(tmp_path / "triggers.sqlite3", clock=lambda: next(now)) as opened:
        yield opened


def test_create_keeps_only_hashes(store, tmp_path):
    created = store.create("generic-trigger", "webhooks", {"hooks": ["http://x"]},
                           shared_secret=True)
    assert created.url == f"/triggers/{created.token}"
    assert len(created.token) >= 43, "32 random bytes, base64url"
    assert created.secret and created.secret != created.token
    with sqlite3.connect(tmp_path / "triggers.sqlite3") as db:
        dump = "\n".join(db.iterdump())
    assert created.token not in dump and created.secret not in dump
    assert hash_secret(created.token) in dump
    trigger = store.find(created.token)
    assert trigger == created.trigger
    assert (trigger.manifest, trigger.integration, trigger.settings) == \
        ("generic-trigger", "webhooks", {"hooks": ["http://x"]})
    assert trigger.destination == f"trigger/{trigger.id}"


def test_tokens_are_unique_and_unknown_ones_find_nothing(store):
    first = store.create("m", "webhooks", {})
    second = store.create("m", "webhooks", {})
    assert first.token != second.token and first.trigger.id != second.trigger.id
    assert store.find("not-a-token") is None
    assert store.find(first.token[:-1]) is None


def test_shared_secret_check(store):
    with_secret = store.create("m", "webhooks", {}, shared_secret=True)
    without = store.create("m", "webhooks", {})
    assert store.check_secret(with_secret.trigger, with_secret.secret)
    assert not store.check_secret(with_secret.trigger, None)
    assert not store.check_secret(with_secret.trigger, with_secret.secret + "x")
    assert store.check_secret(without.trigger, None)


def test_revoke(store):
    created = store.create("m", "webhooks", {})
    assert store.revoke(created.trigger.id)
    assert store.find(created.token) is None
    assert store.get(created.trigger.id).revoked_at is not None
    assert not store.revoke(created.trigger.id), "already revoked"
    assert not store.revoke(999)


def test_firings_are_recorded_and_counted(store):
    a = store.create("m", "webhooks", {}).trigger
    b = store.create("m", "webhooks", {}).trigger
    store.record(Firing(a.id, 1.0, "CPU high", False, "queued"))
    store.record(Firing(a.id, 2.0, "a test alert", True, "test"))
    store.record(Firing(b.id, 3.0, "", False, "unauthorized"))
    assert [f.event_name for f in store.firings(a.id)] == ["CPU high", "a test alert"]
    assert [f.outcome for f in store.firings()] == ["queued", "test", "unauthorized"]
    assert [f.outcome for f in store.firings(limit=1)] == ["unauthorized"]
    listed = {t.id: t for t in store.triggers()}
    assert (listed[a.id].firings, listed[a.id].last_fired_at) == (2, 2.0)
    assert (listed[b.id].firings, listed[b.id].last_fired_at) == (1, 3.0)


def test_triggers_survive_reopening(tmp_path):
    path = tmp_path / "t.sqlite3"
    with TriggerStore(path) as store:
        created = store.create("m", "webhooks", {"a": 1})
    with TriggerStore(path) as store:
        assert store.find(created.token).settings == {"a": 1}
