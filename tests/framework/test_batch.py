"""``process_batch``: one outcome per message, aligned, one bad item never fails the rest."""

import pytest

from framework import errors, integration


class Bulk(integration("Bulk").ensure("message.userId").batch(size=2, methods=["track"])):
    def initialize(self):
        self.calls = []

    def track(self, msg):
        self.calls.append(("track", msg.event()))
        return "single"

    def identify(self, msg):
        self.calls.append(("identify", msg.user_id()))
        return "identified"

    def batch(self, items):
        self.calls.append(("batch", [m.event() for m in items]))
        return [errors.RejectedError("bad event") if m.event() == "bad" else f"ok-{m.event()}"
                for m in items]


def test_outcomes_are_aligned_with_the_messages():
    bulk = Bulk()
    outcomes = bulk.process_batch([
        {"type": "track", "userId": "u", "event": "a"},
        {"type": "track", "event": "no-user"},
        {"type": "identify", "userId": "u"},
        {"type": "track", "userId": "u", "event": "bad"},
        {"type": "track", "userId": "u", "event": "c"},
        {"type": "alias", "userId": "u"},
    ])
    assert outcomes[0] == ["ok-a"]
    assert isinstance(outcomes[1], errors.RejectedError) and "userId" in str(outcomes[1])
    assert outcomes[2] == ["identified"]
    assert isinstance(outcomes[3], errors.RejectedError) and str(outcomes[3]) == "bad event"
    assert outcomes[4] == ["ok-c"]
    assert isinstance(outcomes[5], errors.NotSupported)
    assert bulk.calls == [("identify", "u"), ("batch", ["a", "bad"]), ("batch", ["c"])]


def test_a_batch_that_raises_fails_only_its_own_items():
    class Failing(Bulk):
        def batch(self, items):
            if any(m.event() == "boom" for m in items):
                raise errors.RetryableError("later", retry_after=3)
            return ["ok"] * len(items)

    outcomes = Failing().process_batch([
        {"type": "track", "userId": "u", "event": "boom"},
        {"type": "track", "userId": "u", "event": "x"},
        {"type": "track", "userId": "u", "event": "y"},
    ])
    assert [type(o) for o in outcomes[:2]] == [errors.RetryableError] * 2
    assert outcomes[2] == ["ok"]


def test_misaligned_batch_results_are_a_programming_error():
    class Short(Bulk):
        def batch(self, items):
            return []

    with pytest.raises(errors.ProgrammingError, match="0 outcomes for 1 items"):
        Short().process_batch([{"type": "track", "userId": "u", "event": "x"}])


def test_without_a_batch_method_messages_go_one_by_one():
    class One(integration("One")):
        def track(self, msg):
            return msg.event()

    assert One().process_batch([{"type": "track", "event": "a"},
                                {"type": "track", "event": "b"}]) == [["a"], ["b"]]
    assert One.spec()["batch"] is None


def test_spec_reports_an_implemented_batch():
    assert Bulk.spec()["batch"]["implemented"] is True
    assert Bulk.spec()["batch"]["methods"] == ["track"]
