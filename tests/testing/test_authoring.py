"""What a partner writing an integration tripped on (issue 14, part 2), one test each."""

import json
import re

import pytest

from framework import errors, integration
from framework.testing import IntegrationTester
from framework.testing.fixtures import FixtureError, parse_fixture
from framework.testing.runner import run_fixture


# -- mappers and ensure functions reach the integration ----------------------------------

class Mapper:
    @staticmethod
    def track(msg, settings, integration):
        return {"event": msg.event(), "ids": integration.events(msg.event())}

    @staticmethod
    def identify(msg, settings):  # today's two-argument signature keeps working
        return {"userId": msg.user_id()}


def needs_a_token(msg, settings, integration):
    if not settings.get("token"):
        return integration.invalid("%s needs a token", integration.name)
    return None


class Mapped(integration("Mapped").endpoint("https://mapped.test").mapping("events")
             .ensure(needs_a_token).mapper(Mapper)):
    def track(self, payload):
        return self.post("/t").send(payload).end()

    def identify(self, payload):
        return self.post("/i").send(payload).end()


SETTINGS = {"token": "t", "events": {"Signed Up": "e1", "signed_up": "e2"}}


def test_a_mapper_with_a_third_parameter_gets_the_integration():
    (IntegrationTester(Mapped, SETTINGS).track({"event": "Signed Up", "userId": "u"})
        .sends({"event": "Signed Up", "ids": ["e1", "e2"]}).end())
    (IntegrationTester(Mapped, SETTINGS).identify({"userId": "u"})
        .sends({"userId": "u"}).end())


def test_an_ensure_function_with_a_third_parameter_gets_the_class():
    error = IntegrationTester(Mapped, {}).invalid({"userId": "u"}).validation_error
    assert isinstance(error, errors.ValidationError) and str(error) == "Mapped needs a token"


def test_maps_passes_the_integration_too(tmp_path):
    (tmp_path / "track-ids.json").write_text(json.dumps({
        "settings": SETTINGS, "input": {"type": "track", "event": "Signed Up"},
        "output": {"event": "Signed Up", "ids": ["e1", "e2"]}}))
    IntegrationTester(Mapped, fixtures=tmp_path).maps("track-ids")


def test_bound_methods_and_varargs_are_recognised():
    from framework.callables import takes_integration

    class Holder:
        def two(self, msg, settings):
            return None

        def three(self, msg, settings, integration):
            return None

    assert not takes_integration(Holder().two) and takes_integration(Holder().three)
    assert takes_integration(lambda *args: None) and not takes_integration(len)


# -- the tester ------------------------------------------------------------------------

class Plain(integration("Plain").endpoint("https://plain.test").ensure("message.userId")):
    def track(self, msg):
        return self.post("/t").type("json").send({"event": msg.event()}).end()


def test_sends_accepts_a_bytes_pattern():
    # issue 14: re.compile(rb'...') used to crash (a bytes pattern searched in text)
    (IntegrationTester(Plain).track({"event": "E", "userId": "u"})
        .sends(re.compile(rb'"event":\s*"E"')).end())
    with pytest.raises(AssertionError, match="expected the body to match"):
        (IntegrationTester(Plain).track({"event": "E", "userId": "u"})
            .sends(re.compile(rb'"event":\s*"F"')).end())


class Bulk(integration("Bulk").endpoint("https://bulk.test").ensure("message.userId")
           .batch(size=10, methods=["track"])):
    def track(self, msg):
        return self.post("/track").send({"event": msg.event()}).end()

    def batch(self, items):
        ok = [m for m in items if m.event() != "bad"]
        response = self.post("/import?strict=1").send(
            {"batch": [{"event": m.event()} for m in ok]}).end()
        return [errors.RejectedError("bad event") if m.event() == "bad" else [response]
                for m in items]


