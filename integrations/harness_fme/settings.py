"""Harness FME settings: the defaults (applied here and nowhere else) and their validation.

Every rule names the setting and what it must be, so a wrong configuration is fixed from the
error message alone. Validation runs through the builder's ``ensure`` (see
:func:`check_settings`); :func:`with_defaults` is what the mapper and the integration read.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from framework import errors

__all__ = ["NAME", "DEFAULTS", "IDENTITIES", "with_defaults", "check_settings",
           "check_admin_key"]

NAME = "Harness FME"

#: Default of every optional setting. ``environmentId`` defaults to ``environment`` and
#: ``valuePath`` to none; both are resolved in :func:`with_defaults`.
DEFAULTS: dict[str, Any] = {
    "identityMappings": [],
    "enableIdentify": True,
    "enableTrack": True,
    "eventTypeIdPath": "event",
    "valuePath": None,
    "trackNamedPages": True,
    "trackNamedScreens": True,
    "pageEventFormat": "view_{name}_page",
    "screenEventFormat": "viewed_{name}_screen",
    "eventsEndpoint": "https://events.split.io/api",
    "apiEndpoint": "https://api.split.io/internal/api/v2",
}

#: The Segment identities a traffic type can be mapped to.
IDENTITIES = ("userId", "anonymousId")

_BOOLEANS = ("enableIdentify", "enableTrack", "trackNamedPages", "trackNamedScreens")
_FORMATS = ("pageEventFormat", "screenEventFormat")
_ENDPOINTS = ("eventsEndpoint", "apiEndpoint")
_URL = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)


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


def _check_mappings(value: Any) -> errors.ValidationError | None:
    if not isinstance(value, list):
        return _invalid('setting "identityMappings" must be a list of {"segmentIdentity": '
                        '"userId" | "anonymousId", "trafficType": "<name>"} objects')
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            return _invalid('setting "identityMappings" item %d must be an object with '
                            '"segmentIdentity" and "trafficType"', index)
        identity = item.get("segmentIdentity")
        if identity not in IDENTITIES:
            return _invalid('setting "identityMappings" item %d: "segmentIdentity" must be '
                            '"userId" or "anonymousId", got %r', index, identity)
        traffic_type = item.get("trafficType")
        if not isinstance(traffic_type, str) or not traffic_type.strip():
            return _invalid('setting "identityMappings" item %d: "trafficType" must be a '
                            'non-empty string, got %r', index, traffic_type)
    return None


def check_settings(msg: Any, settings: Mapping[str, Any]) -> errors.ValidationError | None:
    """The shape of every optional setting (required ones are ensured by name).

    Returns:
        The first problem as a :class:`errors.ValidationError`, or ``None``.
    """
    values = with_defaults(settings)
    for key in ("environment", "environmentId"):
        if not isinstance(values.get(key), str) or not values[key].strip():
            return _invalid('setting "%s" must be a non-empty string', key)
    problem = _check_mappings(values["identityMappings"])
    if problem is not None:
        return problem
    for key in _BOOLEANS:
        if not isinstance(values[key], bool):
            return _invalid('setting "%s" must be true or false, got %r', key, values[key])
    path = values["eventTypeIdPath"]
    if not isinstance(path, str) or not path.strip():
        return _invalid('setting "eventTypeIdPath" must be a non-empty path string such as '
                        '"event" or "properties.eventName", got %r', path)
    value_path = values["valuePath"]
    if value_path is not None and not isinstance(value_path, str):
        return _invalid('setting "valuePath" must be a path string such as '
                        '"properties.revenue", got %r', value_path)
    for key in _FORMATS:
        fmt = values[key]
        if not isinstance(fmt, str) or "{name}" not in fmt:
            return _invalid('setting "%s" must be a string containing "{name}", got %r',
                            key, fmt)
    for key in _ENDPOINTS:
        url = values[key]
        if not isinstance(url, str) or not _URL.match(url):
            return _invalid('setting "%s" must be an http(s) URL, got %r', key, url)
    return None


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
