"""From ``package.module:ClassName`` to a served feed app (``framework serve --feed``).

:func:`load_feed` imports and checks the class; :func:`feed_app_from_environ` adds the
gateway client built from the environment (``PLUGIN_WORKER_ID``,
``PLUGIN_AUTHENTICATION_TOKEN``, ``GATEWAY_HOST``, ``GATEWAY_PORT``). Both raise one
:class:`~framework.errors.ConfigError` listing every problem, before anything binds a port.
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
from typing import TYPE_CHECKING, Any, Mapping

from .. import errors
from .base import GenericAudienceFeedConnector, missing_handlers
from .gateway import GatewayClient, PluginCredentials, gateway_url

if TYPE_CHECKING:  # pragma: no cover
    from starlette.applications import Starlette

__all__ = ["load_feed", "feed_app_from_environ"]

_SPEC = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_SOURCE = "--feed"


def _problem(rule: str, message: str) -> errors.ConfigError:
    return errors.ConfigError(problems=[errors.Problem(_SOURCE, "", rule, message)])


def load_feed(spec: str) -> type[GenericAudienceFeedConnector[Any]]:
    """The connector class named by ``package.module:ClassName``.

    Raises:
        errors.ConfigError: The spec is malformed, the module or class cannot be imported,
            the class is not an audience feed connector, or it lacks required handlers
            (each one named).
    """
    if not isinstance(spec, str) or not _SPEC.match(spec):
        raise _problem("format", f"expected package.module:ClassName, got {spec!r}")
    module_name, _, attribute = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise _problem("import", f"cannot import {module_name}: {exc}") from None
    found: Any = module
    for part in attribute.split("."):
        found = getattr(found, part, None)
        if found is None:
            raise _problem("attribute", f"{module_name} has no attribute {attribute!r}")
    if not inspect.isclass(found) or not issubclass(found, GenericAudienceFeedConnector) \
            or found in _BASES:
        raise _problem("type", f"{spec} is not a subclass of AudienceFeedConnector or "
                               "BatchedAudienceFeedConnector")
    missing = missing_handlers(found)
    if missing:
        raise errors.ConfigError(problems=[
            errors.Problem(_SOURCE, "", "handler",
                           f"{spec}: the required handler {name}() is not defined")
            for name in missing])
    return found


def feed_app_from_environ(spec: str, environ: Mapping[str, str] = os.environ, *,
                          max_in_flight: int | None = None) -> "Starlette":
    """The app serving the feed ``spec``, its gateway client built from ``environ``.

    Raises:
        errors.ConfigError: The feed cannot be loaded, or ``PLUGIN_WORKER_ID`` /
            ``PLUGIN_AUTHENTICATION_TOKEN`` is unset (all problems listed at once).
    """
    from .routes import create_feed_app

    problems: list[errors.Problem] = []
    cls = None
    try:
        cls = load_feed(spec)
    except errors.ConfigError as exc:
        problems.extend(exc.problems)
    try:
        credentials = PluginCredentials.from_environ(environ)
    except errors.ConfigError as exc:
        problems.extend(exc.problems)
    if problems or cls is None:
        raise errors.ConfigError(problems=problems)
    gateway = GatewayClient(credentials, gateway_url(environ))
    return create_feed_app(cls(gateway), gateway, max_in_flight=max_in_flight)


def _bases() -> tuple[type, ...]:
    from .base import AudienceFeedConnector, BatchedAudienceFeedConnector

    return (GenericAudienceFeedConnector, AudienceFeedConnector, BatchedAudienceFeedConnector)


_BASES = _bases()
