"""Reading the facade's internal views: ``(dict, objcase index)`` pairs.

``get`` is :func:`facade.objcase.lookup` with strict ISO strings read as datetimes
(containers come back uncopied, for internal logic); ``read`` also copies containers
(for values handed to callers). The one-segment case is inlined: these two functions
are on the hot path of almost every accessor.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Callable, List, Tuple

from .dates import iso_value
from .objcase import _PATHS, View, _compile, lookup_compiled
from .values import _IMMUTABLE, export, truthy

__all__ = [
    "View", "get", "read", "read_compiled", "context_field", "property_field", "trait_field",
    "one", "multi",
]


def get(view: View, path: str) -> Any:
    """The value at ``path`` in ``view`` (uncopied), a strict ISO string as a datetime.

    Args:
        view: ``(dict, index, nested)`` (see :func:`facade.objcase.lookup`).
        path: A dot-separated path (any case and separators).

    Returns:
        The value or None.
    """
    compiled = _PATHS.get(path) or _compile(path)
    if compiled[0] == 1:
        hit = view[1].get(compiled[1])
        if hit is None:
            return None
        value = view[0][hit[1]]
    else:
        value = lookup_compiled(view, compiled)
    if type(value) is str and len(value) > 9 and value[4] == "-":
        return iso_value(value)
    return value


def read(view: View, path: str) -> Any:
    """The value at ``path`` in ``view`` as callers get it: copied and converted.

    Args:
        view: ``(dict, index, nested)`` (see :func:`facade.objcase.lookup`).
        path: A dot-separated path (any case and separators).

    Returns:
        A fresh value or None.
    """
    return read_compiled(view, _PATHS.get(path) or _compile(path))


def read_compiled(view: View, compiled: Tuple[int, str, str, str]) -> Any:
    """:func:`read` of a path already compiled (``_PATHS[path]``)."""
    if compiled[0] == 1:
        hit = view[1].get(compiled[1])
        if hit is None:
            return None
        value = view[0][hit[1]]
    else:
        value = lookup_compiled(view, compiled)
    t = type(value)
    if t is str:
        if len(value) > 9 and value[4] == "-":
            return iso_value(value)
        return value
    if t in _IMMUTABLE:
        return value
    return export(value)


def _accessor(which: str, path: str, doc: str) -> Callable[[Any], Any]:
    """A method returning ``read(<view>, path)``; one-segment paths are inlined."""
    compiled = _PATHS.get(path) or _compile(path)
    slot, build = _VIEW_SLOTS[which]
    view_of = attrgetter(slot)
    if compiled[0] != 1:
        def accessor(self: Any) -> Any:
            return read_compiled(view_of(self) or getattr(self, build)(), compiled)
        accessor.__doc__ = doc
        return accessor
    key = compiled[1]

    # The body of read(), inlined: these accessors run for nearly every message.
    def fast(self: Any) -> Any:
        view = view_of(self) or getattr(self, build)()
        hit = view[1].get(key)
        if hit is None:
            return None
        value = view[0][hit[1]]
        t = type(value)
        if t is str:
            if len(value) > 9 and value[4] == "-":
                return iso_value(value)
            return value
        if t in _IMMUTABLE:
            return value
        return export(value)

    fast.__doc__ = doc
    return fast


_VIEW_SLOTS = {"context": ("_ov", "_ctx"), "properties": ("_pv", "_prp"),
               "traits": ("_tv", "_trt")}


def context_field(path: str) -> Callable[[Any], Any]:
    """A method reading ``context.<path>`` (the original's ``Facade.proxy``)."""
    return _accessor("context", path, "``context.%s``." % path)


def property_field(path: str) -> Callable[[Any], Any]:
    """A method reading ``properties.<path>`` (the type's own properties)."""
    return _accessor("properties", path, "``properties.%s``." % path)


def trait_field(path: str) -> Callable[[Any], Any]:
    """A method reading ``traits.<path>`` (the type's own traits)."""
    return _accessor("traits", path, "``traits.%s``." % path)


def one(path: str) -> Callable[[Any], Any]:
    """Build an accessor for a "singular" thing (``Facade.one`` of the original).

    The accessor returns ``proxy(path)`` when truthy, else the first item of
    ``proxy(path + "s")`` when that is a list, else None.

    Args:
        path: For example ``"traits.phone"``.

    Returns:
        A method to assign in a class body.
    """
    plural = path + "s"

    def accessor(self: Any) -> Any:
        value = self.proxy(path)
        if truthy(value):
            return value
        many = self.proxy(plural)
        return many[0] if isinstance(many, list) and many else None
    accessor.__doc__ = "``%s``, else the first of ``%ss``." % (path, path)
    return accessor


def multi(path: str) -> Callable[[Any], List[Any]]:
    """Build an accessor for a "plural" thing (``Facade.multi`` of the original).

    The accessor returns ``proxy(path + "s")`` when it is a list, else
    ``[proxy(path)]`` when that is truthy, else ``[]``.

    Args:
        path: For example ``"traits.phone"``.

    Returns:
        A method to assign in a class body.
    """
    plural = path + "s"

    def accessor(self: Any) -> List[Any]:
        many = self.proxy(plural)
        if isinstance(many, list):
            return many
        value = self.proxy(path)
        return [value] if truthy(value) else []
    accessor.__doc__ = "``%ss`` when a list, else ``[%s]`` or ``[]``." % (path, path)
    return accessor
