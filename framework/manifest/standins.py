"""Stand-in settings and sample events for rendering a manifest without real settings.

Two stand-in styles, as LaunchDarkly's tools use them:

* :func:`validate_stand_ins` (``framework validate``): ``string``, ``enum``, ``dynamicEnum``,
  ``generated`` and ``publicKey`` variables get their own key, ``boolean`` ``true``, ``uri``
  ``https://<key>.com``; a declared ``defaultValue`` wins;
* :func:`preview_stand_ins` (``framework preview``/``curl`` without ``--settings``): text
  variables get ``$`` and the key in upper case (``apiToken`` -> ``$APITOKEN``, as
  LaunchDarkly's preview writes them), so the output shows what to replace; ``boolean``
  variables ``true``.
"""

from __future__ import annotations

from typing import Any, Mapping

__all__ = ["SAMPLE_FOR_TEMPLATE", "PREVIEW_SAMPLE", "sample_event", "validate_stand_ins",
           "preview_stand_ins", "upper_key"]

#: The sample event each template is checked against.
SAMPLE_FOR_TEMPLATE = {
    "flag": "flag/update-all-environments",
    "default": "flag/update-all-environments",
    "project": "project/update",
    "environment": "environment/update",
    "validation": "environment/update",
    "member": "member/update",
}
#: The event ``framework preview`` renders by default.
PREVIEW_SAMPLE = "flag/targeting-rule-update"
_TEXT = ("string", "uri", "enum", "dynamicEnum", "generated", "publicKey")


def sample_event(name: str) -> dict[str, Any]:
    """The product's sample audit-log event ``kind/name`` (a new dict)."""
    from ..samples.audit_log import sample_event

    event: dict[str, Any] = sample_event(name)
    return event


def _variables(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = document.get("formVariables")
    return [v for v in found if isinstance(v, dict) and isinstance(v.get("key"), str)] \
        if isinstance(found, list) else []


def upper_key(key: str) -> str:
    """``$`` and the key in upper case: ``apiToken`` -> ``$APITOKEN``."""
    return "$" + key.upper()


def validate_stand_ins(document: Mapping[str, Any]) -> dict[str, Any]:
    """Stand-in settings in the style of LaunchDarkly's manifest tests."""
    values: dict[str, Any] = {}
    for variable in _variables(document):
        key, kind = variable["key"], variable.get("type")
        if "defaultValue" in variable:
            values[key] = variable["defaultValue"]
        elif kind == "boolean":
            values[key] = True
        elif kind == "uri":
            values[key] = f"https://{key}.com"
        elif kind in _TEXT:
            values[key] = key
        elif kind == "multiselect":
            values[key] = [o.get("value") for o in variable.get("multiselectOptions") or []
                           if isinstance(o, dict)][:1]
    return values


def preview_stand_ins(document: Mapping[str, Any]) -> dict[str, Any]:
    """Stand-in settings in the style of LaunchDarkly's preview (``$UPPER_KEY``)."""
    values: dict[str, Any] = {}
    for variable in _variables(document):
        key, kind = variable["key"], variable.get("type")
        if kind == "boolean":
            values[key] = True
        elif kind in _TEXT:
            values[key] = upper_key(key)
        elif kind == "multiselect":
            values[key] = [upper_key(key)]
    return values
