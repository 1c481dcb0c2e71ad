"""Step 3 of the pipeline: are the settings valid, and does the message pass the rules?

:func:`validate_settings` checks the typed settings (``.setting()``), then the checks of the
settings as a whole (``.ensure_settings()``), then the ``ensure('settings.<key>')`` rules that
apply to every message type, and raises one :class:`errors.ValidationError` listing every
problem. :func:`run_rules` runs the ``ensure`` rules in declaration order for one message and
raises the first failure. :class:`framework.integration.Integration` calls both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from facade import Facade

from . import errors
from .declarations import Validation
from .callables import call_with_integration
from .settings_schema import summarize

if TYPE_CHECKING:
    from .integration import Integration

__all__ = ["validate_settings", "run_rules"]


def validate_settings(cls: type[Integration],
                      settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """A new dict of ``settings`` with ``cls``'s declared defaults applied, once every
    declared setting is valid and every ``ensure('settings.<key>')`` rule that applies to all
    message types passes.

    Raises:
        errors.ValidationError: Some are not; ``problems`` lists every one (setting, rule,
            RFC 6901 pointer), secret values redacted.
    """
    compiled = cls.typed_settings()
    try:
        result = compiled.validate(settings)
        found: list[errors.Problem] = []
    except errors.ValidationError as exc:
        if settings is not None and not isinstance(settings, Mapping):
            raise
        result = compiled.apply_defaults(settings or {})
        found = list(exc.problems)
    if not found:
        for check in cls._settings_rules:
            found.extend(_problems_of(check, check(result)))
    reported = {p.pointer for p in found}
    for rule in cls._validations:
        if rule.kind != "settings" or rule.methods is not None:
            continue
        pointer = errors.json_pointer(rule.path.split("."))
        if pointer not in reported and _is_blank(_setting_value(result, rule.path)):
            reported.add(pointer)
            found.append(errors.Problem("settings", pointer, "required",
                                        f'setting "{rule.path}" is required'))
    if found:
        raise errors.ValidationError(summarize(found), problems=found, integration=cls.name)
    return result


def run_rules(cls: type[Integration], msg: Facade, settings: Mapping[str, Any]) -> None:
    """Run ``cls``'s ``ensure`` rules that apply to ``msg``'s type, in order.

    Raises:
        errors.IntegrationError: The first rule that failed (``ValidationError`` for a
            settings rule, ``RejectedError`` for a message rule, or what a function returned).
        errors.ProgrammingError: A function rule returned something other than an
            integration error or ``None``.
    """
    message_type = msg.type()
    for rule in cls._validations:
        if rule.applies_to(message_type):
            error = _check(cls, rule, msg, settings)
            if error is not None:
                raise error


def _check(cls: type[Integration], rule: Validation, msg: Facade,
           settings: Mapping[str, Any]) -> errors.IntegrationError | None:
    if rule.kind == "settings":
        if _is_blank(_setting_value(settings, rule.path)):
            return cls.invalid('setting "%s" is required', rule.path)
        return None
    if rule.kind == "message":
        if msg.proxy(rule.path) is None:
            return cls.reject('message attribute "%s" is required', rule.path)
        return None
    if rule.fn is None:  # pragma: no cover - function rules always have one
        return None
    result = call_with_integration(rule.fn, msg, settings, cls)
    if result is None:
        return None
    if isinstance(result, errors.IntegrationError):
        if result.integration is None:
            result.integration = cls.name
        return result
    raise errors.ProgrammingError(
        f"{cls.name}: ensure rule {rule.path!r} must return cls.invalid(...), "
        f"cls.reject(...) or None, got {result!r}")


def _setting_value(settings: Mapping[str, Any], path: str) -> Any:
    """The setting at ``path``: the key as given (``"a.b"``), else the path into nested
    objects (``{"a": {"b": ...}}``)."""
    if path in settings:
        return settings[path]
    value: Any = settings
    for part in path.split("."):
        if type(value) is not dict and not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _problems_of(check: Callable[..., Any], outcome: Any) -> list[errors.Problem]:
    if outcome is None:
        return []
    if isinstance(outcome, str):
        return [errors.Problem("settings", "", "settings", outcome)]
    if isinstance(outcome, errors.Problem):
        return [outcome]
    if isinstance(outcome, (list, tuple)) and all(isinstance(p, errors.Problem)
                                                  for p in outcome):
        return list(outcome)
    name = getattr(check, "__name__", repr(check))
    raise errors.ProgrammingError(f"settings rule {name!r} must return None, a string, an "
                                  f"errors.Problem or a list of them, got {outcome!r}")


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
