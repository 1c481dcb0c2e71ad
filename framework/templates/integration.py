'''The new integration's package, test module and README, as ``string.Template`` texts.

Placeholders: ``${name}`` (display name), ``${name_literal}`` (the name as a Python string
literal), ``${slug}``, ``${package}``, ``${cls}`` (class name), ``${endpoint}``,
``${methods}`` (a Python list literal of the methods).
'''

PACKAGE = '''"""${name}: sends each message to the ${name} API.

Settings (typed: each ``.setting()`` is checked before anything is sent, exported in
``spec()["settings_schema"]`` and listed by ``framework list --details ${slug}``):
    apiKey: The ${name} API key (secret), sent as ``Authorization: Bearer <apiKey>``.

Each message type is POSTed as JSON to its own path under the endpoint. To make it real:
replace the endpoint and the paths with the API's, adjust ``mapper.py``, then the fixtures
in ``tests/fixtures/${slug}/`` (see README.md).
"""

from __future__ import annotations

from typing import Any

from framework import integration

from . import mapper

__all__ = ["${cls}"]


class ${cls}(
        integration(${name_literal})
        .endpoint("${endpoint}")
        .channels(["server", "mobile", "client"])
        .setting("apiKey", required=True, secret=True, name="API key",
                 description="The API key, sent as Authorization: Bearer <apiKey>.")
        .retries(2)
        .timeout("5s")
        .mapper(mapper)):
    """Sends each message type to its own path of the ${name} API."""

    def send(self, path: str, payload: dict[str, Any]) -> Any:
        """POST ``payload`` as JSON to ``path``, authenticated with the API key."""
        return (self.post(path)
                .set("Authorization", f"Bearer {self.settings['apiKey']}")
                .type("json")
                .send(payload)
                .end())

    def identify(self, payload: dict[str, Any]) -> Any:
        """Create or update a user."""
        return self.send("/identify", payload)

    def track(self, payload: dict[str, Any]) -> Any:
        """Record an event."""
        return self.send("/track", payload)

    def page(self, payload: dict[str, Any]) -> Any:
        """Record a page view."""
        return self.send("/page", payload)

    def screen(self, payload: dict[str, Any]) -> Any:
        """Record a screen view."""
        return self.send("/screen", payload)

    def group(self, payload: dict[str, Any]) -> Any:
        """Add a user to a group (account, company)."""
        return self.send("/group", payload)

    def alias(self, payload: dict[str, Any]) -> Any:
        """Merge two identities."""
        return self.send("/alias", payload)
'''

MAPPER = '''"""${name}: pure functions turning a message into the payload its method sends.

Each function takes the message's facade and the settings and returns a JSON-ready value;
datetimes are written as ``YYYY-MM-DDTHH:MM:SS.mmmZ``.
"""

from __future__ import annotations

from typing import Any, Mapping

from facade import Facade

__all__ = ["identify", "track", "page", "screen", "group", "alias"]


def _base(msg: Facade) -> dict[str, Any]:
    """What every payload carries: who, and when."""
    return {"userId": msg.user_id(), "anonymousId": msg.anonymous_id(),
            "timestamp": msg.timestamp()}


def identify(msg: Facade, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The user's traits (``id`` is the user id)."""
    return {**_base(msg), "traits": msg.traits()}


def track(msg: Facade, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The event and its properties."""
    return {**_base(msg), "event": msg.event(), "properties": msg.properties()}


def page(msg: Facade, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The page's name and properties."""
    return {**_base(msg), "name": msg.name(), "properties": msg.properties()}


screen = page


def group(msg: Facade, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The group and its traits (``id`` is the group id)."""
    return {**_base(msg), "groupId": msg.group_id(), "traits": msg.traits()}


def alias(msg: Facade, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The previous id and the new one."""
    return {**_base(msg), "previousId": msg.previous_id()}
'''

README = '''# ${name}

Sends Segment messages to the ${name} API: each message type is POSTed as JSON to its own
path under `${endpoint}`.

## Settings

| Setting | Type | Required | Default | Secret | Description |
|---|---|---|---|---|---|
| `apiKey` | string | yes | - | yes | The API key, sent as Authorization: Bearer <apiKey>. |

This table is the declarations' (`framework list --details ${slug} --markdown` prints it);
keep them in step when you add settings.

## Methods

${methods_list}

## Develop

- `integrations/${package}/__init__.py` declares the integration; `mapper.py` builds the
  payloads.
- `tests/fixtures/${slug}/<type>-basic.json` holds one fixture per method: the input message,
  the mapper's output and the request it makes. Each runs as its own test
  (`${slug}/<name>`); add a JSON file to add a test.
- `tests/${package}/test_${package}.py` runs the standard suite and request tests.
- `framework preview ${slug} track-basic` shows what would be sent, offline;
  `framework curl ${slug} track-basic` prints it as curl commands.
- `make test` and `make lint` must pass.
'''

