"""The rules a JSON Schema cannot state, checked on a decoded manifest.

Each check takes the document (possibly invalid: every field is type-checked before use, so a
wrong type anywhere is a schema problem, never a crash here) and yields
:class:`errors.Problem` records with the field's pointer and the rule:

==========================  ==================================================================
rule                        what it means
==========================  ==================================================================
``icon-exists``             each ``icons`` file exists in the integration's folder
``overview-period``         ``overview`` ends with ``.``
``unique-key``              form-variable keys and reserved custom-property keys are unique
``default-optional``        a ``defaultValue`` needs ``isOptional: true``
``default-type``            ``defaultValue`` is a boolean for ``boolean``, else a string
``optional-default``        ``isOptional`` needs a ``defaultValue`` (not for ``multiselect`` or
                            ``environmentSelector``)
``secret-type``             only ``string`` variables may be ``isSecret``
``allowed-values``          ``enum`` needs ``allowedValues``; a default must be one of them
``dynamic-options``         ``dynamicEnum`` if and only if ``dynamicOptions``
``multiselect``             ``multiselect`` has ``multiselectOptions`` and none of
                            ``defaultValue``, ``dynamicOptions``, ``allowedValues``, ``isSecret``
``environment-selector``    ``environmentSelector`` has none of the option/default/secret fields
``capabilities``            without ``capabilities``, ``otherCapabilities`` must say what it does
``endpoint-renders``        the URL and each header value render strictly with stand-in values
``hmac-variable``           ``hmacSecretFormVariableKey`` names a secret ``string`` variable
``static-domain``           ``includeErrorResponseBody`` only when the URL's host is fixed (or an
                            ``enum`` variable with ``allowedValues``)
``template-path``           a template path stays inside the integration's folder
``template-exists``         each template file exists
``template-renders``        each template renders strictly against its sample event
``template-json``           a ``.json``/``.json.hbs`` template renders to valid JSON
``template-blank``          ``validation`` and ``member`` templates do not render blank
``standard-payload``        ``useStandardWebhookPayload`` excludes templates
``policy``                  each policy statement parses (resource specifiers, effect)
``regex``                   ``testEventNameRegexp`` and ``arrayInclusion.matcher`` compile
``trigger-name``            a trigger-only integration's name does not contain "trigger"
``add-remove-pair``         ``addMemberArrayPath`` and ``removeMemberArrayPath`` come together
``member-array-exclusive``  add/remove arrays exclude ``memberArrayPath`` and ``arrayInclusion``
``array-inclusion``         ``arrayInclusion`` needs ``memberArrayPath``
``boolean-membership``      ``booleanMembershipPath`` needs ``memberArrayPath``
``json-response-body``      ``jsonResponseBody`` renders (lenient) to JSON
==========================  ==================================================================

The template checks render through :func:`framework.templating.render` with the product's
sample audit-log events (:mod:`framework.samples.audit_log`), as LaunchDarkly's own manifest
tests do: ``flag`` and ``default`` with a flag update on all environments, ``project``,
``environment`` and ``validation``, ``member`` with the matching update events.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from .. import errors
from .schema import SOURCE
from .standins import SAMPLE_FOR_TEMPLATE, sample_event, validate_stand_ins

__all__ = ["semantic_problems", "manifest_problems", "RULES"]

Problems = Iterator[errors.Problem]
_VARIABLE_AT_START = re.compile(r"^\s*\{\{\{?\s*([^\s}]+)\s*\}?\}\}")


def _problem(path: list[Any], rule: str, message: str) -> errors.Problem:
    return errors.Problem(SOURCE, errors.json_pointer(path), rule, message)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _variables(document: Mapping[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    return [(i, v) for i, v in enumerate(_list(document.get("formVariables")))
            if isinstance(v, dict)]


def _hook(document: Mapping[str, Any]) -> dict[str, Any]:
    return _dict(_dict(document.get("capabilities")).get("auditLogEventsHook"))


# -- top level -------------------------------------------------------------------------------

def check_icons(document: Mapping[str, Any], directory: Path) -> Problems:
    for name, path in _dict(document.get("icons")).items():
        if isinstance(path, str) and path and not _inside(directory, path).is_file():
            yield _problem(["icons", name], "icon-exists", f"no file {path} in {directory}")


def check_overview(document: Mapping[str, Any], directory: Path) -> Problems:
    overview = document.get("overview")
    if isinstance(overview, str) and not overview.rstrip().endswith("."):
        yield _problem(["overview"], "overview-period", "must end with a period (.)")


def check_capabilities(document: Mapping[str, Any], directory: Path) -> Problems:
    capabilities = document.get("capabilities")
    if not capabilities and not document.get("otherCapabilities"):
        yield _problem(["capabilities"], "capabilities",
                       "is required (or otherCapabilities, saying what the integration does)")


# -- form variables --------------------------------------------------------------------------

_STRING_TYPES = ("string", "uri", "enum", "dynamicEnum", "generated", "publicKey")


def check_form_variables(document: Mapping[str, Any], directory: Path) -> Problems:
    seen: dict[str, int] = {}
    for index, variable in _variables(document):
        where = ["formVariables", index]
        key, kind = variable.get("key"), variable.get("type")
        if isinstance(key, str):
            if key in seen:
                yield _problem([*where, "key"], "unique-key",
                               f"{key!r} is also the key of /formVariables/{seen[key]}")
            seen.setdefault(key, index)
        yield from _variable_problems(variable, kind, where)


def _variable_problems(variable: dict[str, Any], kind: Any, where: list[Any]) -> Problems:
    has_default = "defaultValue" in variable
    default = variable.get("defaultValue")
    if kind in ("multiselect", "environmentSelector"):
        forbidden = ["defaultValue", "dynamicOptions", "allowedValues", "isSecret"]
        rule = "multiselect"
        if kind == "environmentSelector":
            forbidden += ["multiselectOptions", "multiselectDefaultOptions"]
            rule = "environment-selector"
        for name in forbidden:
            if name in variable:
                yield _problem([*where, name], rule, f"is not allowed for type {kind}")
        if kind == "multiselect" and not variable.get("multiselectOptions"):
            yield _problem([*where, "multiselectOptions"], "multiselect",
                           "is required for type multiselect")
        return
    if has_default and variable.get("isOptional") is not True:
        yield _problem([*where, "defaultValue"], "default-optional",
                       "a default value needs isOptional: true")
    if variable.get("isOptional") is True and not has_default:
        yield _problem([*where, "isOptional"], "optional-default",
                       "an optional variable needs a defaultValue")
    if has_default:
        wanted = bool if kind == "boolean" else str
        if not isinstance(default, wanted):
            yield _problem([*where, "defaultValue"], "default-type",
                           f"must be a {'boolean' if wanted is bool else 'string'} for type "
                           f"{kind}, got {json.dumps(default)}")
    if variable.get("isSecret") is True and kind != "string":
        yield _problem([*where, "isSecret"], "secret-type",
                       f"only string variables may be secret, this one is {kind}")
    if kind == "enum":
        allowed = variable.get("allowedValues")
        if not allowed:
            yield _problem([*where, "allowedValues"], "allowed-values",
                           "is required for type enum")
        elif isinstance(default, str) and isinstance(allowed, list) and default not in allowed:
            yield _problem([*where, "defaultValue"], "allowed-values",
                           f"{default!r} is not one of the allowedValues")
    if (kind == "dynamicEnum") != ("dynamicOptions" in variable):
        yield _problem([*where, "dynamicOptions"], "dynamic-options",
                       "is required for type dynamicEnum" if kind == "dynamicEnum"
                       else f"is only for type dynamicEnum, not {kind}")


# -- audit-log events hook -------------------------------------------------------------------

def check_endpoint(document: Mapping[str, Any], directory: Path) -> Problems:
    endpoint = _dict(_hook(document).get("endpoint"))
    if not endpoint:
        return
    from ..templating import render

    context = {**validate_stand_ins(document),
               "context": sample_event("flag/targeting-rule-update")}
    fields: list[tuple[list[Any], Any]] = [(["url"], endpoint.get("url"))]
    fields += [(["headers", i, "value"], h.get("value"))
               for i, h in enumerate(_list(endpoint.get("headers"))) if isinstance(h, dict)]
    for path, template in fields:
        if not isinstance(template, str):
            continue
        try:
            render(template, context, strict=True)
        except errors.TemplateError as error:
            yield _problem(["capabilities", "auditLogEventsHook", "endpoint", *path],
                           "endpoint-renders", f"does not render with stand-in values: {error}")


def check_hmac(document: Mapping[str, Any], directory: Path) -> Problems:
    signature = _dict(_dict(_hook(document).get("endpoint")).get("hmacSignature"))
    key = signature.get("hmacSecretFormVariableKey")
    if not isinstance(key, str):
        return
    where = ["capabilities", "auditLogEventsHook", "endpoint", "hmacSignature",
             "hmacSecretFormVariableKey"]
    found = [v for _, v in _variables(document) if v.get("key") == key]
    if not found:
        yield _problem(where, "hmac-variable", f"no form variable has the key {key!r}")
    elif found[0].get("type") != "string" or found[0].get("isSecret") is not True:
        yield _problem(where, "hmac-variable",
                       f"form variable {key!r} must be of type string with isSecret: true")


def check_static_domain(document: Mapping[str, Any], directory: Path) -> Problems:
    hook = _hook(document)
    url = _dict(hook.get("endpoint")).get("url")
    if hook.get("includeErrorResponseBody") is not True or not isinstance(url, str):
        return
    where = ["capabilities", "auditLogEventsHook", "includeErrorResponseBody"]
    start = _VARIABLE_AT_START.match(url)
    if start:
        name = start.group(1)
        found = [v for _, v in _variables(document) if v.get("key") == name]
        if not found or found[0].get("type") != "enum" or not found[0].get("allowedValues"):
            yield _problem(where, "static-domain",
                           f"the URL starts with the variable {name!r}: error bodies may only "
                           "be kept for a fixed domain (or an enum variable with allowedValues)")
        return
    host = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", url).split("/", 1)[0]
    if "{{" in host:
        yield _problem(where, "static-domain",
                       f"the URL's host {host!r} is a template: error bodies may only be kept "
                       "for a fixed domain")


def check_templates(document: Mapping[str, Any], directory: Path) -> Problems:
    hook = _hook(document)
    templates = _dict(hook.get("templates"))
    base = ["capabilities", "auditLogEventsHook", "templates"]
    if hook.get("useStandardWebhookPayload") is True:
        for name in templates:
            yield _problem([*base, name], "standard-payload",
                           "useStandardWebhookPayload sends the event itself: no templates")
        if (directory / "templates").is_dir():
            yield _problem(["capabilities", "auditLogEventsHook", "useStandardWebhookPayload"],
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

    full = _inside(directory, path)
    if not full.resolve().is_relative_to(directory.resolve()):
        yield _problem(where, "template-path", f"{path} is outside the integration's folder")
        return
    try:
        source = full.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        yield _problem(where, "template-exists", f"no readable file {path} in {directory}")
        return
    sample = SAMPLE_FOR_TEMPLATE[name]
    properties = [CustomProperty(p["key"], str(p.get("name") or p["key"]))
                  for p in _reserved(document)]
    event = with_custom_properties(sample_event(sample), properties)
    try:
        text = render(source, body_context(validate_stand_ins(document), event),
                      filename=path, strict=True)
    except errors.TemplateError as error:
        yield _problem(where, "template-renders", f"{path} does not render against the sample "
                       f"event {sample}: {error}")
        return
    if re.search(r"\.json(\.hbs)?$", path, re.IGNORECASE):
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            yield _problem(where, "template-json", f"{path} renders to invalid JSON against "
                           f"{sample}: {exc.msg} at line {exc.lineno} column {exc.colno}")
    if name in ("validation", "member") and not text.strip():
        yield _problem(where, "template-blank", f"{path} renders to nothing against {sample}")


def _reserved(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = _dict(document.get("capabilities")).get("reservedCustomProperties")
    return [p for p in _list(found) if isinstance(p, dict) and isinstance(p.get("key"), str)]


def check_policy(document: Mapping[str, Any], directory: Path) -> Problems:
    from ..policy import Policy

    statements = _hook(document).get("defaultPolicy")
    if not isinstance(statements, list) or not statements:
        return  # the schema reports a missing or mistyped list
    try:
        Policy.from_statements(statements, source=SOURCE,
                               pointer="/capabilities/auditLogEventsHook/defaultPolicy")
    except errors.ConfigError as error:
        for problem in error.problems:
            yield errors.Problem(SOURCE, problem.pointer, "policy",
                                 f"{problem.message} ({problem.rule})")


def check_custom_properties(document: Mapping[str, Any], directory: Path) -> Problems:
    seen: dict[str, int] = {}
    found = _dict(document.get("capabilities")).get("reservedCustomProperties")
    for index, prop in enumerate(_list(found)):
        key = prop.get("key") if isinstance(prop, dict) else None
        if isinstance(key, str):
            if key in seen:
                yield _problem(["capabilities", "reservedCustomProperties", index, "key"],
                               "unique-key", f"{key!r} is also the key of "
                               f"/capabilities/reservedCustomProperties/{seen[key]}")
            seen.setdefault(key, index)


# -- trigger and synced segments -------------------------------------------------------------

def check_trigger(document: Mapping[str, Any], directory: Path) -> Problems:
    capabilities = _dict(document.get("capabilities"))
    trigger = _dict(capabilities.get("trigger"))
    if not trigger:
        return
    yield from _regex(trigger.get("testEventNameRegexp"),
                      ["capabilities", "trigger", "testEventNameRegexp"])
    name = document.get("name")
    if list(capabilities) == ["trigger"] and isinstance(name, str) and "trigger" in name.lower():
        yield _problem(["name"], "trigger-name", "a trigger-only integration is shown as "
                       "'<name> trigger': leave 'trigger' out of the name")


def check_synced_segment(document: Mapping[str, Any], directory: Path) -> Problems:
    synced = _dict(_dict(document.get("capabilities")).get("syncedSegment"))
    parser = _dict(synced.get("requestParser"))
    base = ["capabilities", "syncedSegment", "requestParser"]
    has = {k: k in parser for k in ("memberArrayPath", "addMemberArrayPath",
                                    "removeMemberArrayPath", "arrayInclusion")}
    if has["addMemberArrayPath"] != has["removeMemberArrayPath"]:
        missing = "addMemberArrayPath" if has["removeMemberArrayPath"] else "removeMemberArrayPath"
        yield _problem([*base, missing], "add-remove-pair",
                       "addMemberArrayPath and removeMemberArrayPath go together")
    if has["addMemberArrayPath"] or has["removeMemberArrayPath"]:
        for name in ("memberArrayPath", "arrayInclusion"):
            if has[name]:
                yield _problem([*base, name], "member-array-exclusive",
                               "is not allowed with addMemberArrayPath/removeMemberArrayPath")
    if has["arrayInclusion"] and not has["memberArrayPath"]:
        yield _problem([*base, "memberArrayPath"], "array-inclusion",
                       "is required with arrayInclusion")
    member = _dict(parser.get("memberArrayParser"))
    if "booleanMembershipPath" in member and not has["memberArrayPath"]:
        yield _problem([*base, "memberArrayPath"], "boolean-membership",
                       "is required with memberArrayParser.booleanMembershipPath")
    yield from _regex(_dict(parser.get("arrayInclusion")).get("matcher"),
                      [*base, "arrayInclusion", "matcher"])
    body = synced.get("jsonResponseBody")
    if isinstance(body, str):
        yield from _response_body(body)


def _response_body(body: str) -> Problems:
    from ..templating import render

    where = ["capabilities", "syncedSegment", "jsonResponseBody"]
    contexts = [
        {"requestBody": {}, "statusCode": 204, "errorMessage": "", "projectKey": "default",
         "environmentKey": "production", "segmentKey": "example-cohort",
         "segmentUrl": "https://example.com/default/production/segments/example-cohort"},
        {"requestBody": {}, "statusCode": 400, "errorMessage": "could not find path /x",
         "projectKey": "default", "environmentKey": "", "segmentKey": "", "segmentUrl": ""},
    ]
    for context in contexts:
        try:
            json.loads(render(body, context, strict=False))
        except errors.TemplateError as error:
            yield _problem(where, "json-response-body", f"does not render: {error}")
            return
        except json.JSONDecodeError as exc:
            outcome = "an error" if context["errorMessage"] else "a success"
            yield _problem(where, "json-response-body", f"renders to invalid JSON for "
                           f"{outcome}: {exc.msg} at column {exc.colno}")
            return


def _regex(value: Any, where: list[Any]) -> Problems:
    if isinstance(value, str):
        try:
            re.compile(value)
        except re.error as exc:
            yield _problem(where, "regex", f"is not a valid regular expression: {exc}")


def _inside(directory: Path, path: str) -> Path:
    return directory / path


#: Every check, in the order problems are reported.
RULES: tuple[Callable[[Mapping[str, Any], Path], Problems], ...] = (
    check_icons, check_overview, check_capabilities, check_form_variables, check_endpoint,
    check_hmac, check_static_domain, check_templates, check_policy, check_custom_properties,
    check_trigger, check_synced_segment)


def semantic_problems(document: Any, directory: Path) -> list[errors.Problem]:
    """Every semantic problem of ``document`` (whose files live in ``directory``)."""
    if not isinstance(document, dict):
        return []
    problems: list[errors.Problem] = []
    for check in RULES:
        try:
            problems.extend(check(document, directory))
        except Exception as exc:  # noqa: BLE001 - a bad manifest gets a report, not a traceback
            problems.append(errors.Problem(
                SOURCE, "", "check-failed", f"{check.__name__} could not finish: "
                f"{type(exc).__name__}: {exc}"))
    return problems


def manifest_problems(path: Path) -> list[errors.Problem]:
    """Every problem of the manifest file at ``path``: unreadable or invalid JSON, schema
    violations, then the semantic rules (which run even when the schema fails, on the fields
    whose types are right)."""
    from .schema import read_manifest, schema_problems

    document, problems = read_manifest(path)
    if problems:
        return problems
    return schema_problems(document) + semantic_problems(document, path.parent)
