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

This module holds the top-level and form-variable checks and runs them all (:data:`RULES`);
the checks of the ``auditLogEventsHook`` capability are in
:mod:`framework.manifest.hook_checks`, those of ``trigger`` and ``syncedSegment`` in
:mod:`framework.manifest.capability_checks`, and the readers they share in
:mod:`framework.manifest.check_tools`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Mapping

from .. import errors
from .capability_checks import check_synced_segment, check_trigger
from .check_tools import Problems, as_dict, inside, problem, variables
from .hook_checks import (check_custom_properties, check_endpoint, check_hmac, check_policy,
                          check_static_domain, check_templates)
from .schema import SOURCE

__all__ = ["semantic_problems", "manifest_problems", "RULES"]


# -- top level -------------------------------------------------------------------------------

def check_icons(document: Mapping[str, Any], directory: Path) -> Problems:
    for name, path in as_dict(document.get("icons")).items():
        if isinstance(path, str) and path and not inside(directory, path).is_file():
            yield problem(["icons", name], "icon-exists", f"no file {path} in {directory}")


def check_overview(document: Mapping[str, Any], directory: Path) -> Problems:
    overview = document.get("overview")
    if isinstance(overview, str) and not overview.rstrip().endswith("."):
        yield problem(["overview"], "overview-period", "must end with a period (.)")


def check_capabilities(document: Mapping[str, Any], directory: Path) -> Problems:
    capabilities = document.get("capabilities")
    if not capabilities and not document.get("otherCapabilities"):
        yield problem(["capabilities"], "capabilities",
                      "is required (or otherCapabilities, saying what the integration does)")


# -- form variables --------------------------------------------------------------------------

_STRING_TYPES = ("string", "uri", "enum", "dynamicEnum", "generated", "publicKey")


def check_form_variables(document: Mapping[str, Any], directory: Path) -> Problems:
    seen: dict[str, int] = {}
    for index, variable in variables(document):
        where = ["formVariables", index]
        key, kind = variable.get("key"), variable.get("type")
        if isinstance(key, str):
            if key in seen:
                yield problem([*where, "key"], "unique-key",
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
                yield problem([*where, name], rule, f"is not allowed for type {kind}")
        if kind == "multiselect" and not variable.get("multiselectOptions"):
            yield problem([*where, "multiselectOptions"], "multiselect",
                          "is required for type multiselect")
        return
    if has_default and variable.get("isOptional") is not True:
        yield problem([*where, "defaultValue"], "default-optional",
                      "a default value needs isOptional: true")
    if variable.get("isOptional") is True and not has_default:
        yield problem([*where, "isOptional"], "optional-default",
                      "an optional variable needs a defaultValue")
    if has_default:
        wanted = bool if kind == "boolean" else str
        if not isinstance(default, wanted):
            yield problem([*where, "defaultValue"], "default-type",
                          f"must be a {'boolean' if wanted is bool else 'string'} for type "
                          f"{kind}, got {json.dumps(default)}")
    if variable.get("isSecret") is True and kind != "string":
        yield problem([*where, "isSecret"], "secret-type",
                      f"only string variables may be secret, this one is {kind}")
    if kind == "enum":
        allowed = variable.get("allowedValues")
        if not allowed:
            yield problem([*where, "allowedValues"], "allowed-values",
                          "is required for type enum")
        elif isinstance(default, str) and isinstance(allowed, list) and default not in allowed:
            yield problem([*where, "defaultValue"], "allowed-values",
                          f"{default!r} is not one of the allowedValues")
    if (kind == "dynamicEnum") != ("dynamicOptions" in variable):
        yield problem([*where, "dynamicOptions"], "dynamic-options",
                      "is required for type dynamicEnum" if kind == "dynamicEnum"
                      else f"is only for type dynamicEnum, not {kind}")


# -- audit-log events hook -------------------------------------------------------------------

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