TESTS = '''"""${name}: the standard suite, the mapper and the requests, on the tester."""

import pytest

from framework.testing import IntegrationSuite
from integrations.${package} import ${cls}

SETTINGS = {"apiKey": "test-api-key"}
METHODS = ${methods}


class Test${cls}Suite(IntegrationSuite):
    integration = ${cls}
    settings = SETTINGS


def test_declaration(integration_tester):
    (integration_tester(${cls})
        .name(${name_literal})
        .channels(["server", "mobile", "client"])
        .setting("apiKey", type="string", required=True, secret=True)
        .endpoint("${endpoint}")
        .retries(2)
        .timeout("5s"))


def test_api_key_is_required(integration_tester):
    tester = integration_tester(${cls}, SETTINGS)
    tester.valid({"userId": "user-1"})
    tester.invalid({"userId": "user-1"}, {}, match='setting "apiKey" is required')
    tester.invalid({"userId": "user-1"}, {"apiKey": "  "}, match="apiKey")


@pytest.mark.parametrize("method", METHODS)
def test_mapper(integration_tester, method):
    integration_tester(${cls}, SETTINGS).maps(f"{method}-basic")


@pytest.mark.parametrize("method", METHODS)
def test_sends_the_payload(integration_tester, method):
    tester = integration_tester(${cls}, SETTINGS)
    fixture = tester.fixture(f"{method}-basic")
    (tester.message(fixture["input"])
        .requests(1)
        .method("POST")
        .pathname(f"${path_prefix}/{method}")
        .sends("Authorization", "Bearer test-api-key")
        .sends(fixture["output"])
        .expects(200)
        .end())


def test_server_errors_are_retried_then_reported(integration_tester):
    tester = integration_tester(${cls}, SETTINGS)
    error = (tester.track({"userId": "user-1", "event": "Signed Up"})
             .replies(503, times=None)
             .requests(3)
             .error(503, code="HTTP_ERROR"))
    assert error.retryable


def test_client_errors_are_not_retried(integration_tester):
    tester = integration_tester(${cls}, SETTINGS)
    error = (tester.track({"userId": "user-1", "event": "Signed Up"})
             .replies(400, {"error": "bad request"})
             .requests(1)
             .error(400))
    assert not error.retryable
'''

#: The methods the template implements, in the order fixtures are written.
METHODS = ("identify", "track", "page", "screen", "group", "alias")

_WHO = {"userId": "user-1", "anonymousId": "anonymous-1",
        "timestamp": "2024-01-02T03:04:05.678Z"}

#: method -> (the fixture's input message, the mapper's output for it).
FIXTURES = {
    "identify": (
        {"type": "identify", **_WHO, "traits": {"email": "ada@example.com", "name": "Ada"}},
        {**_WHO, "traits": {"email": "ada@example.com", "name": "Ada", "id": "user-1"}},
    ),
    "track": (
        {"type": "track", **_WHO, "event": "Signed Up", "properties": {"plan": "pro"}},
        {**_WHO, "event": "Signed Up", "properties": {"plan": "pro"}},
    ),
    "page": (
        {"type": "page", **_WHO, "name": "Pricing",
         "properties": {"url": "https://example.com/pricing"}},
        {**_WHO, "name": "Pricing",
         "properties": {"url": "https://example.com/pricing", "name": "Pricing"}},
    ),
    "screen": (
        {"type": "screen", **_WHO, "name": "Settings", "properties": {"tab": "profile"}},
        {**_WHO, "name": "Settings", "properties": {"tab": "profile", "name": "Settings"}},
    ),
    "group": (
        {"type": "group", **_WHO, "groupId": "group-1",
         "traits": {"name": "Analytical Engines"}},
        {**_WHO, "groupId": "group-1", "traits": {"name": "Analytical Engines", "id": "group-1"}},
    ),
    "alias": (
        {"type": "alias", **_WHO, "previousId": "anonymous-1"},
        {**_WHO, "previousId": "anonymous-1"},
    ),
}
