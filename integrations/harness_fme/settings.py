"""Harness FME settings: their declarations (types, defaults, rules) and the defaults' reader.

:data:`DECLARATIONS` is the one place each setting is described;
:func:`~framework.settings_declarations.declare_all` puts them on the class with ``.setting()``,
so the schema checks every one of them before anything is sent and reports every problem at
once. :func:`with_defaults` is what the mapper and the
integration read. The only rule the schema cannot state, ``adminApiKey`` for some message
types, is :func:`check_admin_key`.
"""

from __future__ import annotations

from typing import Any, Mapping

from framework.settings_declarations import defaults_of

from framework import errors

__all__ = ["NAME", "DECLARATIONS", "DEFAULTS", "IDENTITIES", "with_defaults",
           "check_admin_key"]

NAME = "Harness FME"

#: The Segment identities a traffic type can be mapped to.
IDENTITIES = ("userId", "anonymousId")

_NOT_BLANK = {"pattern": r"\S", "x-message": "must be a non-empty string"}
_MAPPING = {
    "type": "object",
    "required": ["segmentIdentity", "trafficType"],
    "properties": {"segmentIdentity": {"enum": list(IDENTITIES)},
                   "trafficType": {"type": "string", **_NOT_BLANK}},
}


def _format(default: str) -> dict[str, Any]:
    return {"default": default,
            "schema": {"pattern": r"\{name\}", "x-message": 'must be a string containing "{name}"'}}


#: Every setting: ``key -> .setting() options``, in the order a UI shows them.
DECLARATIONS: dict[str, dict[str, Any]] = {
    "apiKey": dict(required=True, secret=True, name="SDK key",
                   description="SDK key (server or client side), used for the Events API."),
    "adminApiKey": dict(secret=True, name="Admin API key",
                        description="Admin API key for the Identities API; required for group "
                                    "calls, and for identify calls unless enableIdentify is "
                                    "off."),
    "environment": dict(required=True, name="Environment",
                        description="Environment name, sent as environmentName of each "
                                    "record."),
    "environmentId": dict(name="Environment id", schema=_NOT_BLANK,
                          description="Environment id in the identities path; defaults to "
                                      "environment."),
    "identityMappings": dict(
        type="array", default=[], name="Identity mappings",
        schema={"items": _MAPPING, "x-message": 'must be a list of {"segmentIdentity": '
                '"userId" | "anonymousId", "trafficType": "<name>"} objects'},
        description='List of {"segmentIdentity": "userId" | "anonymousId", "trafficType": '
                    '"<name>"}; an identity may be mapped more than once.'),
    "enableTrack": dict(type="boolean", default=True, name="Enable track",
                        description="Off: track calls send nothing."),
    "enableIdentify": dict(type="boolean", default=True, name="Enable identify",
                           description="Off: identify calls send nothing."),
    "eventTypeIdPath": dict(
        default="event", name="Event type id path",
        schema={"pattern": r"\S", "x-message": 'must be a non-empty path string such as '
                '"event" or "properties.eventName"'},
        description="Facade path to the event type id (e.g. properties.eventName)."),
    "valuePath": dict(name="Value path",
                      schema={"x-message": 'must be a path string such as '
                                           '"properties.revenue"'},
                      description="Facade path to the numeric value (e.g. "
                                  "properties.revenue)."),
    "trackNamedPages": dict(type="boolean", default=True, name="Track named pages",
                            description="Off: page calls send nothing."),
    "trackNamedScreens": dict(type="boolean", default=True, name="Track named screens",
                              description="Off: screen calls send nothing."),
    "pageEventFormat": dict(name="Page event format", **_format("view_{name}_page"),
                            description="Event type id of a named page; must contain {name}."),
    "screenEventFormat": dict(name="Screen event format", **_format("viewed_{name}_screen"),
                              description="Event type id of a named screen; must contain "
                                          "{name}."),
    "eventsEndpoint": dict(type="uri", default="https://events.split.io/api",
                           name="Events API endpoint", description="Base URL of the Events API."),
    "apiEndpoint": dict(type="uri", default="https://api.split.io/internal/api/v2",
                        name="Admin API endpoint",
                        description="Base URL of the Identities (Admin) API."),
}

#: The default of every optional setting (``None`` for none). ``environmentId`` falls back
#: to ``environment`` in :func:`with_defaults`.
DEFAULTS: dict[str, Any] = defaults_of(DECLARATIONS)


def with_defaults(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """The settings with every default applied.

    A setting that is absent or ``None`` takes its default; ``environmentId`` falls back to
    ``environment``. The input is not changed.
    """
    merged = dict(DEFAULTS)
    merged.update({k: v for k, v in (settings or {}).items() if v is not None})
    if not merged.get("environmentId"):
        merged["environmentId"] = merged.get("environment")
    return merged


def _invalid(fmt: str, *args: Any) -> errors.ValidationError:
    return errors.ValidationError(fmt % args if args else fmt, integration=NAME)


def check_admin_key(msg: Any, settings: Mapping[str, Any]) -> errors.ValidationError | None:
    """``adminApiKey`` is required for group calls, and for identify calls unless
    ``enableIdentify`` is off (then nothing is sent)."""
    values = with_defaults(settings)
    if msg.type() == "identify" and values["enableIdentify"] is False:
        return None
    key = values.get("adminApiKey")
    if not isinstance(key, str) or not key:
        return _invalid('setting "adminApiKey" is required for identify and group calls '
                        '(an Admin API key, sent to the Identities API)')
    return None
