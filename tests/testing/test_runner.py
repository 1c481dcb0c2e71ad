"""run_fixture: output, request, response and error, each checked and each failing clearly."""

import pytest

from framework.testing import parse_fixture, run_fixture
from tester_toys import SETTINGS, Acme

USER = {"userId": "u1", "timestamp": "2014-01-01T00:00:00.000Z"}
IDENTIFY = dict(USER, type="identify")
BODY = {"id": "u1", "traits": {"id": "u1"}, "at": "2014-01-01T00:00:00.000Z"}
URL = "https://api.acme.test/v1/users"


def run(document, settings=SETTINGS):
    return run_fixture(Acme, parse_fixture(document, "/fixtures/acme/case.json"), settings)


def test_output_request_and_response():
    tester = run({"settings": {"apiKey": "fixture-key"}, "input": IDENTIFY, "output": BODY,
                  "request": {"method": "POST", "url": URL, "body": BODY,
                              "headers": {"Authorization": "Bearer fixture-key"}},
                  "response": {"status": 201, "body": {"ok": True}}})
    assert [e.status for e in tester.last.exchanges] == [201]


def test_only_output_does_not_run_the_pipeline():
    tester = run({"input": IDENTIFY, "output": BODY}, settings={})
    assert tester.last is None


def test_only_input_must_simply_succeed():
    assert run({"input": IDENTIFY}).last.exchanges
    with pytest.raises(Exception, match="setting \"apiKey\" is required"):
        run({"input": IDENTIFY}, settings={})


def test_a_raw_body_is_compared_as_text_even_with_a_question_mark():
    run({"input": {"type": "page", "name": "?x"},
         "request": {"method": "POST", "url": "https://api.acme.test/v1/pages",
                     "body": "name=%3Fx"}})
    with pytest.raises(AssertionError, match="expected the body to match"):
        run({"input": {"type": "page", "name": "?x"},
             "request": {"method": "POST", "url": "https://api.acme.test/v1/pages",
                         "body": "?x"}})


@pytest.mark.parametrize("extra, message", [
    ({"output": dict(BODY, id="u2")}, r"fixture 'case': mapper.identify\(\) returned"),
    ({"request": {"method": "GET", "url": URL}}, "expected method GET but got POST"),
    ({"request": {"method": "POST", "url": URL + "/x"}}, "expected the URL"),
    ({"request": {"method": "POST", "url": URL, "headers": {"X-A": "1"}}},
     "expected header 'X-A' to match '1' but got no such header"),
    ({"request": {"method": "POST", "url": URL, "body": {}}}, "expected JSON body {}"),
    ({"requests": [{"method": "POST", "url": URL}] * 2},
     r"expected 2 request\(s\) but 1 were made"),
    ({"error": {"code": "HTTP_ERROR"}}, "expected the integration to raise"),
    ({"response": {"status": 500}, "error": {"code": "TIMEOUT"}},
     "expected error code 'TIMEOUT' but got 'HTTP_ERROR'"),
    ({"response": {"status": 500}, "error": {"code": "HTTP_ERROR", "status": 503}},
     "expected error status 503 but got 500"),
    ({"response": {"status": 500}, "error": {"code": "HTTP_ERROR", "message": "nope"}},
     "expected error message 'nope'"),
])
def test_failures(extra, message):
    with pytest.raises(AssertionError, match=message):
        run(dict({"input": IDENTIFY}, **extra))


def test_an_error_fixture():
    tester = run({"input": IDENTIFY, "response": {"status": 503},
                  "requests": [{"method": "POST", "url": URL}] * 3,
                  "error": {"code": "HTTP_ERROR", "status": 503, "message": "answered 503"}})
    assert len(tester.last.sleeps) == 2


def test_the_response_status_must_come_back():
    with pytest.raises(AssertionError, match=r"expected the run to return a 202 response but "
                                             r"it returned statuses \[200\]"):
        run_fixture(Redirecting, parse_fixture({"input": IDENTIFY,
                                                "response": {"status": 202}}), SETTINGS)


class Redirecting(Acme):
    """Answers with a response of its own, whatever the endpoint said."""

    def identify(self, payload):
        super().identify(payload)
        fake = type("R", (), {"status_code": 200})()
        return [fake]
