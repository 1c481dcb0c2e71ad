"""``Page`` and ``Screen``: a page view or a mobile screen view (``lib/page.js``,
``lib/screen.js``)."""

from __future__ import annotations

from typing import Any, ClassVar, Dict, Optional, Tuple

from .base import _EMPTY, Facade
from .views import get, property_field
from .track import Track
from .values import export, is_email, out, truthy

__all__ = ["Page", "Screen"]


def _js_str(value: Any) -> Optional[str]:
    """String concatenation's view of a scalar (None for containers)."""
    if isinstance(value, str):
        return value
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) is int:
        return str(value)
    if type(value) is float:
        return str(int(value)) if value.is_integer() else repr(value)
    return None


class Page(Facade):
    """A ``page`` message."""

    __slots__ = ()
    _TYPE: ClassVar[Optional[str]] = "page"
    _NOUN: ClassVar[str] = "Page"
    _ACCESSORS: ClassVar[Tuple[str, ...]] = (
        "type", "action",
        "category", "name", "title", "path", "url", "referrer", "properties", "email",
        "full_name", "event",
    )
    _VIEWS: ClassVar[Dict[str, str]] = {"properties": "_prp"}

    def _build_properties(self) -> dict:
        props = self._obj.get("properties")
        if not isinstance(props, dict):
            props = _EMPTY
        category = self.category()
        name = self.name()
        if truthy(category) or truthy(name):
            props = dict(props)
            if truthy(category):
                props["category"] = category
            if truthy(name):
                props["name"] = name
        return props

    def category(self) -> Any:
        """The top-level ``category`` field (not a property).

        Returns:
            The value or None.
        """
        value = self._obj.get("category")
        return value if type(value) is str and value[4:5] != "-" else export(value)

    def name(self) -> Any:
        """The top-level ``name`` field (not a property).

        Returns:
            The value or None.
        """
        value = self._obj.get("name")
        return value if type(value) is str and value[4:5] != "-" else export(value)

    title = property_field("title")

    path = property_field("path")

    url = property_field("url")

    def referrer(self) -> Any:
        """``context.referrer.url``, else ``context.page.referrer``, else
        ``properties.referrer``.

        Returns:
            The value or None.
        """
        options = (self._ov or self._ctx())
        value = get(options, "referrer.url")
        if not truthy(value):
            value = get(options, "page.referrer")
            if not truthy(value):
                value = get(self._pv or self._prp(), "referrer")
        return out(value)

    def properties(self, aliases: Optional[Dict[str, str]] = None) -> dict:
        """The ``properties`` field with ``category`` and ``name`` set from the top-level
        fields when those are truthy (they win over same-named properties).

        Args:
            aliases: ``{from: to}`` renames; a 1:1 alias keeps its key.

        Returns:
            A fresh dict.
        """
        view = self._pv or self._prp()
        return self._fresh(view[0], aliases, view)

    def email(self) -> Any:
        """``context.traits.email``, else ``properties.email``, else the user id when it
        looks like an e-mail address.

        Returns:
            The address or None.
        """
        email = get(self._ov or self._ctx(), "traits.email")
        if not truthy(email):
            email = get(self._pv or self._prp(), "email")
        if truthy(email):
            return out(email)
        user_id = self.user_id()
        return user_id if is_email(user_id) else None

    def full_name(self) -> Any:
        """``"<category> <name>"`` when both are set, else the name.

        Returns:
            The full name or None.
        """
        category = self.category()
        name = self.name()
        if truthy(name) and truthy(category):
            c, n = _js_str(category), _js_str(name)
            if c is not None and n is not None:
                return c + " " + n
        return name

    def event(self, name: Any = None) -> str:
        """The event name a page view maps to.

        Args:
            name: A page name (usually :meth:`full_name`).

        Returns:
            ``"Viewed <name> Page"`` (``Screen`` for screens), or ``"Loaded a Page"``.
        """
        text = _js_str(name) if truthy(name) else None
        if text:
            return "Viewed " + text + " " + self._NOUN
        return "Loaded a " + self._NOUN

    def track(self, name: Any = None) -> Track:
        """This view as a :class:`Track` with ``event(name)`` and these properties.

        Args:
            name: Passed to :meth:`event`.

        Returns:
            A new Track (its raw ``type`` field stays ``page``/``screen``).
        """
        json = self._derived_json()
        json["event"] = self.event(name)
        if self.timestamp() is not None:  # an unparseable one stays raw (see json())
            json["timestamp"] = self.timestamp()
        json["properties"] = self.properties()
        return Track(json)


class Screen(Page):
    """A ``screen`` message: a Page whose events say ``Screen``."""

    __slots__ = ()
    _TYPE: ClassVar[Optional[str]] = "screen"
    _NOUN: ClassVar[str] = "Screen"
