"""``Identify``: who the user is (``lib/identify.js``).

Traits come from the top-level ``traits`` (never ``context.traits``), plus ``id``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Dict, Optional, Tuple

from .base import Facade
from . import dates as _dates
from .dates import parse_timestamp
from .jsvalues import trim
from .views import get, trait_field
from .values import export, out, truthy

__all__ = ["Identify"]


class Identify(Facade):
    """An ``identify`` message."""

    __slots__ = ()
    _TYPE: ClassVar[Optional[str]] = "identify"
    _ACCESSORS: ClassVar[Tuple[str, ...]] = (
        "type", "action",
        "email", "created", "company_created", "company_name", "name", "first_name",
        "last_name", "uid", "description", "age", "avatar", "position", "username",
        "website", "websites", "phone", "phones", "address", "gender", "birthday",
    )

    def _build_traits(self) -> dict:
        return self._with_id(self._obj.get("traits"), self.user_id())

    def traits(self, aliases: Optional[Dict[str, str]] = None) -> dict:
        """The ``traits`` field plus ``id`` (the user id when truthy).

        Args:
            aliases: ``{from: to}`` renames (accessor value when ``from`` names one,
                else the trait); a 1:1 alias keeps its key.

        Returns:
            A fresh dict.
        """
        view = self._tv or self._trt()
        return self._fresh(view[0], aliases, view)

    def email(self) -> Any:
        """``traits.email``, else the user id when it looks like an e-mail address.

        Returns:
            The address or None.
        """
        return self._traits_email(self.user_id)

    def _date(self, first: str, second: str) -> Optional[datetime]:
        value = get(self._tv or self._trt(), first)
        if not truthy(value):
            value = get(self._tv or self._trt(), second)
        return parse_timestamp(value) if truthy(value) else None

    def created(self) -> Optional[datetime]:
        """``traits.created``, else ``traits.createdAt``, as a UTC datetime.

        Returns:
            The date or None.
        """
        return self._date("created", "createdAt")

    def company_created(self) -> Optional[datetime]:
        """``traits.company.created``, else ``traits.company.createdAt``, as a datetime.

        Returns:
            The date or None.
        """
        return self._date("company.created", "company.createdAt")

    company_name = trait_field("company.name")

    def name(self) -> Optional[str]:
        """``traits.name`` (trimmed, as JavaScript trims) when a string, else "first last"
        when both exist.

        Returns:
            The name or None.
        """
        name = get(self._tv or self._trt(), "name")
        if isinstance(name, str):
            return trim(name)
        first = self.first_name()
        last = self.last_name()
        if first and last:
            return trim(first + " " + last)
        return None

    def first_name(self) -> Optional[str]:
        """``traits.firstName`` (trimmed) when a string, else the first word of the name.

        Returns:
            The first name or None.
        """
        first = get(self._tv or self._trt(), "firstName")
        if isinstance(first, str):
            return trim(first)
        name = get(self._tv or self._trt(), "name")
        if isinstance(name, str):
            return trim(name).split(" ")[0]
        return None

    def last_name(self) -> Optional[str]:
        """``traits.lastName`` (trimmed) when a string, else what follows the first space
        of the name.

        Returns:
            The last name or None (also when the name has no space).
        """
        last = get(self._tv or self._trt(), "lastName")
        if isinstance(last, str):
            return trim(last)
        name = get(self._tv or self._trt(), "name")
        if not isinstance(name, str):
            return None
        space = trim(name).find(" ")
        if space == -1:
            return None
        return trim(name[space + 1:])

    def uid(self) -> Any:
        """The user id, else the username, else the e-mail address.

        Returns:
            The first truthy of those, or the e-mail lookup's result.
        """
        value = self.user_id()
        if truthy(value):
            return value
        value = self.username()
        if truthy(value):
            return value
        return self.email()

    def _first(self, *paths: str) -> Any:
        value: Any = None
        for path in paths:
            value = get(self._tv or self._trt(), path)
            if truthy(value):
                break
        return out(value)

    def description(self) -> Any:
        """``traits.description``, else ``traits.background``.

        Returns:
            The value or None.
        """
        return self._first("description", "background")

    def age(self) -> Any:
        """``traits.age`` when not null, else the years since :meth:`birthday`.

        Returns:
            The age or None.
        """
        age = get(self._tv or self._trt(), "age")
        if age is not None:
            return export(age)
        birthday = self.birthday()
        if isinstance(birthday, datetime):
            return _dates.now().year - birthday.year
        return None

    def avatar(self) -> Any:
        """``traits.avatar``, else ``photoUrl``, else ``avatarUrl``.

        Returns:
            The value or None.
        """
        return self._first("avatar", "photoUrl", "avatarUrl")

    def position(self) -> Any:
        """``traits.position``, else ``traits.jobTitle``.

        Returns:
            The value or None.
        """
        return self._first("position", "jobTitle")

    username = trait_field("username")

    website = Facade.one("traits.website")
    websites = Facade.multi("traits.website")
    phone = Facade.one("traits.phone")
    phones = Facade.multi("traits.phone")

    address = trait_field("address")

    gender = trait_field("gender")

    birthday = trait_field("birthday")
