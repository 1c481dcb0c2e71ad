"""Accessors every message type shares: context, integrations, ids, traits, library,
device, time and channel (``lib/facade.js``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, Optional

from .address import AddressMixin
from .dates import parse_timestamp
from .objcase import View, find, find_key, index, lookup, normalize
from .values import _export_dict, export, truthy
from .views import context_field, read

__all__ = ["CommonMixin", "UNSET"]

#: The timestamp slot before the first read.
UNSET: Any = object()
_NO_INDEX: dict = {}  # the index of an empty dict (read-only)


class CommonMixin(AddressMixin):
    """The base accessors of :class:`facade.Facade` (on every message type)."""

    __slots__ = ()

    _obj: dict
    _ts: Any
    _ov: Optional[View]

    def _ctx(self) -> View:  # pragma: no cover - provided by Facade
        raise NotImplementedError

    def _options_view(self) -> dict:  # pragma: no cover - provided by Facade
        raise NotImplementedError

    def _integrations_view(self) -> dict:  # pragma: no cover - provided by Facade
        raise NotImplementedError

    def _traits_view(self) -> dict:  # pragma: no cover - provided by Facade
        raise NotImplementedError

    def _aliased(self, ret: dict, aliases: Any, root: View,
                 prefix: str) -> dict:  # pragma: no cover - provided by Facade
        raise NotImplementedError

    def options(self, name: Optional[str] = None) -> Optional[dict]:
        """The context (``options``, else ``context``), or one integration's options.

        Args:
            name: An integration name, matched case- and separator-insensitively.

        Returns:
            Without a name, a copy of the context (``{}`` when absent). With a name:
            None when that integration is disabled, else its settings object from
            ``integrations`` (or the context), or ``{}`` when it has none.
        """
        if not truthy(name):
            return export(self._options_view())
        if not self.enabled(name):  # type: ignore[arg-type]
            return None
        integrations = self._integrations_view()
        value = integrations.get(name) if type(name) is str else None
        if not truthy(value):
            value = find(integrations, name)
        if not isinstance(value, dict):
            value = lookup(self._ov or self._ctx(), name)
        return export(value) if isinstance(value, dict) else {}

    def context(self, name: Optional[str] = None) -> Optional[dict]:
        """Same as :meth:`options`.

        Args:
            name: An integration name.

        Returns:
            See :meth:`options`.
        """
        return self.options(name)

    def integrations(self) -> dict:
        """The ``integrations`` object, else ``context.providers``, else the context.

        Returns:
            A copy (``{}`` when the field is not an object).
        """
        return export(self._integrations_view())

    def enabled(self, name: Optional[str] = None) -> bool:
        """Whether the integration ``name`` should receive this message.

        ``All`` (in ``context.providers``, ``context`` or ``integrations``, first
        boolean wins) sets the default; an explicit entry for ``name`` in
        ``integrations().providers`` or ``integrations()`` overrides it (a boolean
        as is, any other value means enabled). Names match case- and
        separator-insensitively (``"hub_spot"`` finds ``"HubSpot"``).

        Args:
            name: The integration name; without one, only ``All`` counts.

        Returns:
            True when enabled.
        """
        ctx = self._ov or self._ctx()
        cidx = ctx[1]
        enabled: Any = None
        # proxy("options.providers.all"), then "options.all": one index probe each when
        # the context has no such key (the usual case)
        if "providers" in cidx or "providers.all" in cidx:
            enabled = lookup(ctx, "providers.all")
        if type(enabled) is not bool:
            hit = cidx.get("all")
            enabled = None if hit is None else ctx[0][hit[1]]
        integrations = self._integrations_view()
        # the integrations' index, built at most once (and not at all for ``{}``)
        iidx = index(integrations) if integrations else _NO_INDEX
        if type(enabled) is not bool:
            hit = iidx.get("all")
            enabled = True if hit is None else integrations[hit[1]]
            if type(enabled) is not bool:
                enabled = True
        if type(name) is not str:
            return truthy(enabled)
        if "providers" in integrations:
            providers = integrations["providers"]
            key = find_key(providers, name)
            if key is not None:
                enabled = providers[key]
        if name in integrations:
            settings = integrations[name]
            enabled = settings if type(settings) is bool else True
        elif iidx:
            hit = iidx.get(normalize(name))
            if hit is not None:
                settings = integrations[hit[1]]
                enabled = settings if type(settings) is bool else True
        return truthy(enabled)

    def active(self) -> Any:
        """``context.active``, True when missing or null (not coerced to a boolean).

        Returns:
            The value.
        """
        value = lookup(self._ov or self._ctx(), "active")
        return True if value is None else export(value)

    def anonymous_id(self) -> Any:
        """``anonymousId``, else ``sessionId``.

        Returns:
            The id or None.
        """
        obj = self._obj
        value = obj.get("anonymousId")
        if value is None or not truthy(value):
            value = obj.get("sessionId")
        return value if type(value) is str and value[4:5] != "-" else export(value)

    def session_id(self) -> Any:
        """Same as :meth:`anonymous_id`.

        Returns:
            The id or None.
        """
        return self.anonymous_id()

    def user_id(self) -> Any:
        """The ``userId`` field.

        Returns:
            The id or None.
        """
        value = self._obj.get("userId")
        return value if type(value) is str and value[4:5] != "-" else export(value)

    group_id = context_field("groupId")

    def traits(self, aliases: Optional[Dict[str, str]] = None) -> dict:
        """The context traits plus ``id`` (the user id when truthy).

        Args:
            aliases: ``{from: to}`` renames; the value of ``from`` is its accessor's
                when there is one, else the trait; a 1:1 alias keeps its key.

        Returns:
            A fresh dict.
        """
        return self._fresh(self._traits_view(), aliases, self._ov or self._ctx(), "traits.")

    def library(self) -> dict:
        """``context.library``: a string becomes ``{"name": s, "version": None}``.

        Returns:
            The library object; ``{"name": "unknown", "version": None}`` when absent
            or of a wrong type.
        """
        ctx = self._ov or self._ctx()
        hit = ctx[1].get("library")
        value = None if hit is None else ctx[0][hit[1]]
        if type(value) is dict:  # an empty object is truthy in JavaScript
            return _export_dict(value)
        if type(value) is str and value[4:5] != "-":
            return {"name": value, "version": None} if value else {"name": "unknown",
                                                                   "version": None}
        value = export(value)
        if isinstance(value, dict) and value:
            return value
        if isinstance(value, str) and value:
            return {"name": value, "version": None}
        if isinstance(value, dict):
            return value
        return {"name": "unknown", "version": None}

    def device(self) -> dict:
        """``context.device`` (``{}`` when not an object), with ``type`` guessed from the
        library name (``ios``/``android``) when missing.

        Returns:
            A fresh dict.
        """
        device = read(self._ov or self._ctx(), "device")
        if not isinstance(device, dict):
            device = {}
        if truthy(device.get("type")):
            return device
        name = self.library().get("name")
        if isinstance(name, str):
            if "ios" in name:
                device["type"] = "ios"
            if "android" in name:
                device["type"] = "android"
        return device

    user_agent = context_field("userAgent")

    timezone = context_field("timezone")

    ip = context_field("ip")

    def timestamp(self) -> Optional[datetime]:
        """The message time as a UTC datetime (see :func:`facade.dates.parse_timestamp`).

        Returns:
            The time of construction when the field is missing or null; None when it
            cannot be parsed (``raw_event()`` keeps the raw value).
        """
        ts = self._ts
        if ts is UNSET:
            ts = self._ts = parse_timestamp(self._obj.get("timestamp"))
        return ts

    def channel(self) -> Any:
        """The ``channel`` field (``server``, ``client`` or ``mobile`` by convention).

        Returns:
            The value or None.
        """
        value = self._obj.get("channel")
        return value if type(value) is str and value[4:5] != "-" else export(value)
