"""A manifest is a serialized builder chain: :func:`compile_manifest` replays it.

==================================  ==========================================================
manifest                            builder declaration
==================================  ==========================================================
``name``, directory (the key)       ``integration(name, key=...)``
``formVariables[]``                 ``.setting(key, type=..., name=..., required=...,
                                    default=..., secret=..., allowed=..., placeholder=...,
                                    ui=...)``, one per variable (see :data:`SETTING_TYPES`)
``auditLogEventsHook.endpoint``     ``.endpoint(url, method=...)``, ``.header(name, value)``
                                    per header, ``.hmac(headerName, secretKey)``
``auditLogEventsHook.templates``    ``.templates({...}, directory)``; none (or
                                    ``useStandardWebhookPayload``) sends the event as JSON
``defaultPolicy``                   ``.policy(statements)`` (the ``policy`` setting replaces it)
``includeErrorResponseBody``        ``.error_body(4096)`` when true, ``.error_body(0)`` when not
``reservedCustomProperties[]``      ``.custom_property(key, name, description)``
``trigger``, ``syncedSegment``,     ``.capability(name, config)``, kept for the server
other capabilities
==================================  ==========================================================

The document is expected to be valid (``framework validate``); a wrong type found while
compiling is a :class:`errors.ManifestError`, raised by :func:`framework.manifest.load` with
every problem the full validation finds.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Mapping

from .. import errors
from ..builder import integration

__all__ = ["compile_manifest", "SETTING_TYPES", "ERROR_BODY_LIMIT", "setting_arguments"]

#: How many bytes of an error answer ``includeErrorResponseBody: true`` keeps.
ERROR_BODY_LIMIT = 4096

#: formVariable ``type`` -> the typed setting it becomes. ``dynamicEnum`` (options fetched by
#: the UI), ``generated`` (a value the platform makes up) and ``publicKey`` are strings here;
#: ``multiselect`` is a list of its options' values, ``environmentSelector`` a list of
#: environment keys; ``oauth`` is an object holding the token (``{"accessToken", "baseURI"}``).
SETTING_TYPES: dict[str, str] = {
    "string": "string", "boolean": "boolean", "uri": "uri", "enum": "enum",
    "dynamicEnum": "string", "generated": "string", "publicKey": "string",
    "multiselect": "multiselect", "environmentSelector": "array", "oauth": "object",
}
_UI_FIELDS = ("isHidden", "disableAfterSaving", "hideEmpty", "dependsOn", "dynamicOptions",
              "multiselectOptions", "multiselectDefaultOptions")


def setting_arguments(variable: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of the ``.setting(key, ...)`` call a form variable becomes."""
    kind = str(variable["type"])
    arguments: dict[str, Any] = {
        "type": SETTING_TYPES.get(kind, "string"),
        "name": variable.get("name"),
        "description": variable.get("description") or "",
        "required": variable.get("isOptional") is not True,
        "secret": variable.get("isSecret") is True,
        "placeholder": variable.get("placeholder"),
        "ui": {"formVariableType": kind,
               **{k: copy.deepcopy(variable[k]) for k in _UI_FIELDS if k in variable}},
    }
    if "defaultValue" in variable:
        arguments["default"] = variable["defaultValue"]
    elif kind == "multiselect" and "multiselectDefaultOptions" in variable:
        arguments["default"] = list(variable["multiselectDefaultOptions"])
    if kind == "enum":
        arguments["allowed"] = list(variable.get("allowedValues") or [])
    elif kind == "multiselect":
        arguments["allowed"] = [o["value"] for o in variable.get("multiselectOptions") or []]
    return arguments


def compile_manifest(document: Mapping[str, Any], directory: Path, key: str,
                     module: str | None = None) -> type:
    """The integration class the manifest declares.

    Args:
        document: The decoded ``manifest.json``.
        directory: Its folder (templates are read relative to it).
        key: The integration key (slug).
        module: The module the class is reported in (finds the package's ``fixtures/``).

    Raises:
        KeyError, TypeError, ValueError, errors.ConfigError: The document is malformed
            (:func:`framework.manifest.load` turns these into one ManifestError).
    """
    cls: Any = integration(str(document["name"]), key=key)
    cls.manifest = copy.deepcopy(dict(document))
    cls.manifest_dir = directory
    if module is not None:
        cls.__module__ = module
    for variable in document.get("formVariables") or []:
        cls.setting(str(variable["key"]), **setting_arguments(variable))
    capabilities: Mapping[str, Any] = document.get("capabilities") or {}
    for name, config in capabilities.items():
        if name == "auditLogEventsHook":
            _audit_log_hook(cls, config, directory)
        elif name == "reservedCustomProperties":
            for prop in config:
                cls.custom_property(prop["key"], prop["name"], prop.get("description"))
        else:
            cls.capability(name, config if isinstance(config, Mapping) else {"value": config})
    return cls  # type: ignore[no-any-return]


def _audit_log_hook(cls: Any, hook: Mapping[str, Any], directory: Path) -> None:
    endpoint = hook.get("endpoint")
    if not endpoint:
        # deliveryMethod "custom": the platform delivers; nothing for us to send.
        cls.capability("auditLogEventsHook", hook)
        return
    cls.endpoint(endpoint["url"], method=endpoint["method"])
    for header in endpoint.get("headers") or []:
        cls.header(header["name"], header["value"])
    signature = endpoint.get("hmacSignature")
    if signature:
        cls.hmac(signature["headerName"], signature["hmacSecretFormVariableKey"])
    templates = {} if hook.get("useStandardWebhookPayload") else dict(hook["templates"])
    cls.templates(templates, directory)
    if hook.get("defaultPolicy"):
        cls.policy(hook["defaultPolicy"])
        cls.setting("policy", type="array", required=False, name="Policy",
                    description="Policy statements choosing the events to send; "
                    "replaces the default policy.", schema={"items": {"type": "object"}})
    cls.error_body(ERROR_BODY_LIMIT if hook.get("includeErrorResponseBody") else 0)


def problems_error(path: Path, problems: list[errors.Problem]) -> errors.ManifestError:
    """The error :func:`framework.manifest.load` raises for an invalid manifest."""
    return errors.ManifestError(f"{path}: invalid manifest\n" + "\n".join(
        f"  {p}" for p in problems), problems=problems)
