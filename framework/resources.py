"""LaunchDarkly resources: specifiers, and the resource an audit-log event is about.

A policy statement names resources with specifiers (:func:`parse_resource`); an audit-log
event is matched as the resource string and action :func:`event_resource` gives it, which
:meth:`Segment.covers` and :func:`specifier_covers` compare segment by segment.

Resource specifiers:
    ``type/name;tag1,tag2`` segments joined by ``:`` from the outermost scope in:
    ``proj/default:env/production:flag/demo-flag``. The tags part is optional. ``*`` in a name or
    a tag matches any run of characters (``proj/mobile-*``, ``env/*;qa_*``); ``*`` alone matches
    every resource. Several tags in one segment must all be present (AND: ``flag/*;ops,security``
    needs both); for OR write two statements. A specifier matches a resource of the same depth
    only: ``proj/*`` is the projects themselves, not the flags in them. Actions accept ``*`` the
    same way (``update*``). LaunchDarkly's newer ``{property:value}`` selectors are not supported
    and are reported as such.

How an audit-log event becomes a resource and an action (:func:`event_resource`):
    * the action is the event's ``verbKind`` (``updateRules``); an event without one only matches
      statements whose actions include ``*``;
    * ``flag`` and ``segment`` (and ``experiment``) events:
      ``proj/<project.key>;<project.tags>:env/<project.environment.key>;<environment tags>:
      <kind>/<key>;<tags>``;
    * ``environment``: ``proj/<project.key>;<project.tags>:env/<key>;<tags>``;
    * ``metric`` (and ``release-pipeline``): ``proj/<project.key>;<project.tags>:<kind>/<key>``;
    * ``project``: ``proj/<key>;<tags>`` (LaunchDarkly's resource types are ``proj`` and ``env``);
    * anything else (``member``, ``webhook``, ``integration``, ``role``...): ``<kind>/<key>``,
      where a missing ``key`` falls back to ``target._id`` (members and webhooks have no key).
    * The environment key ``~`` means "all environments": LaunchDarkly uses it for flag changes
      that are not specific to one environment (a new flag, a tag, a name). Such a change applies
      to every environment, so its ``env`` segment matches any environment name and tag filter:
      a ``proj/*:env/production:flag/*`` policy receives it. A flag or segment event with no
      environment key is treated the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

from .errors import RejectedError

__all__ = ["Segment", "parse_resource", "event_resource", "specifier_covers", "matches",
           "ALL_ENVIRONMENTS"]

ALL_ENVIRONMENTS = "~"
"""The environment key of changes that apply to every environment."""

_SEGMENT = re.compile(r"^(?P<type>[A-Za-z][A-Za-z0-9-]*)/(?P<name>[^;:/,\s]+)"
                      r"(?:;(?P<tags>[^;:/\s]*))?$")
_DELIMITERS = re.compile(r"[:;,/\s]")
_RESOURCE_TYPES = {"project": "proj", "environment": "env"}
_ENV_SCOPED = ("flag", "segment", "experiment")
_PROJECT_SCOPED = ("metric", "release-pipeline")


@lru_cache(maxsize=4096)
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(map(re.escape, pattern.split("*"))) + "$", re.DOTALL)


def matches(pattern: str, value: str) -> bool:
    """Whether ``value`` matches ``pattern``, where ``*`` matches any run of characters."""
    return pattern == value if "*" not in pattern else bool(_glob(pattern).match(value))


@dataclass(frozen=True)
class Segment:
    """One ``type/name;tag,tag`` part of a resource or of a specifier."""

    type: str
    name: str
    tags: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.type}/{self.name}" + (";" + ",".join(self.tags) if self.tags else "")

    def covers(self, resource: Segment) -> bool:
        """Whether this specifier segment matches the resource segment ``resource``."""
        if self.type != resource.type:
            return False
        if resource.type == "env" and resource.name == ALL_ENVIRONMENTS:
            return True
        if not matches(self.name, resource.name):
            return False
        return all(any(matches(tag, have) for have in resource.tags) for tag in self.tags)


def parse_resource(text: str) -> tuple[Segment, ...]:
    """The segments of a resource string or specifier (``()`` for ``*``, every resource).

    Raises:
        ValueError: The text is not ``type/name;tags`` segments joined by ``:``; the message
            says which segment and why.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("must be a non-empty string such as proj/*:env/production:flag/*")
    if text == "*":
        return ()
    if "{" in text:
        raise ValueError("property selectors ({property:value}) are not supported; "
                         "use names and tags")
    segments = []
    for part in text.split(":"):
        found = _SEGMENT.match(part)
        if not found:
            raise ValueError(f'segment "{part}" must look like type/name or type/name;tag1,tag2')
        tags = tuple(t for t in (found.group("tags") or "").split(",") if t)
        if found.group("tags") is not None and not tags:
            raise ValueError(f'segment "{part}" has ";" but no tags after it')
        segments.append(Segment(found.group("type"), found.group("name"), tags))
    return tuple(segments)


