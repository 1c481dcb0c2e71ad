"""``Alias`` (``lib/alias.js``) and ``Delete`` (``lib/delete.js``)."""

from __future__ import annotations

from typing import Any, ClassVar, Dict, Optional, Tuple

from .base import Facade
from .values import export, truthy

__all__ = ["Alias", "Delete"]


class Alias(Facade):
    """An ``alias`` message: ``previous_id`` becomes ``user_id``."""

    __slots__ = ()
    _TYPE: ClassVar[Optional[str]] = "alias"
    _ACCESSORS: ClassVar[Tuple[str, ...]] = ("type", "action", "previous_id", "user_id")
    _EXTRA_ROOTS: ClassVar[Dict[str, str]] = {"from": "previous_id", "to": "user_id"}

    def previous_id(self) -> Any:
        """``previousId``, else ``from``.

        Returns:
            The id or None.
        """
        obj = self._obj
        value = obj.get("previousId")
        return export(value if truthy(value) else obj.get("from"))

    def user_id(self) -> Any:
        """``userId``, else ``to``.

        Returns:
            The id or None.
        """
        obj = self._obj
        value = obj.get("userId")
        return export(value if truthy(value) else obj.get("to"))

    def from_(self) -> Any:
        """Same as :meth:`previous_id` (the original's ``from()``).

        Returns:
            The id or None.
        """
        return self.previous_id()

    def to(self) -> Any:
        """Same as :meth:`user_id` (the original's ``to()``).

        Returns:
            The id or None.
        """
        return self.user_id()


class Delete(Facade):
    """A ``delete`` message (a user-deletion request); only the base accessors."""

    __slots__ = ()
    _ACCESSORS: ClassVar[Tuple[str, ...]] = ("type",)
    _TYPE: ClassVar[Optional[str]] = "delete"