def test_a_batch_goes_through_batch_and_gives_one_outcome_per_message():
    outcomes = (IntegrationTester(Bulk).batch([
        {"event": "a", "userId": "u"}, {"event": "bad", "userId": "u"}, {"event": "b"}])
        .requests(1).url("https://bulk.test/import?strict=1")
        .sends({"batch": [{"event": "a"}]})
        .outcomes(["delivered", {"code": "MESSAGE_REJECTED", "message": "bad event"},
                   {"code": "MESSAGE_REJECTED", "message": "userId"}])
        .end())
    assert len(outcomes) == 3 and isinstance(outcomes[2], errors.RejectedError)


def test_a_batch_without_outcomes_must_deliver_everything():
    with pytest.raises(AssertionError, match="message 1: expected it delivered but got "
                                             "RejectedError"):
        IntegrationTester(Bulk).batch([{"event": "a", "userId": "u"},
                                       {"event": "bad", "userId": "u"}]).end()


def test_wrong_outcomes_are_each_reported():
    with pytest.raises(AssertionError) as failed:
        (IntegrationTester(Bulk).batch([{"event": "a", "userId": "u"}, {"event": "b"}])
            .outcomes([{"code": "HTTP_ERROR"}, "delivered"]).end())
    text = str(failed.value)
    assert "Bulk batch of 2: 2 assertion(s) failed" in text
    assert "message 0: expected error HTTP_ERROR but got delivered" in text
    assert "message 1: expected it delivered but got RejectedError (MESSAGE_REJECTED)" in text


def test_outcomes_and_batch_refuse_bad_arguments():
    tester = IntegrationTester(Bulk)
    with pytest.raises(ValueError, match=r"outcomes\(\)\[0\]: an error outcome needs"):
        tester.outcomes([{"status": 400}])
    with pytest.raises(TypeError):
        tester.batch({"event": "a"})
    with pytest.raises(ValueError):
        tester.batch([])
    with pytest.raises(AssertionError, match="for a batch state each message's outcome"):
        tester.batch([{"event": "a"}]).error()


# -- batch fixtures ----------------------------------------------------------------------

def batch_fixture(**extra):
    document = {"batch": [{"type": "track", "event": "a", "userId": "u"},
                          {"type": "track", "event": "bad", "userId": "u"}],
                "request": {"method": "POST", "url": "https://bulk.test/import?strict=1",
                            "body": {"batch": [{"event": "a"}]}},
                "outcomes": ["delivered", {"code": "MESSAGE_REJECTED"}]}
    document.update(extra)
    return parse_fixture(document, "track-batch.json")


def test_a_batch_fixture_runs_the_batch():
    tester = run_fixture(Bulk, batch_fixture())
    assert [e.url for e in tester.last.exchanges] == ["https://bulk.test/import?strict=1"]


def test_a_batch_fixture_fails_on_a_wrong_outcome():
    with pytest.raises(AssertionError, match="message 1: expected it delivered"):
        run_fixture(Bulk, batch_fixture(outcomes=["delivered", "delivered"]))


@pytest.mark.parametrize("change, problem", [
    ({"input": {"type": "track"}}, '"input" does not apply to a "batch" fixture'),
    ({"batch": []}, '"batch" must be a non-empty list'),
    ({"batch": [{"event": "a"}]}, '"batch\\[0\\].type" must be specified'),
    ({"outcomes": ["delivered"]}, '"outcomes" must list one outcome per message \\(2\\)'),
    ({"outcomes": ["ok", "delivered"]}, '"outcomes"\\[0\\]: an outcome is "delivered"'),
])
def test_malformed_batch_fixtures_are_refused(change, problem):
    with pytest.raises(FixtureError, match=problem):
        batch_fixture(**change)


def test_outcomes_need_a_batch():
    with pytest.raises(FixtureError, match='"outcomes" belongs to a "batch" fixture'):
        parse_fixture({"input": {"type": "track"}, "outcomes": ["delivered"]})
