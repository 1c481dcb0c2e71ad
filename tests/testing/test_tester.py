"""IntegrationTester: declarations, validation, mapping, requests and terminators."""

import json
import re

import pytest
import requests

import facade
from framework import errors
from framework.testing import FixtureError, IntegrationTester
from tester_toys import SETTINGS, Acme

USER = {"userId": "u1", "timestamp": "2014-01-01T00:00:00.000Z"}


def make(settings=SETTINGS, **kwargs):
    return IntegrationTester(Acme, settings, **kwargs)


def write(folder, name, document):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(document))


def fails(match):
    return pytest.raises(AssertionError, match=match)


# -- construction ---------------------------------------------------------------------------

def test_settings_are_copied_in_and_never_leak_back():
    given = {"apiKey": "k-123456", "nested": {"a": 1}}
    one = IntegrationTester(Acme, given)
    given["nested"]["a"] = 2
    one.set("nested", {"a": 3}).set({"region": "us"})
    assert given == {"apiKey": "k-123456", "nested": {"a": 2}}
    assert one.settings == {"apiKey": "k-123456", "nested": {"a": 3}, "region": "us"}
    assert IntegrationTester(Acme, given).settings["nested"] == {"a": 2}


def test_an_instance_gives_its_settings_and_empty_settings_stay_empty():
    instance = Acme({"apiKey": "from-instance"})
    assert IntegrationTester(instance).settings == {"apiKey": "from-instance"}
    assert IntegrationTester(instance, {}).settings == {}
    assert IntegrationTester(Acme).settings == {}
    assert repr(IntegrationTester(Acme)) == "<IntegrationTester 'Acme'>"


@pytest.mark.parametrize("bad", [object(), dict, "Acme"])
def test_only_integrations_can_be_tested(bad):
    with pytest.raises(TypeError, match="expected integration"):
        IntegrationTester(bad)


def test_settings_must_be_a_dict():
    with pytest.raises(TypeError, match="settings must be a dict, got list"):
        IntegrationTester(Acme, [])


# -- declarations -----------------------------------------------------------------------------

def test_declarations_chain():
    (make().name("Acme").channels(["mobile", "server"]).ensure("settings.apiKey")
        .ensure("message.userId", methods=["identify"]).retries(2).timeout("3s")
        .timeout(3).timeout("3000ms").endpoint("https://api.acme.test/v1"))


def test_channels_never_change_the_integration():
    make().channels(["server", "mobile"])
    assert Acme._channels == ("server", "mobile")


@pytest.mark.parametrize("call, message", [
    (lambda t: t.name("Acme2"), "expected name to be 'Acme2' but it's 'Acme'"),
    (lambda t: t.channels(["server"]),
     r"expected channels \['server'\] but the integration declares \['mobile', 'server'\]"),
    (lambda t: t.ensure("settings.token"),
     "expected integration to have validation for 'settings.token' "
     r"\(declared: settings.apiKey, message.userId\)"),
    (lambda t: t.ensure("message.userId", methods=["track"]),
     r"expected validation 'message.userId' for methods \['track'\] but it applies to "
     r"\['identify'\]"),
    (lambda t: t.ensure("settings.apiKey", methods=["track"]), "applies to every method"),
    (lambda t: t.ensure(lambda m, s: None), "validation for '<lambda>'"),
    (lambda t: t.retries(3), "expected retries to be 3 but it's 2"),
    (lambda t: t.timeout("2s"), r"expected timeout to be 2s \('2s'\) but it's 3s"),
    (lambda t: t.endpoint("https://x.test"),
     "expected endpoint to be 'https://x.test' but it's 'https://api.acme.test/v1'"),
])
def test_declaration_failures_say_what_was_expected(call, message):
    with fails(message):
        call(make())


def test_ensure_finds_function_rules():
    def rule(msg, settings):
        return None

    checked = type("Checked", (Acme,), {}).ensure(rule)
    IntegrationTester(checked).ensure(rule)
    with fails("validation for 'rule'"):
        IntegrationTester(Acme).ensure(rule)


# -- validation -------------------------------------------------------------------------------

def test_valid_and_invalid():
    t = make()
    assert t.valid({"userId": "u1"}) is t
    assert t.invalid({"userId": "u1"}, {}) is t
    error = t.validation_error
    assert isinstance(error, errors.ValidationError) and "apiKey" in str(error)
    assert isinstance(t.invalid({"type": "identify"}).validation_error, errors.RejectedError)
    t.valid(facade.create({"type": "identify", "userId": "u1"}))
    t.invalid({"userId": "u1"}, {"apiKey": ""}, match=re.compile("apiKey"))


