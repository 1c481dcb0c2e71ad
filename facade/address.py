"""Address accessors (``lib/address.js``): ``zip``, ``country``, ``street``, ``state``,
``city`` and ``region``, read from the traits and then the properties.

``trait(a, b)`` answers the first truthy of ``traits.address.a``, ``traits.a``,
``traits.address.b``, ``traits.b``, ``properties.address.a``, ``properties.a``,
``properties.address.b``, ``properties.b`` (all looked up case-insensitively), and
otherwise the last value it looked at, as JavaScript's ``||`` chain does (None for the
one-key accessors, whose chain ends with ``null``). The
traits are the type's own (:meth:`traits`); the properties are the type's
``properties()`` (``{}`` for types without properties).
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

from .objcase import _compile, lookup_compiled
from .values import export, truthy

__all__ = ["AddressMixin"]


_Compiled = Tuple[int, str, str, str]
_NULL: _Compiled = (0, "", "", "")  # a lookup that always misses


def _paths(a: str, b: Optional[str] = None) -> Tuple[Tuple[bool, _Compiled], ...]:
    """The lookups of ``trait(a, b)``, in order: (in properties?, compiled path).

    Without ``b`` the original's chain ends with ``(b ? ... : null)``, so a miss is None
    rather than the last (falsy) value looked at: a final ``None`` path stands for it.
    """
    names = (a, b) if b else (a,)
    paths = []
    for in_props in (False, True):
        for name in names:
            paths += [(in_props, _compile("address." + name)), (in_props, _compile(name))]
    if not b:
        paths.append((True, _NULL))
    return tuple(paths)


_ZIP = _paths("postalCode", "zip")
_COUNTRY = _paths("country")
_STREET = _paths("street")
_STATE = _paths("state")
_CITY = _paths("city")
_REGION = _paths("region")


class AddressMixin:
    """Adds the address accessors to :class:`facade.Facade`."""

    __slots__ = ()

    _tv: Any
    _pv: Any

    def _trt(self) -> Any:  # pragma: no cover - provided by Facade
        raise NotImplementedError

    def _prp(self) -> Any:  # pragma: no cover - provided by Facade
        raise NotImplementedError

    def _address(self, paths: Tuple[Tuple[bool, _Compiled], ...]) -> Any:
        traits = self._tv or self._trt()
        props = self._pv or self._prp()
        value: Any = None
        # get() of each path, then out() of the one found: lookup, then export()
        for in_props, compiled in paths:
            view = props if in_props else traits
            if compiled is _NULL:
                value = None
            elif compiled[0] == 1:
                hit = view[1].get(compiled[1])
                value = None if hit is None else view[0][hit[1]]
            else:
                value = lookup_compiled(view, compiled)
            if value or (value is not None and truthy(value)):
                break
        return value if type(value) is str and value[4:5] != "-" else export(value)

    def zip(self) -> Any:
        """The postal code (``postalCode``, else ``zip``).

        Returns:
            The value or None.
        """
        return self._address(_ZIP)

    def country(self) -> Any:
        """The country.

        Returns:
            The value or None.
        """
        return self._address(_COUNTRY)

    def street(self) -> Any:
        """The street.

        Returns:
            The value or None.
        """
        return self._address(_STREET)

    def state(self) -> Any:
        """The state.

        Returns:
            The value or None.
        """
        return self._address(_STATE)

    def city(self) -> Any:
        """The city.

        Returns:
            The value or None.
        """
        return self._address(_CITY)

    def region(self) -> Any:
        """The region.

        Returns:
            The value or None.
        """
        return self._address(_REGION)
