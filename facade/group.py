"""``Group``: an account or organisation the user belongs to (``lib/group.js``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Dict, Optional, Tuple

from .base import _EMPTY, Facade
from .dates import parse_timestamp
from .views import get, trait_field
from .values import export, truthy

__all__ = ["Group"]


class Group(Facade):
    """A ``group`` message. Its traits are ``traits`` (else ``properties``) plus
    ``id`` = the group id."""

    __slots__ = ()
    _TYPE: ClassVar[Optional[str]] = "group"
    _ACCESSORS: ClassVar[Tuple[str, ...]] = (
        "type", "action",
        "group_id", "properties", "traits", "created", "email", "name", "industry",
        "employees",
    )
    _VIEWS: ClassVar[Dict[str, str]] = {"properties": "_prp"}

    def _build_properties(self) -> dict:
        obj = self._obj
        value = obj.get("traits")
        if not truthy(value):
            value = obj.get("properties")
        return value if isinstance(value, dict) else _EMPTY

    def _build_traits(self) -> dict:
        return self._with_id(self._properties_view(), self.group_id())

    def group_id(self) -> Any:
        """The ``groupId`` field.

        Returns:
            The id or None.
        """
        value = self._obj.get("groupId")
        return value if type(value) is str and value[4:5] != "-" else export(value)

    def properties(self) -> dict:
        """The ``traits`` field, else ``properties`` (``{}`` when not an object).

        Returns:
            A fresh dict.
        """
        return export(self._properties_view())

    def traits(self, aliases: Optional[Dict[str, str]] = None) -> dict:
        """:meth:`properties` plus ``id`` (the group id when truthy).

        Args:
            aliases: ``{from: to}`` renames; a 1:1 alias keeps its key.

        Returns:
            A fresh dict.
        """
        view = self._tv or self._trt()
        return self._fresh(view[0], aliases, view)

    def created(self) -> Optional[datetime]:
        """``createdAt``, else ``created`` (traits, then properties) as a UTC datetime.

        Returns:
            The date or None.
        """
        traits, props = (self._tv or self._trt()), (self._pv or self._prp())
        for root, path in ((traits, "createdAt"), (traits, "created"),
                           (props, "createdAt"), (props, "created")):
            value = get(root, path)
            if truthy(value):
                return parse_timestamp(value)
        return None

    def email(self) -> Any:
        """``traits.email``, else the group id when it looks like an e-mail address.

        Returns:
            The address or None.
        """
        return self._traits_email(self.group_id)

    name = trait_field("name")

    industry = trait_field("industry")

    employees = trait_field("employees")
