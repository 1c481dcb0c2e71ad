"""``@build(...)``: the typed spelling of an integration class, and the user typing file."""

import sys
from pathlib import Path

import pytest

from framework import Integration, build, errors, integration

sys.path.insert(0, str(Path(__file__).parents[1] / "typing"))

import integration_user  # noqa: E402


def test_the_typed_user_file_runs():
    responses = integration_user.run()
    assert len(responses) == 1 and responses[0].status_code == 200
    spec = integration_user.TypedAcme.spec()
    assert spec["name"] == "Typed Acme" and spec["slug"] == "typed-acme"
    assert spec["retries"] == 2 and spec["timeout"] == 3.0
    assert spec["methods"] == ["identify", "track"]
    assert [v["path"] for v in spec["validations"]] == ["apiKey", "needs_a_region"]


def test_build_is_the_same_as_subclassing_the_chain():
    chain = integration("Same").endpoint("https://same.test").mapping("events").retries(3)

    @build(chain)
    class Built(Integration):
        def track(self, msg):
            return self.events(msg.event())

    class Sub(integration("Same").endpoint("https://same.test").mapping("events").retries(3)):
        def track(self, msg):
            return self.events(msg.event())

    settings = {"events": {"Signed Up": "s1"}}
    message = {"type": "track", "event": "signed_up"}
    assert Built(settings).process(message) == Sub(settings).process(message) == ["s1"]
    assert Built.spec() == Sub.spec() | {"name": "Same"}
    assert Integration._endpoint is None and Integration.name == ""  # nothing leaked


def test_the_class_body_wins_and_bad_arguments_are_refused():
    @build(integration("Own").retries(2))
    class Own(Integration):
        name = "Own Name"

    assert Own.name == "Own Name" and Own._retries == 2
    with pytest.raises(TypeError, match="build\\(\\) expects"):
        build(Integration)
    with pytest.raises(TypeError, match="decorates an Integration subclass"):
        build(integration("X"))(dict)  # type: ignore[arg-type]
    assert isinstance(Own.invalid("x"), errors.ValidationError)