def test_invalid_chains_like_every_other_check():
    # issue 14: invalid() used to return the error, so .valid() after it failed
    t = make()
    assert t.invalid({"userId": "u1"}, {}).valid({"userId": "u1"}).invalid(
        {"type": "identify"}) is t


def test_valid_failure_names_the_error():
    with fails(r"expected .validate\(msg, settings\) to pass for a identify message but it "
               r"raised RejectedError \(MESSAGE_REJECTED\): message attribute \"userId\""):
        make().valid({"type": "identify"})


def test_invalid_failures():
    with fails("to return an error for a track message, but it passed"):
        make().invalid({"userId": "u1"})
    with fails("expected the validation error to match 'token' but it was ValidationError"):
        make().invalid({}, {}, match="token")


def test_a_message_must_be_a_dict_or_a_facade():
    with pytest.raises(TypeError, match="expected a message dict or a facade, got list"):
        make().valid([])


# -- fixtures and mapping ---------------------------------------------------------------------

@pytest.fixture
def fixtures(tmp_path):
    folder = tmp_path / "acme"
    write(folder, "identify-basic", {
        "input": dict(USER, type="identify", traits={"email": "a@b.test"}),
        "output": {"id": "u1", "traits": {"email": "a@b.test", "id": "u1"},
                   "at": "2014-01-01T00:00:00.000Z"}})
    write(folder, "order", {
        "settings": {"region": "us"},
        "input": dict(USER, type="track", event="Order Completed",
                      properties={"orderId": "o1"}),
        "output": {"order": "o1", "at": "2014-01-01T00:00:00.000Z"}})
    write(folder, "track-region", {
        "settings": {"region": "us"},
        "input": dict(USER, type="track", event="Signed Up"),
        "output": {"event": "Signed Up", "userId": "u1", "region": "us"}})
    write(folder, "track-wrong", {
        "input": dict(USER, type="track", event="Signed Up"),
        "output": {"event": "Signed Up", "userId": "u2", "region": "eu"}})
    write(folder, "alias-none", {"input": dict(USER, type="alias"), "output": {}})
    write(folder, "page-basic", {"input": dict(USER, type="page"), "output": {}})
    write(folder, "no-output", {"input": dict(USER, type="track")})
    return folder


def test_maps_compares_after_a_json_round_trip(fixtures):
    t = make(fixtures=fixtures)
    t.maps("identify-basic").maps("order")
    t.maps("track-region")
    assert t.settings == SETTINGS  # the fixture's settings were laid over a copy


def test_maps_failure_shows_a_diff(fixtures):
    with fails(r"(?s)fixture 'track-wrong': mapper.track\(\) returned .*expected .*"
               r"--- expected.*\+\+\+ actual.*-  \"userId\": \"u2\".*\+  \"userId\": \"u1\""):
        make(fixtures=fixtures).maps("track-wrong")


def test_maps_ignores_keys_for_that_call_only(fixtures):
    make(fixtures=fixtures).maps("track-wrong", ignored=["userId"])


@pytest.mark.parametrize("name, message", [
    ("alias-none", r"integration.mapper.alias\(\) returned None"),
    ("page-basic", r"integration.mapper.page\(\) is missing"),
    ("no-output", 'has no "output" to compare'),
])
def test_maps_failures(fixtures, name, message):
    with fails(message):
        make(fixtures=fixtures).maps(name)


def test_maps_with_another_mapper(fixtures):
    other = type("M", (), {"page": staticmethod(lambda msg, settings: {})})
    t = make(fixtures=fixtures)
    assert t.mapper() is Acme._mapper
    assert t.mapper(other) is t and t.mapper() is other
    t.maps("page-basic")


def test_fixture_is_a_deep_copy(fixtures):
    t = make(fixtures=[fixtures])
    first = t.fixture("order")
    first["input"]["event"] = "changed"
    assert t.fixture("order.json")["input"]["event"] == "Order Completed"
    assert t.fixture_dirs() == [fixtures]


def test_a_missing_fixture_lists_what_there_is(fixtures):
    with pytest.raises(FixtureError, match=r"no fixture 'nope' in .*\(available: alias-none, "):
        make(fixtures=fixtures).fixture("nope")


