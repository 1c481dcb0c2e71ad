"""The checks of the ``trigger`` and ``syncedSegment`` capabilities.

A trigger's ``testEventNameRegexp`` must compile and a trigger-only integration's name must
leave out "trigger"; a synced segment's ``requestParser`` must use its member paths in the
combinations LaunchDarkly accepts, and its ``jsonResponseBody`` must render to JSON for a
success and for an error. The rules are listed in :mod:`framework.manifest.checks`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

from .. import errors
from .check_tools import Problems, as_dict, problem, regex_problems

__all__ = ["check_trigger", "check_synced_segment"]


def check_trigger(document: Mapping[str, Any], directory: Path) -> Problems:
    capabilities = as_dict(document.get("capabilities"))
    trigger = as_dict(capabilities.get("trigger"))
    if not trigger:
        return
    yield from regex_problems(trigger.get("testEventNameRegexp"),
                              ["capabilities", "trigger", "testEventNameRegexp"])
    name = document.get("name")
    if list(capabilities) == ["trigger"] and isinstance(name, str) and "trigger" in name.lower():
        yield problem(["name"], "trigger-name", "a trigger-only integration is shown as "
                      "'<name> trigger': leave 'trigger' out of the name")


def check_synced_segment(document: Mapping[str, Any], directory: Path) -> Problems:
    synced = as_dict(as_dict(document.get("capabilities")).get("syncedSegment"))
    parser = as_dict(synced.get("requestParser"))
    base = ["capabilities", "syncedSegment", "requestParser"]
    has = {k: k in parser for k in ("memberArrayPath", "addMemberArrayPath",
                                    "removeMemberArrayPath", "arrayInclusion")}
    if has["addMemberArrayPath"] != has["removeMemberArrayPath"]:
        missing = "addMemberArrayPath" if has["removeMemberArrayPath"] else "removeMemberArrayPath"
        yield problem([*base, missing], "add-remove-pair",
                      "addMemberArrayPath and removeMemberArrayPath go together")
    if has["addMemberArrayPath"] or has["removeMemberArrayPath"]:
        for name in ("memberArrayPath", "arrayInclusion"):
            if has[name]:
                yield problem([*base, name], "member-array-exclusive",
                              "is not allowed with addMemberArrayPath/removeMemberArrayPath")
    if has["arrayInclusion"] and not has["memberArrayPath"]:
        yield problem([*base, "memberArrayPath"], "array-inclusion",
                      "is required with arrayInclusion")
    member = as_dict(parser.get("memberArrayParser"))
    if "booleanMembershipPath" in member and not has["memberArrayPath"]:
        yield problem([*base, "memberArrayPath"], "boolean-membership",
                      "is required with memberArrayParser.booleanMembershipPath")
    yield from regex_problems(as_dict(parser.get("arrayInclusion")).get("matcher"),
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
            yield problem(where, "json-response-body", f"does not render: {error}")
            return
        except json.JSONDecodeError as exc:
            outcome = "an error" if context["errorMessage"] else "a success"
            yield problem(where, "json-response-body", f"renders to invalid JSON for "
                          f"{outcome}: {exc.msg} at column {exc.colno}")
            return
