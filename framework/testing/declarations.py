"""Assertions about what an integration declares, and about its settings validation.

Mixed into :class:`~framework.testing.IntegrationTester`; each assertion raises
``AssertionError`` at once and returns the tester, so they chain::

    tester.name("Webhooks").channels(["server", "mobile", "client"]).retries(1).timeout("5s")
"""

from __future__ import annotations

import copy
import re
from typing import Any, Callable, Iterable, Mapping, TypeVar

import facade
from facade import Facade

from .. import errors
from ..builder import parse_duration

__all__ = ["Declarations", "as_message"]

T = TypeVar("T", bound="Declarations")


def as_message(message: Facade | Mapping[str, Any], kind: str | None = None) -> Facade:
    """A facade for ``message``: facades are kept, dicts are deep-copied and wrapped.

    Args:
        message: A facade or a Segment message dict.
        kind: Force this type; when ``None`` a dict without ``type`` becomes a track, except
            an audit-log event (it has a ``kind``), which is kept as it is.
    """
    if isinstance(message, Facade):
        if kind is None or message.type() == kind:
            return message
        message = message.raw_event()
    if not isinstance(message, Mapping):
        raise TypeError(f"expected a message dict or a facade, got {type(message).__name__}")
    data = copy.deepcopy(dict(message))
    if kind is not None:
        data["type"] = kind
    elif not data.get("type") and not data.get("action") and not data.get("kind"):
        data["type"] = "track"
    return facade.create(data)


class Declarations:
    """Declaration and validation assertions; needs ``integration_class`` and ``settings``."""

    integration_class: Any
    settings: dict[str, Any]
    #: The error of the last :meth:`invalid` check.
    validation_error: errors.IntegrationError | None = None

    def name(self: T, expected: str) -> T:
        """Assert the integration's name."""
        actual = self.integration_class.name
        if actual != expected:
            raise AssertionError(f"expected name to be {expected!r} but it's {actual!r}")
        return self

    def channels(self: T, expected: Iterable[str]) -> T:
        """Assert the declared channels, in any order (the integration is never changed)."""
        wanted = sorted(expected)
        actual = sorted(self.integration_class._channels)
        if wanted != actual:
            raise AssertionError(f"expected channels {wanted} but the integration declares "
                                 f"{actual}")
        return self

    def ensure(self: T, rule: str | Callable[..., Any],
               methods: Iterable[str] | None = None) -> T:
        """Assert an ``ensure`` rule is declared.

        Args:
            rule: ``'settings.<key>'``, ``'message.<path>'`` or the rule's function.
            methods: When given, the message types the rule must be limited to.
        """
        declared = self.integration_class._validations
        if callable(rule):
            found = [v for v in declared if v.fn is rule]
            shown = getattr(rule, "__name__", repr(rule))
        else:
            kind, _, path = str(rule).partition(".")
            found = [v for v in declared if v.kind == kind and v.path == path]
            shown = str(rule)
        if not found:
            known = ", ".join(f"{v.kind}.{v.path}" for v in declared) or "none"
            raise AssertionError(f"expected integration to have validation for {shown!r} "
                                 f"(declared: {known})")
        if methods is not None:
            wanted = sorted(methods)
            actual = [sorted(v.methods) if v.methods is not None else None for v in found]
            if wanted not in actual:
                raise AssertionError(f"expected validation {shown!r} for methods {wanted} but "
                                     f"it applies to {actual[0] or 'every method'}")
        return self

    def setting(self: T, key: str, **expected: Any) -> T:
        """Assert a typed setting is declared, and that each given attribute matches
        (``type``, ``required``, ``default``, ``secret``, ``allowed``...)."""
        found = {s.key: s for s in self.integration_class._settings}
        if key not in found:
            raise AssertionError(f"expected integration to declare setting {key!r} "
                                 f"(declared: {', '.join(found) or 'none'})")
        described = found[key].describe()
        for name, value in expected.items():
            if name not in described:
                raise AssertionError(f"settings have no attribute {name!r}; use one of "
                                     f"{', '.join(described)}")
            actual = described[name]
            if name == "allowed" and value is not None:
                value = list(value)
            if actual != value:
                raise AssertionError(f"expected setting {key!r} to have {name}={value!r} but "
                                     f"it has {actual!r}")
        return self

    def retries(self: T, expected: int) -> T:
        """Assert the declared number of retries."""
        actual = self.integration_class._retries
        if actual != expected:
            raise AssertionError(f"expected retries to be {expected!r} but it's {actual!r}")
        return self

    def timeout(self: T, expected: float | int | str) -> T:
        """Assert the declared timeout: seconds, or a string such as ``'3s'``/``'500ms'``."""
        wanted = parse_duration(expected)
        actual = self.integration_class._timeout
        if abs(actual - wanted) > 1e-9:
            raise AssertionError(f"expected timeout to be {wanted:g}s ({expected!r}) but it's "
                                 f"{actual:g}s")
        return self

    def endpoint(self: T, expected: str) -> T:
        """Assert the declared endpoint."""
        actual = self.integration_class._endpoint
        if actual != expected:
            raise AssertionError(f"expected endpoint to be {expected!r} but it's {actual!r}")
        return self

    # -- validation ------------------------------------------------------------------------

    def _settings_for(self, settings: Mapping[str, Any] | None) -> dict[str, Any]:
        return copy.deepcopy(dict(self.settings if settings is None else settings))

    def valid(self: T, message: Facade | Mapping[str, Any],
              settings: Mapping[str, Any] | None = None) -> T:
        """Assert the ``ensure`` rules accept ``message`` with these settings (the tester's
        when ``None``); a dict without ``type`` is a track."""
        msg = as_message(message)
        try:
            self.integration_class.validate(msg, self._settings_for(settings))
        except errors.IntegrationError as error:
            raise AssertionError(
                f"expected .validate(msg, settings) to pass for a {msg.type()} message but it "
                f"raised {type(error).__name__} ({error.code}): {error}") from error
        return self

    def invalid(self: T, message: Facade | Mapping[str, Any],
                settings: Mapping[str, Any] | None = None,
                match: str | re.Pattern[str] | None = None) -> T:
        """Assert the ``ensure`` rules refuse ``message`` with these settings.

        Args:
            message: A facade or a dict (a track when it has no ``type``).
            settings: The settings to validate with; the tester's when ``None``.
            match: A regex the error's message must match (searched).

        Returns:
            The tester, so checks chain (``.invalid(...).valid(...)``); the error
            ``validate`` raised is kept as :attr:`validation_error`.
        """
        msg = as_message(message)
        try:
            self.integration_class.validate(msg, self._settings_for(settings))
        except errors.IntegrationError as error:
            if match is not None and not re.search(match, str(error)):
                pattern = match.pattern if isinstance(match, re.Pattern) else match
                raise AssertionError(f"expected the validation error to match {pattern!r} "
                                     f"but it was {type(error).__name__}: {error}") from error
            self.validation_error = error
            return self
        raise AssertionError(f"expected .validate(msg, settings) to return an error for a "
                             f"{msg.type()} message, but it passed")
