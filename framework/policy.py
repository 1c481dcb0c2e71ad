"""LaunchDarkly policy statements: which audit-log events an integration receives.

A policy is a list of statements (LaunchDarkly's custom-role policy format)::

    [{"effect": "allow", "resources": ["proj/*:env/production:flag/*"], "actions": ["*"]},
     {"effect": "deny", "resources": ["proj/*:env/*:flag/*;security"], "actions": ["*"]}]

    policy = Policy.from_statements(statements)
    decision = policy.allows(*event_resource(event))
    if not decision:
        raise errors.Skipped(decision.reason)

Statements:
    ``effect`` is ``allow`` (the default) or ``deny``. ``resources`` lists the resources the
    statement covers, ``notResources`` every resource but those (give one of the two; neither
    means ``["*"]``). ``actions``/``notActions`` work the same way for actions (``updateOn``,
    ``createFlag``...). Statement order does not matter.

Evaluation (as LaunchDarkly documents it):
    1. a ``deny`` statement matching the resource and the action denies, whatever allows it;
    2. otherwise an ``allow`` statement matching both allows;
    3. otherwise the event is denied: nothing matched means no.

Resource specifiers and how an audit-log event becomes a resource and an action are described
in :mod:`framework.resources`, where :func:`parse_resource` and :func:`event_resource` live
(both importable from here).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Mapping, Sequence

from .errors import ConfigError, Problem, json_pointer
from .resources import (ALL_ENVIRONMENTS, Segment, event_resource, matches, parse_resource,
                        specifier_covers)

__all__ = ["Policy", "Statement", "Decision", "Segment", "parse_resource", "event_resource",
           "parse_policy", "evaluate", "ALL_ENVIRONMENTS", "DEFAULT_STATEMENT"]

DEFAULT_STATEMENT: Mapping[str, Any] = {
    "effect": "allow", "actions": ["*"], "resources": ["proj/*:env/production:flag/*"]}
"""The statement most LaunchDarkly integrations ship: every change to production flags."""

_STATEMENT_KEYS = ("effect", "resources", "notResources", "actions", "notActions")


@dataclass(frozen=True)
class Statement:
    """One parsed policy statement (see the module docstring for the semantics)."""

    index: int
    effect: str
    resources: tuple[tuple[Segment, ...], ...]
    resources_negated: bool
    actions: tuple[str, ...]
    actions_negated: bool
    text: str

    def applies_to(self, resource: tuple[Segment, ...], action: str) -> bool:
        """Whether this statement covers ``action`` on ``resource``."""
        hit = any(specifier_covers(spec, resource) for spec in self.resources)
        if hit == self.resources_negated:
            return False
        acted = any(matches(pattern, action) for pattern in self.actions)
        return acted != self.actions_negated


@dataclass(frozen=True)
class Decision:
    """The outcome of :meth:`Policy.allows`; true when allowed.

    Attributes:
        allowed: Whether the policy lets the event through.
        reason: One sentence naming the statement that decided (or saying none matched).
        statement: The index of that statement, or ``None`` for the default deny.
    """

    allowed: bool
    reason: str
    statement: int | None = None

    def __bool__(self) -> bool:
        return self.allowed


class Policy:
    """A parsed list of policy statements; build it with :meth:`from_statements`."""

    def __init__(self, statements: Sequence[Statement]) -> None:
        self.statements = tuple(statements)

    def __repr__(self) -> str:
        return f"Policy({[s.text for s in self.statements]!r})"

    @classmethod
    def from_statements(cls, statements: Any, *, source: str = "policy",
                        pointer: str = "") -> Policy:
        """A policy from LaunchDarkly statements (a list of dicts, as in a manifest).

        Args:
            statements: The statements, e.g. a manifest's ``defaultPolicy``.
            source: The document named in problems (``manifest.json``, ``settings``).
            pointer: The JSON pointer of the list inside that document, prefixed to each
                problem's pointer (``/capabilities/auditLogEventsHook/defaultPolicy``).

        Raises:
            ConfigError: Listing every bad statement and field at once, each with its pointer
                (``/1/resources/0``) and rule.
        """
        problems: list[Problem] = []

        def problem(path: Sequence[Any], rule: str, message: str) -> None:
            problems.append(Problem(source, pointer + json_pointer(path), rule, message))

        if not isinstance(statements, list):
            problem([], "type", "a policy must be a list of statements")
            raise ConfigError(problems=problems)
        if not statements:
            problem([], "minItems", "a policy needs at least one statement")
        parsed = []
        for index, raw in enumerate(statements):
            statement = _parse_statement(index, raw, problem)
            if statement is not None:
                parsed.append(statement)
        if problems:
            raise ConfigError(problems=problems)
        return cls(parsed)

    def allows(self, resource: str | tuple[Segment, ...], action: str) -> Decision:
        """Whether ``action`` on ``resource`` is allowed: deny wins, nothing matched is denied.

        Args:
            resource: A resource string (``proj/default:env/production:flag/demo-flag;ops``)
                or parsed segments.
            action: The action (an audit-log event's ``verbKind``).

        Raises:
            ValueError: ``resource`` is not a valid resource string.
        """
        segments = parse_resource(resource) if isinstance(resource, str) else resource
        shown = ":".join(map(str, segments)) or "*"
        allowed = None
        for statement in self.statements:
            if not statement.applies_to(segments, action):
                continue
            if statement.effect == "deny":
                return Decision(False, f"{action or '(no action)'} on {shown} is denied by "
                                f"policy statement {statement.index} ({statement.text})",
                                statement.index)
            allowed = allowed or statement
        if allowed is not None:
            return Decision(True, f"{action or '(no action)'} on {shown} is allowed by policy "
                            f"statement {allowed.index} ({allowed.text})", allowed.index)
        return Decision(False, f"no policy statement allows {action or '(no action)'} on "
                        f"{shown} (not matched, so denied)")


_Report = Callable[[Sequence[Any], str, str], None]


def _strings(index: int, raw: Mapping[str, Any], key: str, problem: _Report) -> list[str] | None:
    values = raw[key]
    if not isinstance(values, list) or not values:
        problem([index, key], "type", f"{key} must be a non-empty list of strings")
        return None
    good = True
    for position, value in enumerate(values):
        if not isinstance(value, str) or not value.strip():
            problem([index, key, position], "type", f"{key} entries must be non-empty strings, "
                    f"got {value!r}")
            good = False
    return values if good else None


def _parse_statement(index: int, raw: Any, problem: _Report) -> Statement | None:
    if not isinstance(raw, Mapping):
        problem([index], "type", f"statement {index} must be an object, got {type(raw).__name__}")
        return None
    ok = True
    for key in raw:
        if key not in _STATEMENT_KEYS:
            problem([index, key], "propertyNames", f'unknown field "{key}" (allowed: '
                    f"{', '.join(_STATEMENT_KEYS)})")
            ok = False
    effect = raw.get("effect", "allow")
    if effect not in ("allow", "deny"):
        problem([index, "effect"], "enum", f'effect must be "allow" or "deny", got {effect!r}')
        ok = False
    lists: dict[str, tuple[list[str], bool]] = {}
    for positive, negative in (("resources", "notResources"), ("actions", "notActions")):
        if positive in raw and negative in raw:
            problem([index, negative], "exclusive", f"give {positive} or {negative}, not both")
            ok = False
            continue
        key = negative if negative in raw else positive
        if key not in raw:
            lists[positive] = (["*"], False)
            continue
        values = _strings(index, raw, key, problem)
        if values is None:
            ok = False
            continue
        lists[positive] = (values, key == negative)
    resources: list[tuple[Segment, ...]] = []
    if "resources" in lists:
        values, negated = lists["resources"]
        key = "notResources" if negated else "resources"
        for position, text in enumerate(values):
            try:
                resources.append(parse_resource(text))
            except ValueError as exc:
                problem([index, key, position], "specifier", f"{text!r}: {exc}")
                ok = False
    if "actions" in lists:
        values, negated = lists["actions"]
        key = "notActions" if negated else "actions"
        for position, text in enumerate(values):
            if re.search(r"\s", text):
                problem([index, key, position], "pattern", f"action {text!r} contains whitespace")
                ok = False
    if not ok:
        return None
    resource_list, resources_negated = lists["resources"]
    actions, actions_negated = lists["actions"]
    text = (f"{effect} {'not ' if actions_negated else ''}{','.join(actions)} on "
            f"{'not ' if resources_negated else ''}{','.join(resource_list)}")
    return Statement(index, effect, tuple(resources), resources_negated, tuple(actions),
                     actions_negated, text)


def parse_policy(statements: Any) -> list[dict[str, Any]]:
    """The statements, checked and with their defaults filled in, as plain dicts.

    For declarations that keep a policy as data (``Builder.policy``, a ``policy`` setting):
    ``effect`` defaults to ``allow``, missing ``resources``/``actions`` to ``["*"]``.

    Raises:
        ValueError: Naming each bad statement field by pointer (``/1/effect: ...``), joined
            with ``; `` (see :meth:`Policy.from_statements` for the structured problems).
    """
    try:
        Policy.from_statements(statements)
    except ConfigError as exc:
        raise ValueError("; ".join(f"{p.pointer or '/'}: {p.message}" for p in exc.problems)) \
            from None
    normal = []
    for raw in statements:
        statement: dict[str, Any] = {"effect": raw.get("effect", "allow")}
        for positive, negative in (("resources", "notResources"), ("actions", "notActions")):
            key = negative if negative in raw else positive
            statement[key] = list(raw.get(key, ["*"]))
        normal.append(statement)
    return normal


@lru_cache(maxsize=256)
def _cached_policy(key: str) -> Policy:
    return Policy.from_statements(json.loads(key))


def evaluate(statements: Sequence[Mapping[str, Any]], event: Mapping[str, Any]) -> Decision:
    """Whether ``statements`` let the audit-log ``event`` through (parsed policies are cached).

    Raises:
        ValueError: The statements are not a valid policy.
        RejectedError: The event cannot be matched (see :func:`event_resource`).
    """
    key = json.dumps(list(statements), sort_keys=True, default=str)
    try:
        policy = _cached_policy(key)
    except ConfigError as exc:
        raise ValueError(str(exc)) from None
    return policy.allows(*event_resource(event))
