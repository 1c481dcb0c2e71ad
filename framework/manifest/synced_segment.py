"""Parse a LaunchDarkly synced-segment request body with a manifest's ``requestParser``.

This is the behaviour of LaunchDarkly's local validation server (``parseSyncSegmentRequest``
in its ``server/src/capabilities/syncedSegment.ts``), step by step:

1. Every path is an RFC 6901 pointer. Top-level paths (``environmentIdPath``,
   ``contextKindPath``, ``cohortIdPath``, ``cohortNamePath``, ``cohortUrlPath``,
   ``memberArrayPath``, ``addMemberArrayPath``, ``removeMemberArrayPath``,
   ``arrayInclusion.path``) are resolved against the body; ``memberArrayParser`` paths against
   each member of a member array. An empty pointer counts as "not configured", as there.
2. Required values (environment id, cohort id, cohort name, the array at ``memberArrayPath``,
   each member's id, its boolean membership in boolean mode, the ``arrayInclusion.path`` value)
   that are missing or falsy (``null``, ``0``, ``""``) are rejected with
   ``could not find path <pointer> in request payload``.
3. ``contextKind`` is ``"user"`` unless ``contextKindPath`` finds a truthy value.
4. The modes run in this order and their records are concatenated:

   * boolean mode (``memberArrayPath`` without ``arrayInclusion``): each member's membership
     is the value at ``memberArrayParser.booleanMembershipPath``;
   * inclusion mode (``arrayInclusion``): every member of ``memberArrayPath`` is added when
     the regular expression ``matcher`` is found anywhere in the (stringified) value at
     ``arrayInclusion.path``, removed otherwise (anchor it with ``^...$``);
   * ``addMemberArrayPath``: every member is added (a missing or ``null`` array is empty);
   * ``removeMemberArrayPath``: every member is removed (same).

5. A member array that is not an array is rejected with
   ``parsed value for member array is not an array``.
6. Each record takes the member's own cohort id and name (``memberArrayParser.cohortIdPath``
   and ``cohortNamePath``) when they are truthy, the top-level ones otherwise, and the
   top-level cohort URL.

One deliberate departure: LaunchDarkly documents that a boolean membership of ``false``
removes the member, but its validation server treats ``false`` like a missing value and
rejects the request. Here ``false`` removes the member, as documented; other falsy values
(``0``, ``""``, ``null``) are still rejected as missing, and any other truthy value counts as
``true``, both as there.

Two places where a client's mistake made the validation server fail with a 500 answer with a
400 here: a member that is not an object (its paths are simply not found) and a body that is
not an object or array (likewise).

Problems of the parser itself (a required path not declared, a pointer that is not RFC 6901, a
matcher that is not a regular expression) are the manifest's fault, not the request's: they
raise :class:`~framework.errors.ManifestError` (see :func:`check_request_parser`).
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping, Sequence, TypedDict

from jsonpointer import EndOfList, JsonPointer, JsonPointerException

from ..errors import ManifestError, Problem, SyncedSegmentError

__all__ = ["parse_synced_segment", "check_request_parser", "SyncedSegmentRecord",
           "SyncedSegment", "DEFAULT_CONTEXT_KIND"]

#: The context kind when the parser declares no ``contextKindPath`` or it finds nothing.
DEFAULT_CONTEXT_KIND = "user"

_SOURCE = "manifest.json"
_PARSER_POINTER = "/capabilities/syncedSegment/requestParser"
_TOP_LEVEL_PATHS = ("environmentIdPath", "contextKindPath", "cohortIdPath", "cohortNamePath",
                    "cohortUrlPath", "memberArrayPath", "addMemberArrayPath",
                    "removeMemberArrayPath")
_REQUIRED_PATHS = ("environmentIdPath", "cohortIdPath", "cohortNamePath")
_MEMBER_PATHS = ("memberIdPath", "booleanMembershipPath", "cohortNamePath", "cohortIdPath")
_MISSING: Any = object()


class SyncedSegmentRecord(TypedDict):
    """One membership change: ``value`` True adds ``userId`` to the cohort, False removes it."""

    userId: Any
    cohortId: Any
    cohortName: Any
    cohortUrl: Any
    value: bool


class SyncedSegment(TypedDict):
    """What one request asks for: the environment, the context kind and the changes in order."""

    environmentId: Any
    contextKind: Any
    batch: list[SyncedSegmentRecord]


def parse_synced_segment(request_parser: Mapping[str, Any], body: Any) -> SyncedSegment:
    """The environment, context kind and membership records that ``body`` asks for.

    Args:
        request_parser: A manifest's ``capabilities.syncedSegment.requestParser``.
        body: The decoded JSON request body.

    Returns:
        ``{"environmentId", "contextKind", "batch": [{"userId", "cohortId", "cohortName",
        "cohortUrl", "value"}]}``; records of the boolean or inclusion mode first, then the
        added members, then the removed ones. ``cohortUrl`` is None when the parser has no
        ``cohortUrlPath`` or it finds nothing. Values are returned as the body has them
        (an id may be a number).

    Raises:
        SyncedSegmentError: the body does not fit the parser (status 400, LaunchDarkly's text:
            ``could not find path /batch in request payload`` or ``parsed value for member
            array is not an array``).
        ManifestError: the parser itself is wrong (see :func:`check_request_parser`).
    """
    problems = check_request_parser(request_parser)
    if problems:
        raise ManifestError(problems=problems)
    parser = _Parser(request_parser)

    environment_id = parser.top("environmentIdPath", body, required=True)
    context_kind = parser.top("contextKindPath", body)
    cohort_id = parser.top("cohortIdPath", body, required=True)
    cohort_name = parser.top("cohortNamePath", body, required=True)
    cohort_url = parser.top("cohortUrlPath", body)
    top = _Cohort(cohort_id, cohort_name, None if cohort_url is _MISSING else cohort_url)

    batch: list[SyncedSegmentRecord] = []
    inclusion = request_parser.get("arrayInclusion")
    if parser.declared("memberArrayPath") and not inclusion:
        members = parser.top("memberArrayPath", body, required=True)
        batch += parser.records(members, top, membership=None)
    if inclusion:
        members = parser.top("memberArrayPath", body, required=True)
        found = _required(body, inclusion["path"])
        included = re.search(inclusion.get("matcher") or "", _js_string(found)) is not None
        batch += parser.records(members, top, membership=included)
    if parser.declared("addMemberArrayPath"):
        batch += parser.records(parser.optional_array("addMemberArrayPath", body), top,
                                membership=True)
    if parser.declared("removeMemberArrayPath"):
        batch += parser.records(parser.optional_array("removeMemberArrayPath", body), top,
                                membership=False)
    return {"environmentId": environment_id,
            "contextKind": context_kind if _truthy(context_kind) else DEFAULT_CONTEXT_KIND,
            "batch": batch}


def check_request_parser(request_parser: Any) -> list[Problem]:
    """Every problem of a ``requestParser`` that no request body could fix.

    Checks what the parser needs to run at all: an object; the required paths
    (``environmentIdPath``, ``cohortIdPath``, ``cohortNamePath``,
    ``memberArrayParser.memberIdPath``) declared and non-empty; every path a string holding an
    RFC 6901 pointer; ``arrayInclusion`` with a ``path`` and a ``matcher`` that compiles (and a
    ``memberArrayPath``); ``memberArrayParser.booleanMembershipPath`` in boolean mode (the
    validation server would silently record an undefined membership); at least one member
    array. Problems point into ``manifest.json``
    (``/capabilities/syncedSegment/requestParser/...``).
    """
    if not isinstance(request_parser, Mapping):
        return [Problem(_SOURCE, _PARSER_POINTER, "type", "must be an object")]
    problems: list[Problem] = []
    _check_paths(request_parser, _TOP_LEVEL_PATHS, _REQUIRED_PATHS, _PARSER_POINTER, problems)
    member_parser = request_parser.get("memberArrayParser")
    where = f"{_PARSER_POINTER}/memberArrayParser"
    if not isinstance(member_parser, Mapping):
        rule = "required" if member_parser is None else "type"
        problems.append(Problem(_SOURCE, where, rule, "must be an object"))
    else:
        _check_paths(member_parser, _MEMBER_PATHS, ("memberIdPath",), where, problems)
    inclusion = request_parser.get("arrayInclusion")
    where = f"{_PARSER_POINTER}/arrayInclusion"
    if inclusion is not None:
        if not isinstance(inclusion, Mapping):
            problems.append(Problem(_SOURCE, where, "type", "must be an object"))
        else:
            _check_paths(inclusion, ("path",), ("path",), where, problems)
            _check_matcher(inclusion.get("matcher"), f"{where}/matcher", problems)
            if not request_parser.get("memberArrayPath"):
                problems.append(Problem(_SOURCE, f"{_PARSER_POINTER}/memberArrayPath",
                                        "required", "is required with arrayInclusion"))
    elif request_parser.get("memberArrayPath") and isinstance(member_parser, Mapping) \
            and not member_parser.get("booleanMembershipPath"):
        problems.append(Problem(
            _SOURCE, f"{_PARSER_POINTER}/memberArrayParser/booleanMembershipPath", "required",
            "is required with memberArrayPath (boolean mode)"))
    if not any(request_parser.get(key) for key in
               ("memberArrayPath", "addMemberArrayPath", "removeMemberArrayPath")):
        problems.append(Problem(
            _SOURCE, _PARSER_POINTER, "required",
            "must declare memberArrayPath or addMemberArrayPath/removeMemberArrayPath"))
    return problems


def _check_paths(declared: Mapping[str, Any], names: Sequence[str], required: Sequence[str],
                 where: str, problems: list[Problem]) -> None:
    for name in names:
        value = declared.get(name)
        place = f"{where}/{name}"
        if value is None:
            if name in required:
                problems.append(Problem(_SOURCE, place, "required", "is required"))
            continue
        if not isinstance(value, str):
            problems.append(Problem(_SOURCE, place, "type",
                                    f"must be a JSON pointer string, got {value!r}"))
        elif not value:
            if name in required:
                problems.append(Problem(_SOURCE, place, "required", "must not be empty"))
        else:
            try:
                JsonPointer(value)
            except JsonPointerException as error:
                problems.append(Problem(_SOURCE, place, "pointer",
                                        f"must be an RFC 6901 pointer ({error}), got {value!r}"))


def _check_matcher(matcher: Any, place: str, problems: list[Problem]) -> None:
    if matcher is None:
        problems.append(Problem(_SOURCE, place, "required", "is required"))
    elif not isinstance(matcher, str):
        problems.append(Problem(_SOURCE, place, "type",
                                f"must be a regular expression string, got {matcher!r}"))
    else:
        try:
            re.compile(matcher)
        except re.error as error:
            problems.append(Problem(_SOURCE, place, "regex",
                                    f"must be a regular expression ({error}), got {matcher!r}"))


class _Cohort:
    __slots__ = ("id", "name", "url")

    def __init__(self, id: Any, name: Any, url: Any) -> None:
        self.id = id
        self.name = name
        self.url = url


class _Parser:
    """The parser's pointers, compiled once per request."""

    def __init__(self, request_parser: Mapping[str, Any]) -> None:
        self.paths = {name: request_parser.get(name) or "" for name in _TOP_LEVEL_PATHS}
        member_parser = request_parser["memberArrayParser"]
        self.member_paths = {name: member_parser.get(name) or "" for name in _MEMBER_PATHS}

    def declared(self, name: str) -> bool:
        return bool(self.paths[name])

    def top(self, name: str, body: Any, required: bool = False) -> Any:
        pointer = self.paths[name]
        if not pointer:
            return _MISSING
        return _required(body, pointer) if required else _resolve(body, pointer)

    def optional_array(self, name: str, body: Any) -> Any:
        found = _resolve(body, self.paths[name])
        return [] if found is _MISSING or found is None else found

    def records(self, members: Any, top: _Cohort,
                membership: bool | None) -> list[SyncedSegmentRecord]:
        if not isinstance(members, list):
            raise SyncedSegmentError("parsed value for member array is not an array")
        paths = self.member_paths
        records: list[SyncedSegmentRecord] = []
        for member in members:
            # The same order of lookups as the original, so the same path is reported missing.
            value = membership
            if value is None:
                value = _membership(member, paths["booleanMembershipPath"])
            user_id = _required(member, paths["memberIdPath"])
            cohort_id = _resolve(member, paths["cohortIdPath"]) if paths["cohortIdPath"] \
                else _MISSING
            cohort_name = _resolve(member, paths["cohortNamePath"]) \
                if paths["cohortNamePath"] else _MISSING
            records.append({
                "userId": user_id,
                "cohortId": cohort_id if _truthy(cohort_id) else top.id,
                "cohortName": cohort_name if _truthy(cohort_name) else top.name,
                "cohortUrl": top.url,
                "value": value,
            })
        return records


def _membership(member: Any, pointer: str) -> bool:
    found = _resolve(member, pointer)
    if found is False:
        return False  # the documented meaning; the validation server rejects it
    if not _truthy(found):
        raise _not_found(pointer)
    return True


def _resolve(document: Any, pointer: str) -> Any:
    """The value at ``pointer`` in ``document``, or ``_MISSING``."""
    if not pointer:
        return _MISSING
    found = JsonPointer(pointer).resolve(document, _MISSING)
    return _MISSING if isinstance(found, EndOfList) else found


def _required(document: Any, pointer: str) -> Any:
    found = _resolve(document, pointer)
    if not _truthy(found):
        raise _not_found(pointer)
    return found


def _not_found(pointer: str) -> SyncedSegmentError:
    return SyncedSegmentError(f"could not find path {pointer} in request payload",
                              pointer=pointer)


def _truthy(value: Any) -> bool:
    """JavaScript's truthiness of a JSON value (``[]`` and ``{}`` are truthy there)."""
    if value is _MISSING or value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return True


def _js_string(value: Any) -> str:
    """``String(value)`` in JavaScript, which ``RegExp.test`` applies to its argument."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, list):
        return ",".join("" if item is None else _js_string(item) for item in value)
    return "[object Object]"