def test_default_fixtures_are_read_only_when_asked_for(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    t = make()
    assert t.fixture_dirs() == []
    with pytest.raises(FixtureError, match="no fixtures folder found"):
        t.fixture("x")
    write(tmp_path / "tests" / "fixtures" / "acme", "x", {"input": {"type": "track"}})
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert t.fixture("x")["input"] == {"type": "track"}


# -- requests ---------------------------------------------------------------------------------

def test_a_run_checks_body_headers_path_and_response():
    responses = (make().identify(dict(USER, traits={"plan": "pro"}))
                 .replies(201, {"ok": True}, {"X-Request-Id": "r1"})
                 .requests(1)
                 .request(0)
                 .method("post").url("https://api.acme.test/v1/users").pathname("/v1/users")
                 .sends({"id": "u1", "traits": {"plan": "pro", "id": "u1"},
                         "at": facade.parse_timestamp("2014-01-01T00:00:00.000Z")})
                 .sends_almost({"id": "u1"}, ignored=["traits", "at"])
                 .sends("Authorization", "Bearer k-123456")
                 .sends("Content-Type", re.compile("json$"))
                 .sends("X-Missing", None)
                 .sends(re.compile(r'"id":"u1"'))
                 .expects(201).expects({"ok": True}).expects("X-Request-Id", "r1")
                 .expects(re.compile("ok"))
                 .end())
    assert [r.status_code for r in responses] == [201]


def test_raw_body_and_form():
    (make().page({"name": "Home"}).sends("name=Home").sends(b"name=Home").sends({"name": "Home"})
        .sends("Content-Type", "application/x-www-form-urlencoded").end())


def test_query_assertions():
    (make().track({"event": "Signed Up", "userId": "u1"})
        .sends("?e=Signed+Up").sends("?n=1")
        .query({"e": "Signed Up", "n": "1"}).query("data", {"a": 1}, parse=json.loads)
        .query_almost("n", "1").query_almost({"e": "Signed Up"})
        .end())


@pytest.mark.parametrize("build, message", [
    (lambda t: t.query({"e": "Signed Up"}),
     r"expected the query \{\"e\":\"Signed Up\"\} but got \{"),
    (lambda t: t.query_almost("e", "Other"), r"expected \{\"e\":\"Other\"\} to exist in"),
    (lambda t: t.query("data", 1, parse=int), "could not parse query key 'data'"),
    (lambda t: t.sends("?e=Other"), "to include 'e=Other'"),
    (lambda t: t.pathname("/v1/event"),
     "expected the path '/v1/event' but got '/v1/events'"),
    (lambda t: t.method("POST"), "expected method POST but got GET"),
    (lambda t: t.url("https://api.acme.test/v1/events"), "expected the URL"),
    (lambda t: t.sends("Authorization", "Bearer nope"),
     r"expected header 'Authorization' to match 'Bearer nope' but got 'Bearer k-123456'"),
    (lambda t: t.sends("X-Nope", "1"), "to match '1' but got no such header"),
    (lambda t: t.sends("Authorization", None), "expected no header 'Authorization'"),
    (lambda t: t.sends({"a": 1}), "expected a JSON body equal to .* but the body is not JSON"),
    (lambda t: t.sends("text"), "expected the body 'text' but got ''"),
    (lambda t: t.sends(re.compile("x")), "expected the body to match /x/"),
    (lambda t: t.expects(500), "expected status 500 but got 200"),
    (lambda t: t.expects({"a": 1}), r"expected response body \{\"a\":1\} but got \{\}"),
    (lambda t: t.expects("X-A", "1"), "expected response header 'X-A' to match '1'"),
    (lambda t: t.expects("nope"), "expected response text to match 'nope' but got '{}'"),
])
def test_request_failures_name_the_request(build, message):
    t = make().track({"event": "Signed Up", "userId": "u1"})
    with fails(r"request 0 \(GET https://api.acme.test/v1/events\?e=Signed\+Up&n=1&data=.*\): .*"
               + message):
        build(t).end()


def test_no_query_string_is_reported():
    with fails("but the request has no query string"):
        make().identify(USER).query({"a": "1"}).end()


def test_response_assertions_when_the_request_raised():
    t = make().identify(USER).replies(raises=requests.ConnectTimeout, times=None)
    with fails(r"expected status 200 but the request got no response \(it raised "
               r"ConnectTimeout\)"):
        t.expects(200).error(code="TIMEOUT")
    for check in ({"a": 1}, "text"):
        with fails("but the request got no response"):
            t.identify(USER).replies(raises=requests.ConnectTimeout(), times=None) \
                .expects(check).error()
    with fails("expected response header 'X' but the request got no response"):
        t.identify(USER).replies(raises=requests.ConnectTimeout, times=None) \
            .expects("X", "1").error()


def test_every_failure_is_listed_with_the_requests_made():
    t = make().identify(USER).replies(503, times=None)
    with fails(r"(?s)Acme identify: 3 assertion\(s\) failed\n"
               r"  - expected 1 request\(s\) but 3 were made\n"
               r"  - request 0 \(POST .*\): expected status 200 but got 503\n"
               r"  - request 2 .*expected method GET but got POST\n"
               r"  requests made:\n    0\. POST https://api.acme.test/v1/users -> 503\n.*"
               r"  the integration raised HTTPError: POST .* answered 503"):
        t.requests(1).expects(200).request(2).method("GET").end()


def test_assertions_about_requests_that_were_not_made():
    with fails(r"assertions were made for 3 request\(s\) but only 1 request\(s\) were made"):
        make().identify(USER).request(2).expects(200).end()
    with fails("no request was made"):
        make().identify({}).requests(1).error()


def test_replies_are_used_in_order_then_200():
    t = make().identify(USER).replies(503).replies(502)
    t.request(0).expects(503).request(1).expects(502).request(2).expects(200).end()
    assert t.last.sleeps and len(t.last.sleeps) == 2  # retried, never slept
    assert [e.status for e in t.last.exchanges] == [503, 502, 200]


@pytest.mark.parametrize("times", [0, -1, True, 1.5])
def test_replies_times_must_be_a_count(times):
    with pytest.raises(ValueError, match="times must be a whole number"):
        make().replies(times=times)


@pytest.mark.parametrize("index", [-1, True, "1"])
def test_request_index_must_be_a_count(index):
    with pytest.raises(ValueError, match="request index"):
        make().request(index)


def test_sends_and_expects_arguments():
    with pytest.raises(TypeError, match="sends"):
        make().sends()
    with pytest.raises(TypeError, match="expects"):
        make().expects(1, 2, 3)


def test_a_message_is_needed():
    with fails("you must set a message first"):
        make().end()


def test_message_setters_force_the_type():
    t = make()
    for kind in ("identify", "track", "page", "screen", "group", "alias", "delete"):
        getattr(t, kind)({"type": "other", "userId": "u1"})
        assert t._message.type() == kind
    t.identify(facade.create({"type": "identify", "userId": "u1"}))
    t.identify(facade.create({"type": "track", "userId": "u1"}))
    assert t._message.type() == "identify"
    assert t.message({"userId": "u1"})._message.type() == "track"


# -- terminators ------------------------------------------------------------------------------

def test_end_re_raises_an_unexpected_integration_error():
    with pytest.raises(errors.HTTPError, match="answered 400"):
        make().identify(USER).replies(400).expects(400).end()
    with pytest.raises(errors.ValidationError):
        make({}).identify(USER).end()


def test_error_checks_status_message_and_code():
    t = make().identify(USER).replies(400, {"error": "bad"})
    error = t.error(400, "answered 400", code="HTTP_ERROR")
    assert isinstance(error, errors.HTTPError)
    assert make().identify(USER).replies(400).error("answered 400").status == 400
    make().identify(USER).replies(400).error(message=re.compile(r"answered \d+"))


@pytest.mark.parametrize("args, message", [
    ({"status": 500}, r"expected error status 500 but got 400 \(HTTPError \(HTTP_ERROR, "
                      r"status 400\): "),
    ({"message": "nope"}, "expected error message 'nope' but got 'POST"),
    ({"message": re.compile("nope")}, "expected error message /nope/"),
    ({"code": "TIMEOUT"}, "expected error code 'TIMEOUT' but got 'HTTP_ERROR'"),
])
def test_error_mismatches(args, message):
    with fails(message):
        make().identify(USER).replies(400).error(**args)


def test_error_when_nothing_was_raised():
    with fails(r"expected the integration to raise but it returned 1 response\(s\)"):
        make().identify(USER).error()


def test_a_bug_is_not_a_framework_error():
    with fails("expected a framework error but the integration raised KeyError: "
               "'a bug in group'"):
        make().group({"groupId": "g"}).error()
    with pytest.raises(KeyError):
        make().group({"groupId": "g"}).end()


def test_a_run_resets_the_assertions_and_replies_but_keeps_settings():
    t = make().identify(USER).replies(500, times=None).set("region", "us")
    t.error(500)
    t.identify(USER).requests(1).expects(200).end()
    assert t.settings["region"] == "us"


def test_an_instance_keeps_its_state_and_gets_its_settings_back():
    instance = Acme({"apiKey": "instance-key"})
    sleep = instance.policy.sleep
    t = IntegrationTester(instance, {"apiKey": "tester-key"})
    t.identify(USER).sends("Authorization", "Bearer tester-key").end()
    assert instance.settings == {"apiKey": "instance-key"}
    assert instance.policy.sleep is sleep
    assert t.instance is instance


def test_methods_the_sandbox_cannot_answer_are_reported():
    with fails("PROPFIND https://api.acme.test/v1/screens: the sandbox answers only GET"):
        make().screen({"name": "Home"}).error()


def test_real_connections_are_refused_and_reported():
    with fails(r"(?s)a real network connection to 203.0.113.9:80 was attempted \(refused\).*"
               "the integration raised NetworkBlocked"):
        make().alias({"previousId": "a"}).end()