def specifier_covers(specifier: tuple[Segment, ...], resource: tuple[Segment, ...]) -> bool:
    """Whether a parsed specifier matches a parsed resource: ``*`` (no segments) matches
    everything, otherwise the same depth with every segment covered."""
    if not specifier:
        return True
    return len(specifier) == len(resource) and all(
        want.covers(have) for want, have in zip(specifier, resource))


def _segment(kind: str, key: Any, tags: Any, field: str) -> Segment:
    if not isinstance(key, str) or not key:
        raise RejectedError(f"audit-log event: {field} must be a non-empty string to match a "
                            f"policy, got {key!r}")
    if _DELIMITERS.search(key):
        raise RejectedError(f"audit-log event: {field} {key!r} contains one of : ; , / or a "
                            "space, which resource names cannot hold")
    if tags is None:
        tags = []
    if not isinstance(tags, (list, tuple)):
        raise RejectedError(f"audit-log event: the tags of {field} must be a list, got {tags!r}")
    return Segment(kind, key, tuple(str(t) for t in tags if isinstance(t, str) and t and
                                    not _DELIMITERS.search(t)))


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def event_resource(event: Mapping[str, Any]) -> tuple[str, str]:
    """The resource string and the action of an audit-log event (see the module docstring).

    >>> event_resource({"kind": "flag", "key": "demo", "tags": ["ops"], "verbKind": "updateOn",
    ...                 "project": {"key": "default", "tags": [],
    ...                             "environment": {"key": "production", "tags": []}}})
    ('proj/default:env/production:flag/demo;ops', 'updateOn')

    Raises:
        RejectedError: The event has no ``kind``, or lacks a key its kind needs.
    """
    if not isinstance(event, Mapping):
        raise RejectedError(f"an audit-log event must be an object, got {type(event).__name__}")
    kind = event.get("kind")
    if not isinstance(kind, str) or not kind or _DELIMITERS.search(kind):
        raise RejectedError(f"audit-log event: kind must be a resource kind such as flag, got "
                            f"{kind!r}")
    action = event.get("verbKind")
    action = action if isinstance(action, str) else ""
    project = _object(event.get("project"))
    environment = _object(project.get("environment"))
    key = event.get("key")
    if not key and isinstance(event.get("target"), Mapping):
        key = event["target"].get("_id")
    own = _segment(_RESOURCE_TYPES.get(kind, kind), key, event.get("tags"), "key")
    if kind == "project":
        return str(own), action
    if kind in _ENV_SCOPED or kind in _PROJECT_SCOPED or kind == "environment":
        proj = _segment("proj", project.get("key"), project.get("tags"), "project.key")
        if kind in _PROJECT_SCOPED or kind == "environment":
            return f"{proj}:{own}", action
        env_key = environment.get("key") or ALL_ENVIRONMENTS
        env = _segment("env", env_key, environment.get("tags"), "project.environment.key")
        return f"{proj}:{env}:{own}", action
    return str(own), action
