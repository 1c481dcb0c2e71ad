'''A new manifest integration (``framework new --manifest``), as ``string.Template`` texts.

Placeholders: ``${name}``, ``${key}`` (the integration key: the package's name), ``${cls}``.
The manifest itself is built as data (:func:`manifest`), then written as JSON.
'''

from __future__ import annotations

from typing import Any

PACKAGE = '''"""${name}: a manifest integration (see manifest.json and README.md).

Registered as ``${key} = integrations.${key}:Integration`` in the ``framework.integrations``
entry-point group; ``framework validate ${key}`` checks it.
"""

from pathlib import Path

from framework.manifest import load

__all__ = ["Integration"]

#: The integration ``manifest.json`` declares (``module`` lets the tests find ``fixtures/``).
Integration = load(Path(__file__).parent, module=__name__)
'''

README = '''# ${name}

A manifest integration: `manifest.json` declares it, `templates/` holds the bodies.

- **Settings** (`formVariables`): `url` (where events are POSTed) and `apiToken` (secret,
  sent as `Authorization: Bearer <apiToken>`).
- **Events**: flag changes use `templates/flag.json.hbs`, every other kind
  `templates/default.json.hbs`; `templates/validation.json.hbs` is the connection test.
- **Policy** (`defaultPolicy`): flag changes in production environments only; a `policy`
  setting (a list of statements) replaces it.

```sh
framework validate ${key}             # schema and semantic checks
framework preview ${key}              # the sample flag event, with $$KEY stand-ins
framework preview ${key} --event project/update --settings @settings.json
framework curl ${key}
```

`fixtures/` holds one fixture per route (events in, requests out); `make test` runs them and
the standard suite (`tests/${key}/`).
'''

TESTS = '''"""${name}: the standard suite (declaration, fixtures, secrets, framework validate)."""

from framework.testing import IntegrationSuite
from integrations.${key} import Integration

SETTINGS = {"url": "https://hooks.example.com/launchdarkly", "apiToken": "test-api-token"}


class Test${cls}Suite(IntegrationSuite):
    integration = Integration
    settings = SETTINGS
'''

# Triple braces: a .json template's strings are JSON-escaped first, and HTML escaping on top
# would turn an escaped quote (\") into \&quot;, which is not JSON.
FLAG_TEMPLATE = '''{
  "title": "{{{title.plainText}}}",
  "flag": "{{{key}}}",
  "project": "{{{project.key}}}",
  "environment": "{{{project.environment.key}}}",
  "comment": "{{{comment}}}",
  "link": "{{{_links.site.href}}}"
}
'''

DEFAULT_TEMPLATE = '''{
  "title": "{{{title.plainText}}}",
  "kind": "{{{kind}}}",
  "name": "{{{name}}}"
}
'''

VALIDATION_TEMPLATE = '''{
  "title": "Connection test from LaunchDarkly",
  "kind": "{{{kind}}}"
}
'''

ICON = '''<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">
  <rect width="64" height="64" rx="12" fill="#405BFF"/>
</svg>
'''


def manifest(name: str) -> dict[str, Any]:
    """The new integration's ``manifest.json`` document."""
    return {
        "name": name,
        "version": "0.1.0",
        "overview": f"Send LaunchDarkly audit-log events to {name}."[:100],
        "description": f"Posts flag changes (and, with a policy of your own, any other "
                       f"audit-log event) to {name} as JSON, authenticated with a bearer "
                       f"token.",
        "author": "cdp-framework",
        "supportEmail": "support@example.com",
        "links": {"site": "https://example.com",
                  "privacyPolicy": "https://example.com/privacy"},
        "categories": ["notifications"],
        "icons": {"square": "assets/square.svg", "horizontal": "assets/horizontal.svg"},
        "formVariables": [
            {"key": "url", "name": "Webhook URL", "type": "uri",
             "description": "Where each event is POSTed.",
             "placeholder": "https://hooks.example.com/launchdarkly"},
            {"key": "apiToken", "name": "API token", "type": "string", "isSecret": True,
             "description": "Sent as a bearer token in the Authorization header."},
        ],
        "capabilities": {
            "auditLogEventsHook": {
                "endpoint": {
                    "url": "{{{url}}}",
                    "method": "POST",
                    "headers": [
                        {"name": "Content-Type", "value": "application/json"},
                        {"name": "Authorization", "value": "Bearer {{apiToken}}"},
                    ],
                },
                "templates": {
                    "flag": "templates/flag.json.hbs",
                    "default": "templates/default.json.hbs",
                    "validation": "templates/validation.json.hbs",
                },
                "defaultPolicy": [{"effect": "allow", "actions": ["*"],
                                   "resources": ["proj/*:env/production:flag/*"]}],
            },
        },
    }
