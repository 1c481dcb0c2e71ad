"""framework.server.segment_store: atomic, idempotent membership changes, conflicts."""

from __future__ import annotations

import sqlite3

import pytest

from framework import errors
from framework.server.segment_store import AppliedChange, MembershipChange, Segment, \
    SQLiteSegmentStore


def add(key, member, name="Cohort"):
    return MembershipChange(key, name, member, True)


def remove(key, member, name="Cohort"):
    return MembershipChange(key, name, member, False)


@pytest.fixture
def store(tmp_path):
    with SQLiteSegmentStore(tmp_path / "segments.sqlite3", clock=lambda: 1000.0) as opened:
        yield opened


def test_apply_creates_segments_with_sorted_members(store):
    touched = store.apply("env", "user", [add("amp-c1", "u2"), add("amp-c1", "u1"),
                                          add("amp-c2", "u3", name="Other")])
    assert touched == [AppliedChange("amp-c1", 1, added=2, created=True),
                       AppliedChange("amp-c2", 1, added=1, created=True)]
    assert store.get("env", "amp-c2") == Segment("env", "amp-c2", "Other", "user", ("u3",), 1)
    assert store.get("env", "amp-c1").to_dict() == {
        "key": "amp-c1", "name": "Cohort", "contextKind": "user", "included": ["u1", "u2"],
        "version": 1}
    assert store.get("other-env", "amp-c1") is None
    assert store.get("env", "amp-c3") is None


def test_removals_and_the_last_change_wins(store):
    store.apply("env", "user", [add("s", "a"), add("s", "b")])
    [applied] = store.apply("env", "user", [remove("s", "a"), add("s", "c"), remove("s", "c"),
                                            remove("s", "never-there")])
    assert applied == AppliedChange("s", 2, added=0, removed=1)
    assert store.get("env", "s").included == ("b",)


def test_a_segment_with_only_removals_is_created_empty(store):
    [applied] = store.apply("env", "user", [remove("s", "a")])
    assert applied == AppliedChange("s", 1, created=True)
    assert store.get("env", "s") == Segment("env", "s", "Cohort", "user", (), 1)


def test_applying_the_same_request_again_changes_nothing(store):
    changes = [add("s", "a"), add("s", "b"), remove("s", "z")]
    store.apply("env", "user", changes)
    first = store.get("env", "s")
    assert store.apply("env", "user", changes) == [AppliedChange("s", 1)]
    assert store.get("env", "s") == first
    assert first.version == 1


def test_a_rename_alone_is_a_new_version(store):
    store.apply("env", "user", [add("s", "a")])
    assert store.apply("env", "user", [add("s", "a", name="Renamed")]) == [AppliedChange("s", 2)]
    assert store.get("env", "s").name == "Renamed"


def test_another_context_kind_is_a_conflict_and_nothing_is_applied(store):
    store.apply("env", "user", [add("s1", "a")])
    with pytest.raises(errors.SegmentConflictError) as caught:
        store.apply("env", "device", [add("s2", "x"), add("s1", "b")])
    assert caught.value.status == 409
    assert "s1" in str(caught.value) and "'user'" in str(caught.value)
    assert store.get("env", "s2") is None, "the segment before the conflict was rolled back"
    assert store.get("env", "s1").included == ("a",)
    # the same cohort in another environment is another segment
    store.apply("env2", "device", [add("s1", "b")])
    assert store.get("env2", "s1").context_kind == "device"


def test_a_failure_midway_rolls_the_whole_request_back(store, monkeypatch):
    store.apply("env", "user", [add("s1", "a")])
    real = store._apply_one
    calls = []

    def failing(environment_id, context_kind, plan, now):
        calls.append(plan.key)
        if len(calls) == 2:
            raise sqlite3.OperationalError("disk I/O error")
        return real(environment_id, context_kind, plan, now)

    monkeypatch.setattr(store, "_apply_one", failing)
    with pytest.raises(sqlite3.OperationalError):
        store.apply("env", "user", [add("s1", "b"), add("s2", "c")])
    monkeypatch.undo()
    assert calls == ["s1", "s2"]
    assert store.get("env", "s1") == Segment("env", "s1", "Cohort", "user", ("a",), 1)
    assert store.get("env", "s2") is None
    # and the store still works afterwards
    store.apply("env", "user", [add("s2", "c")])
    assert store.get("env", "s2").included == ("c",)


def test_memberships_survive_reopening(tmp_path):
    path = tmp_path / "sub" / "segments.sqlite3"
    with SQLiteSegmentStore(path) as store:
        store.apply("env", "user", [add("s", "a")])
    with SQLiteSegmentStore(path) as store:
        assert store.get("env", "s").included == ("a",)
        assert [s.key for s in store.segments()] == ["s"]
        assert list(store.segments("nope")) == []
