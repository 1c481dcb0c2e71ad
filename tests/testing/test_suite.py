"""The standard suite: each check passes on a sound integration and fails, clearly, on a
broken one. Suites run in throwaway projects with pytester (in-process)."""

import json
from importlib.metadata import EntryPoint

import pytest

import integrations
from framework import errors, integration
from framework.testing import IntegrationSuite

pytest_plugins = ["pytester"]

HEADER = '''
import logging

from framework import errors, integration
from framework.testing import IntegrationSuite


class Toy(integration("Toy").endpoint("https://toy.test").ensure("settings.apiKey")):
    def track(self, msg):
        return self.post("/t").set("Authorization", self.settings["apiKey"]).send(
            {"event": msg.event()}).end()

    def identify(self, msg):
        return self.post("/i").send({"id": msg.user_id()}).end()
'''


def suite(pytester, body, *fixtures):
    """A project with the toy integration, a suite module and fixtures of ``fixtures`` types."""
    pytester.makepyfile(test_toy=HEADER + body)
    folder = pytester.path / "tests" / "fixtures" / "toy"
    folder.mkdir(parents=True)
    for kind in fixtures:
        (folder / f"{kind}-basic.json").write_text(json.dumps({"input": {"type": kind}}))
    (folder / "broken.json").write_text("{")
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", "-v", "-rs", "test_toy.py")


SOUND = '''
class TestToy(IntegrationSuite):
    integration = Toy
    settings = {"apiKey": "toy-secret-key"}
    skip_checks = {"generated_messages"}
'''


def test_a_sound_integration_passes(pytester):
    result = suite(pytester, SOUND, "track", "identify")
    result.assert_outcomes(passed=6, skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED*standard check 'generated_messages' is in "
                                 "skip_checks*"])


def test_generated_messages_pass_on_a_sound_integration(pytester):
    body = SOUND.replace('skip_checks = {"generated_messages"}',
                         'hypothesis_settings = {"max_examples": 5, "deadline": None}')
    result = suite(pytester, body + "\n\nTestToy.skip_checks = {'test_spec'}\n", "track",
                   "identify")
    result.assert_outcomes(passed=6, skipped=1)


def test_unknown_check_names_fail(pytester):
    result = suite(pytester, SOUND.replace('"generated_messages"', '"nope"'), "track")
    result.assert_outcomes(errors=7)
    result.stdout.fnmatch_lines(["*TestToy.skip_checks names unknown check(s) nope; the checks "
                                 "are spec, unique_slug, *"])


def test_the_integration_must_be_set(pytester):
    result = suite(pytester, "class TestNothing(IntegrationSuite):\n    pass\n")
    result.assert_outcomes(errors=7)
    result.stdout.fnmatch_lines(["*set `integration = YourIntegration` on TestNothing*"])


def test_partner_tests_in_the_suite_class_are_left_alone(pytester):
    result = suite(pytester, SOUND + "\n    def test_mine(self):\n        assert True\n",
                   "track", "identify")
    result.assert_outcomes(passed=7, skipped=1)


@pytest.mark.parametrize("body, fixtures, check, message", [
    (SOUND, ["track"], "fixture_per_method",
     "*no fixture for identify in */tests/fixtures/toy; add e.g. identify-basic.json*"),
    (SOUND.replace('{"apiKey": "toy-secret-key"}', "{}"), ["track", "identify"],
     "required_settings", "*the suite's settings are invalid for a identify message: "
     "setting \"apiKey\" is required*"),
    (SOUND + "\nfrom framework.builder import Validation\n"
     "Toy.ensure('message.context.nothing')\nToy._validations = "
     "(Toy._validations[1], Validation('settings', 'apiKey', ('track',)))\n",
     ["track", "identify"], "required_settings",
     "*without setting 'apiKey', validate() raised RejectedError instead of ValidationError*"),
    (SOUND + "\nToy.setting('account.region', required=True)\n"
     "TestToy.settings = {'apiKey': 'toy-secret-key', 'account': {'region': 'eu'}}\n"
     "Toy.validate_settings = classmethod(lambda cls, settings: dict(settings))\n",
     ["track", "identify"], "required_settings",
     "*validate_settings() accepted settings without the required setting 'account.region'*"),
    (SOUND + "\nToy.identify = lambda self, msg: (_ for _ in ()).throw(errors.RejectedError("
     "'bad key ' + self.settings['apiKey']))\n", ["track", "identify"], "no_secret_leaks",
     "*the RejectedError for a identify message answered 200 contains the value of a secret "
     "setting (to...(14 chars))*"),
    (SOUND + "\nToy.identify = lambda self, msg: logging.getLogger('x').warning("
     "'key %s', self.settings['apiKey'])\n", ["track", "identify"], "no_secret_leaks",
     "*the log records contains the value of a secret setting*"),
])
def test_failing_checks_say_why(pytester, body, fixtures, check, message):
    result = suite(pytester, body, *fixtures)
    result.stdout.fnmatch_lines([f"*test_{check} FAILED*"])
    result.stdout.fnmatch_lines([message])


