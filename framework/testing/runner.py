"""The generic fixture runner: one fixture file, checked with the tester.

* ``output`` checks the mapper (:meth:`IntegrationTester.maps`);
* ``request`` checks each request made, in order (method, URL, headers, body); a list (or
  ``requests``) also fixes how many requests are made;
* ``response`` is what the fake endpoint answers to every request, and the status the run
  must end with;
* ``error`` is the framework error the run must end with (``code``, ``status``, ``message``);
* ``batch`` delivers its messages together (``Integration.process_batch``) and ``outcomes``
  states each one's result (every message delivered when absent).

The pipeline runs when the fixture states a request, a response or an error, or states no
``output`` (then it must simply succeed).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from .fixtures import Fixture
from .tester import IntegrationTester

__all__ = ["run_fixture"]


def run_fixture(integration: type, fixture: Fixture,
                settings: Mapping[str, Any] | None = None) -> IntegrationTester:
    """Check ``integration`` against one fixture.

    Args:
        integration: The built integration class.
        fixture: The parsed fixture.
        settings: Base settings the fixture's own settings are laid over.

    Returns:
        The tester used (its ``last`` run holds the exchanges).

    Raises:
        AssertionError: The integration does not do what the fixture says.
    """
    merged = dict(settings or {})
    merged.update(fixture.settings or {})
    tester = IntegrationTester(integration, merged, fixtures=fixture.path.parent)
    if fixture.has_output:
        tester.maps(fixture)
    if not fixture.checks_wire:
        return tester
    if fixture.is_batch:
        tester.batch(fixture.inputs)
        if fixture.outcomes is not None:
            tester.outcomes(fixture.outcomes)
    else:
        tester.message(fixture.input)
    response = fixture.response
    if response is not None:
        tester.replies(response["status"], response.get("body"), response.get("headers"),
                       times=None)
    expected = fixture.requests
    if fixture.request_count is not None:
        tester.requests(fixture.request_count)
    for index, request in expected:
        tester.request(index).method(request["method"]).url(request["url"])
        for name, value in (request.get("headers") or {}).items():
            tester.sends(name, value)
        if "body" in request:
            body = request["body"]
            if isinstance(body, str):  # raw text, even when it starts with "?"
                tester.sends(re.compile(r"\A" + re.escape(body) + r"\Z"))
            else:
                tester.sends(body)
    error = fixture.error
    if error is not None:
        tester.error(error.get("status"), error.get("message"), code=error["code"])
        return tester
    if response is not None and expected:
        tester.request(0).expects(response["status"])
    results = tester.end()
    if fixture.is_batch:
        return tester  # the outcomes were checked by end()
    if response is not None:
        statuses = [getattr(r, "status_code", None) for r in results]
        if response["status"] not in statuses:
            raise AssertionError(f"fixture {fixture.name!r}: expected the run to return a "
                                 f"{response['status']} response but it returned statuses "
                                 f"{statuses}")
    return tester
