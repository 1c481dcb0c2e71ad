"""The checks of the ``auditLogEventsHook`` capability (and the custom properties it reads).

The endpoint's URL and headers must render with stand-in values, the HMAC secret must be a
secret string variable, error bodies may be kept only for a fixed domain, every template must
exist inside the folder and render against its sample event (to JSON for ``.json`` templates,
to something for ``validation`` and ``member``), and the default policy must parse. The rules
are listed in :mod:`framework.manifest.checks`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Mapping

from .. import errors
from .check_tools import Problems, as_dict, as_list, hook, inside, problem, variables
from .schema import SOURCE
from .standins import SAMPLE_FOR_TEMPLATE, sample_event, validate_stand_ins

__all__ = ["check_endpoint", "check_hmac", "check_static_domain", "check_templates",
           "check_policy", "check_custom_properties"]

_VARIABLE_AT_START = re.compile(r"^\s*\{\{\{?\s*([^\s}]+)\s*\}?\}\}")


def check_endpoint(document: Mapping[str, Any], directory: Path) -> Problems:
    endpoint = as_dict(hook(document).get("endpoint"))
    if not endpoint:
        return
    from ..templating import render

    context = {**validate_stand_ins(document),
               "context": sample_event("flag/targeting-rule-update")}
    fields: list[tuple[list[Any], Any]] = [(["url"], endpoint.get("url"))]
    fields += [(["headers", i, "value"], h.get("value"))
               for i, h in enumerate(as_list(endpoint.get("headers"))) if isinstance(h, dict)]
    for path, template in fields:
        if not isinstance(template, str):
            continue
        try:
            render(template, context, strict=True)
        except errors.TemplateError as error:
            yield problem(["capabilities", "auditLogEventsHook", "endpoint", *path],
                          "endpoint-renders", f"does not render with stand-in values: {error}")


def check_hmac(document: Mapping[str, Any], directory: Path) -> Problems:
    signature = as_dict(as_dict(hook(document).get("endpoint")).get("hmacSignature"))
    key = signature.get("hmacSecretFormVariableKey")
    if not isinstance(key, str):
        return
    where = ["capabilities", "auditLogEventsHook", "endpoint", "hmacSignature",
             "hmacSecretFormVariableKey"]
    found = [v for _, v in variables(document) if v.get("key") == key]
    if not found:
        yield problem(where, "hmac-variable", f"no form variable has the key {key!r}")
    elif found[0].get("type") != "string" or found[0].get("isSecret") is not True:
        yield problem(where, "hmac-variable",
                      f"form variable {key!r} must be of type string with isSecret: true")


def check_static_domain(document: Mapping[str, Any], directory: Path) -> Problems:
    events_hook = hook(document)
    url = as_dict(events_hook.get("endpoint")).get("url")
    if events_hook.get("includeErrorResponseBody") is not True or not isinstance(url, str):
        return
    where = ["capabilities", "auditLogEventsHook", "includeErrorResponseBody"]
    start = _VARIABLE_AT_START.match(url)
    if start:
        name = start.group(1)
        found = [v for _, v in variables(document) if v.get("key") == name]
        if not found or found[0].get("type") != "enum" or not found[0].get("allowedValues"):
            yield problem(where, "static-domain",
                          f"the URL starts with the variable {name!r}: error bodies may only "
                          "be kept for a fixed domain (or an enum variable with allowedValues)")
        return
    host = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", url).split("/", 1)[0]
    if "{{" in host:
        yield problem(where, "static-domain",
                      f"the URL's host {host!r} is a template: error bodies may only be kept "
                      "for a fixed domain")


def check_templates(document: Mapping[str, Any], directory: Path) -> Problems:
    events_hook = hook(document)
    templates = as_dict(events_hook.get("templates"))
    base = ["capabilities", "auditLogEventsHook", "templates"]
    if events_hook.get("useStandardWebhookPayload") is True:
        for name in templates:
            yield problem([*base, name], "standard-payload",
                          "useStandardWebhookPayload sends the event itself: no templates")
        if (directory / "templates").is_dir():
            yield problem(["capabilities", "auditLogEventsHook", "useStandardWebhookPayload"],
                          "standard-payload", "useStandardWebhookPayload: remove the "
                          "templates/ folder, which is not used")
        return
    for name, path in templates.items():
        if isinstance(path, str) and path and name in SAMPLE_FOR_TEMPLATE:
            yield from _template_problems(document, directory, name, path, [*base, name])


def _template_problems(document: Mapping[str, Any], directory: Path, name: str, path: str,
                       where: list[Any]) -> Problems:
    from ..templated import CustomProperty, body_context, with_custom_properties
    from ..templating import render

    full = inside(directory, path)
    if not full.resolve().is_relative_to(directory.resolve()):
        yield problem(where, "template-path", f"{path} is outside the integration's folder")
        return
    try:
        source = full.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        yield problem(where, "template-exists", f"no readable file {path} in {directory}")
        return
    sample = SAMPLE_FOR_TEMPLATE[name]
    properties = [CustomProperty(p["key"], str(p.get("name") or p["key"]))
                  for p in _reserved(document)]
    event = with_custom_properties(sample_event(sample), properties)
    try:
        text = render(source, body_context(validate_stand_ins(document), event),
                      filename=path, strict=True)
    except errors.TemplateError as error:
        yield problem(where, "template-renders", f"{path} does not render against the sample "
                      f"event {sample}: {error}")
        return
    if re.search(r"\.json(\.hbs)?$", path, re.IGNORECASE):
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            yield problem(where, "template-json", f"{path} renders to invalid JSON against "
                          f"{sample}: {exc.msg} at line {exc.lineno} column {exc.colno}")
    if name in ("validation", "member") and not text.strip():
        yield problem(where, "template-blank", f"{path} renders to nothing against {sample}")


def _reserved(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = as_dict(document.get("capabilities")).get("reservedCustomProperties")
    return [p for p in as_list(found) if isinstance(p, dict) and isinstance(p.get("key"), str)]


def check_policy(document: Mapping[str, Any], directory: Path) -> Problems:
    from ..policy import Policy

    statements = hook(document).get("defaultPolicy")
    if not isinstance(statements, list) or not statements:
        return  # the schema reports a missing or mistyped list
    try:
        Policy.from_statements(statements, source=SOURCE,
                               pointer="/capabilities/auditLogEventsHook/defaultPolicy")
    except errors.ConfigError as error:
        for found in error.problems:
            yield errors.Problem(SOURCE, found.pointer, "policy",
                                 f"{found.message} ({found.rule})")


def check_custom_properties(document: Mapping[str, Any], directory: Path) -> Problems:
    seen: dict[str, int] = {}
    found = as_dict(document.get("capabilities")).get("reservedCustomProperties")
    for index, prop in enumerate(as_list(found)):
        key = prop.get("key") if isinstance(prop, dict) else None
        if isinstance(key, str):
            if key in seen:
                yield problem(["capabilities", "reservedCustomProperties", index, "key"],
                              "unique-key", f"{key!r} is also the key of "
                              f"/capabilities/reservedCustomProperties/{seen[key]}")
            seen.setdefault(key, index)