def test_generated_messages_fail_on_a_bug(pytester):
    body = SOUND.replace('skip_checks = {"generated_messages"}',
                         'hypothesis_settings = {"max_examples": 3, "deadline": None, '
                         '"phases": [__import__("hypothesis").Phase.generate]}')
    body += "\nToy.track = Toy.identify = lambda self, msg: {}['boom']\n"
    result = suite(pytester, body, "track", "identify")
    result.stdout.fnmatch_lines(["*test_generated_messages FAILED*"])
    result.stdout.fnmatch_lines(["*process() raised KeyError (not a framework.errors "
                                 "exception) for *"])


def test_a_slug_used_twice_fails(pytester, monkeypatch):
    monkeypatch.setattr(integrations, "available", lambda: {
        "toy": EntryPoint("toy", "test_toy:Toy", integrations.GROUP),
        "toy2": EntryPoint("toy2", "test_toy:Twin", integrations.GROUP),
        "broken": EntryPoint("broken", "no_such_module:X", integrations.GROUP)})
    body = SOUND + "\n\nclass Twin(integration('TOY')):\n    pass\n"
    result = suite(pytester, body, "track", "identify")
    result.stdout.fnmatch_lines(["*slug 'toy' is also used by test_toy:Twin (entry point "
                                 "'toy2')*"])


def test_an_entry_point_must_be_named_after_the_slug(pytester, monkeypatch):
    monkeypatch.setattr(integrations, "available", lambda: {
        "other-name": EntryPoint("other-name", "test_toy:Toy", integrations.GROUP)})
    result = suite(pytester, SOUND, "track", "identify")
    result.stdout.fnmatch_lines(["*Toy is registered as 'other-name' but its slug is 'toy'*"])


def test_spec_needs_a_method(pytester):
    body = SOUND + "\n\nclass Empty(integration('Empty')):\n    pass\n\n\n" \
        "class TestEmpty(IntegrationSuite):\n    integration = Empty\n" \
        "    skip_checks = ['generated_messages']\n"
    result = suite(pytester, body, "track")
    result.stdout.fnmatch_lines(["*Empty implements no method (identify, track, page, ...)*"])


# -- the generated-message check, directly ---------------------------------------------------

class Leaky(integration("Leaky").endpoint("https://leaky.test")):
    def track(self, msg):
        if msg.event() == "socket":
            import socket
            socket.create_connection(("203.0.113.3", 443))
        if msg.event() == "propfind":
            return self.request("PROPFIND", "/").end()
        if msg.event() == "leak":
            raise errors.RejectedError(f"token {self.settings['token']} refused")
        return self.post("/").send({}).end()


class LeakySuite(IntegrationSuite):
    integration = Leaky
    settings = {"token": "leaky-token-1"}


@pytest.mark.parametrize("event, message", [
    ("socket", "process\\(\\) raised NetworkBlocked"),
    ("propfind", "\\['PROPFIND'\\] requests could not be answered"),
    ("leak", "the RejectedError contains the value of a secret setting \\(le...\\(13 chars"),
])
def test_generated_run_failures(event, message):
    with pytest.raises(AssertionError, match=message):
        LeakySuite()._run_generated({"type": "track", "event": event}, 200)


def test_generated_run_accepts_framework_errors():
    LeakySuite()._run_generated({"type": "identify"}, 200)
    LeakySuite()._run_generated({"type": "track", "event": "ok"}, 503)


def test_secrets_are_found_at_any_depth():
    from framework.errors import mask, secret_values

    settings = {"apiKey": "top-level-key", "headers": {"Authorization": "Bearer deep-one"},
                "list": [{"token": "in-a-list"}], "plain": "not-secret", "password": "abc"}
    assert secret_values(settings) == ["Bearer deep-one", "top-level-key", "in-a-list"]
    assert mask(settings) == {
        "apiKey": "[REDACTED]", "headers": {"Authorization": "[REDACTED]"},
        "list": [{"token": "[REDACTED]"}], "plain": "not-secret", "password": "[REDACTED]"}
