"""Audience feeds: mediarithmics' Audience Segment External Feed plugins, written in Python.

    from framework.audience import BatchedAudienceFeedConnector

    class AcmeFeed(BatchedAudienceFeedConnector):
        ...  # on_external_segment_creation, _connection, on_user_segment_update,
             # on_batch_update; the optional handlers answer not_implemented

    framework serve --feed my_package.acme:AcmeFeed --port 0

Modules: :mod:`.base` (the connector classes), :mod:`.types` (the JSON shapes), :mod:`.routes`
(the HTTP contract and status mapping), :mod:`.handlers` (what each route does),
:mod:`.gateway` (the plugin gateway client and credentials cache), :mod:`.cache` (instance
contexts), :mod:`.properties` (``PropertiesWrapper``), :mod:`.testing` (fake gateway,
in-process client, ``AudienceFeedSuite``). Names are resolved on first use, so importing the
package loads neither Starlette nor the server.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "AudienceFeedConnector", "BatchedAudienceFeedConnector", "GenericAudienceFeedConnector",
    "BatchPolicy", "PropertiesWrapper", "GatewayClient", "PluginCredentials",
    "ContextCache", "create_feed_app", "load_feed", "STATUS_CODES",
    "AudienceFeedInstanceContextError", "MissingConfigurationPropertyError",
    "MandatoryPropertyValueError", "InvalidPropertyValueError", "FileDownloadError",
    "MissingRealmError",
]

_WHERE = {
    "AudienceFeedConnector": "base", "BatchedAudienceFeedConnector": "base",
    "GenericAudienceFeedConnector": "base", "BatchPolicy": "base",
    "PropertiesWrapper": "properties", "GatewayClient": "gateway",
    "PluginCredentials": "gateway", "ContextCache": "cache",
    "create_feed_app": "routes", "STATUS_CODES": "routes", "load_feed": "loader",
    "AudienceFeedInstanceContextError": "..errors",
    "MissingConfigurationPropertyError": "..errors",
    "MandatoryPropertyValueError": "..errors", "InvalidPropertyValueError": "..errors",
    "FileDownloadError": "..errors", "MissingRealmError": "..errors",
}

if TYPE_CHECKING:  # pragma: no cover
    from ..errors import (AudienceFeedInstanceContextError, FileDownloadError,
                          InvalidPropertyValueError, MandatoryPropertyValueError,
                          MissingConfigurationPropertyError, MissingRealmError)
    from .base import (AudienceFeedConnector, BatchedAudienceFeedConnector, BatchPolicy,
                       GenericAudienceFeedConnector)
    from .cache import ContextCache
    from .gateway import GatewayClient, PluginCredentials
    from .loader import load_feed
    from .properties import PropertiesWrapper
    from .routes import STATUS_CODES, create_feed_app


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    relative = module if module.startswith("..") else f".{module}"
    value = getattr(importlib.import_module(relative, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
