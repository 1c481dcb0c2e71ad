"""The ``Facade`` base class: accessors shared by every message type.

A facade wraps a Segment-spec message (a dict) without copying it: accessors read
the caller's dict and hand out fresh copies of what they return (see
:func:`facade.values.export`), so the caller's dict is never mutated and a caller
mutating a returned value never affects the facade. A caller who mutates the
message *after* wrapping it sees those changes on later reads (the original
copied eagerly; this port copies lazily, per accessor).

Internally, ``_*_view`` methods return shared, uncopied structures; they are never
handed out without :func:`export`.
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import attrgetter
from typing import Any, Callable, ClassVar, Dict, Optional, Tuple

from .common import UNSET as _UNSET, CommonMixin
from . import dates as _dates
from .objcase import _PATHS, View, _compile, find, index, lookup
from .views import get, multi, one, read, read_compiled
from .values import copy_raw, export, is_email, out, truthy

__all__ = ["Facade"]

_EMPTY: dict = {}  # shared empty view; never handed out without export()
#: View builder -> the slot it fills.
_VIEW_SLOT = {"_ctx": "_ov", "_trt": "_tv", "_prp": "_pv"}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class Facade(CommonMixin):
    """A Segment message of any type (also the class for unknown types).

    Args:
        obj: The message. ``None`` means an empty message; any other mapping is
            read through a shallow ``dict`` copy.

    Raises:
        TypeError: When ``obj`` is neither a mapping nor None.
    """

    __slots__ = ("_obj", "_ts", "_ov", "_tv", "_pv")

    #: The message type this class reports (None for the generic class).
    _TYPE: ClassVar[Optional[str]] = None
    #: The accessors the original defines on this class (in snake_case): a ``proxy()`` path
    #: or an alias source spelled as the original's camelCase name (``userId``) calls them.
    _ACCESSORS: ClassVar[Tuple[str, ...]] = (
        "options", "context", "integrations", "active", "anonymous_id", "session_id",
        "user_id", "group_id", "traits", "library", "device", "user_agent", "timezone",
        "ip", "timestamp", "channel", "zip", "country", "street", "state", "city",
        "region", "json", "raw_event", "enabled",
    )
    #: Accessors whose uncopied view (``(dict, index)``) ``proxy()`` reads instead.
    _VIEWS: ClassVar[Dict[str, str]] = {
        "options": "_ctx", "context": "_ctx", "integrations": "_intg", "traits": "_trt",
    }
    #: Extra first segments (original spellings) -> method names.
    _EXTRA_ROOTS: ClassVar[Dict[str, str]] = {}
    #: First path segment (the original's camelCase method name) -> (method, is a view).
    _ROOTS: ClassVar[Dict[str, Tuple[str, bool]]] = {}

    #: proxy() path -> its reader, per class.
    _PROXY_PATHS: ClassVar[Dict[str, Callable[["Facade"], Any]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._ROOTS = cls._build_roots()
        cls._PROXY_PATHS = {}

    @classmethod
    def _build_roots(cls) -> Dict[str, Tuple[str, bool]]:
        names: Dict[str, None] = {}
        views: Dict[str, str] = {}
        extra: Dict[str, str] = {}
        for klass in reversed(cls.__mro__):
            names.update(dict.fromkeys(klass.__dict__.get("_ACCESSORS", ())))
            views.update(klass.__dict__.get("_VIEWS", {}))
            extra.update(klass.__dict__.get("_EXTRA_ROOTS", {}))
        roots: Dict[str, Tuple[str, bool]] = {}
        for name in names:
            roots[_camel(name)] = (views.get(name, name), name in views)
        for name, target in extra.items():
            roots[name] = (views.get(target, target), target in views)
        return roots

    def __init__(self, obj: Optional[Mapping] = None) -> None:
        if type(obj) is not dict:
            if obj is None:
                obj = {}
            elif isinstance(obj, Mapping):
                obj = dict(obj)
            else:
                raise TypeError("a message must be a dict, not %s" % type(obj).__name__)
        self._obj: dict = obj
        # a missing (or null) timestamp is the time of construction
        self._ts: Any = _UNSET if obj.get("timestamp") is not None else _dates.now()
        self._ov: Optional[View] = None
        self._tv: Optional[View] = None
        self._pv: Optional[View] = None

    def __repr__(self) -> str:
        return "<%s %r>" % (type(self).__name__, self._obj.get("messageId"))

    # -- generic access -------------------------------------------------------

    def field(self, name: str) -> Any:
        """A top-level field, copied, with ISO strings as datetimes (no normalisation).

        ``field("timestamp")`` is the parsed :meth:`timestamp`.

        Args:
            name: The exact key.

        Returns:
            The value, or None when missing.
        """
        if name == "timestamp":
            return self.timestamp()
        if type(name) is not str:
            return None
        value = self._obj.get(name)
        return value if type(value) is str and value[4:5] != "-" else export(value)

    def proxy(self, path: str) -> Any:
        """Look a dot-separated path up, starting from an accessor or a raw field.

        The first segment names an accessor by the original's camelCase name (``userId``;
        ``context``/``options`` is the context, ``traits`` and ``properties`` are the
        type's own views) or else a top-level field (exact case, so ``user_id`` is the raw
        ``user_id`` field, as in the original). The rest of the
        path is matched case- and separator-insensitively (see :mod:`facade.objcase`).

        Args:
            path: For example ``"context.page.url"`` or ``"properties.revenue"``.

        Returns:
            A copy of the value found (falsy values such as 0 and '' as they are), or
            None when there is nothing at that path.
        """
        compiled = self._PROXY_PATHS.get(path)
        if compiled is None:
            if type(path) is not str:
                return None
            compiled = self._compile_proxy(path)
        return compiled(self)

    @classmethod
    def _compile_proxy(cls, path: str) -> Callable[["Facade"], Any]:
        """The reader of ``proxy(path)`` for this class, remembered per class."""
        first, dot, rest = path.partition(".")
        root = cls._ROOTS.get(first)
        fn: Callable[["Facade"], Any]
        if root is None:
            def fn(self: "Facade") -> Any:
                value = self._obj.get(first)
                return export(value if not dot else find(value, rest))
        elif root[1]:  # a view: read below it without copying the whole of it first
            view_of: Callable[["Facade"], View] = getattr(cls, root[0])
            if not dot:
                def fn(self: "Facade") -> Any:
                    return export(view_of(self)[0])
            else:
                compiled = _PATHS.get(rest) or _compile(rest)
                slot = _VIEW_SLOT.get(root[0])
                if compiled[0] == 1 and slot is not None:  # one segment: read() inlined
                    key, cached = compiled[1], attrgetter(slot)

                    def fn(self: "Facade") -> Any:
                        view = cached(self) or view_of(self)
                        hit = view[1].get(key)
                        if hit is None:
                            return None
                        value = view[0][hit[1]]
                        if type(value) is str and value[4:5] != "-":
                            return value
                        return export(value)
                else:
                    def fn(self: "Facade") -> Any:
                        return read_compiled(view_of(self), compiled)
        else:
            accessor: Callable[["Facade"], Any] = getattr(cls, root[0])

            # an accessor's result is already a fresh, converted copy: it is not read again
            # as ISO dates (a trimmed " 2014-01-01 " name stays a string, as in the original)
            def fn(self: "Facade") -> Any:
                value = accessor(self)
                return value if not dot else find(value, rest)
        if len(cls._PROXY_PATHS) >= 10000:
            cls._PROXY_PATHS.clear()
        cls._PROXY_PATHS[path] = fn
        return fn

    one = staticmethod(one)
    multi = staticmethod(multi)

    def json(self) -> dict:
        """A copy of the whole message with ``type`` set and dates as datetimes.

        Returns:
            The message; ``timestamp`` is the parsed timestamp.
        """
        out = export(self._obj)
        out["timestamp"] = self.timestamp()
        if self._TYPE is not None:
            out["type"] = self._TYPE
        return out

    def _derived_json(self) -> dict:
        """:meth:`json` for building another facade: an unparseable timestamp stays raw
        (so the new facade reads it as unparseable too, not as "missing")."""
        out = self.json()
        if out["timestamp"] is None:
            out["timestamp"] = copy_raw(self._obj.get("timestamp"))
        return out

    def raw_event(self) -> dict:
        """A deep copy of the message exactly as given (no conversions, no defaults).

        Returns:
            The copy.
        """
        return copy_raw(self._obj)

    def raw(self, name: str) -> Any:
        """A deep copy of one top-level field exactly as given (no conversions), or None.

        Cheaper than ``raw_event().get(name)`` when a mapper needs one field untouched (for
        example properties whose date strings must be sent as written).

        Args:
            name: The field's exact name.

        Returns:
            The copy.
        """
        return copy_raw(self._obj.get(name))

    def type(self) -> Optional[str]:
        """The message type: the class's own, or the raw ``type`` field for ``Facade``.

        Returns:
            For example ``"track"``; None when unknown.
        """
        if self._TYPE is not None:
            return self._TYPE
        value = self._obj.get("type")
        return value if isinstance(value, str) else None

    def action(self) -> Optional[str]:
        """The message type (the original's older name for :meth:`type`).

        Returns:
            Same as :meth:`type`.
        """
        return self.type()

    # -- views ------------------------------------------------------------------
    # A view is ``(dict, objcase index)``, computed once per facade and never handed
    # out without export().

    def _ctx(self) -> View:
        view = self._ov
        if view is not None:
            return view
        obj = self._obj
        value = obj.get("options")
        if value is None or not truthy(value):
            value = obj.get("context")
        if not isinstance(value, dict):
            value = _EMPTY
        self._ov = view = (value, index(value), {})
        return view

    def _options_view(self) -> dict:
        return (self._ov or self._ctx())[0]

    def _intg(self) -> View:
        value = self._integrations_view()
        return (value, index(value), {})

    def _integrations_view(self) -> dict:
        value = self._obj.get("integrations")
        if truthy(value):
            return value if isinstance(value, dict) else _EMPTY
        value = lookup(self._ov or self._ctx(), "providers")
        if truthy(value):
            return value if isinstance(value, dict) else _EMPTY
        return self._options_view()

    def _build_traits(self) -> dict:
        return self._with_id(lookup(self._ov or self._ctx(), "traits"), self.user_id())

    def _trt(self) -> View:
        view = self._tv
        if view is not None:
            return view
        traits = self._build_traits()
        self._tv = view = (traits, index(traits), {})
        return view

    def _traits_view(self) -> dict:
        return (self._tv or self._trt())[0]

    def _build_properties(self) -> dict:
        return _EMPTY

    def _prp(self) -> View:
        view = self._pv
        if view is not None:
            return view
        props = self._build_properties()
        self._pv = view = (props, index(props), {})
        return view

    def _properties_view(self) -> dict:
        """Properties as address lookups see them (``{}`` for types without any)."""
        return (self._pv or self._prp())[0]

    def _fresh(self, value: dict, aliases: Optional[Dict[str, str]], root: View,
               prefix: str = "") -> dict:
        """A fresh copy of ``value`` (a traits or properties view), with ``aliases`` applied;
        alias sources are looked up under ``prefix`` in ``root``."""
        ret = export(value)
        if aliases:
            return self._aliased(ret, aliases, root, prefix)
        return ret

    def _traits_email(self, fallback: Callable[[], Any]) -> Any:
        """``traits.email`` when truthy, else ``fallback()`` when it looks like an e-mail
        address (Identify and Group)."""
        email = get(self._tv or self._trt(), "email")
        if truthy(email):
            return out(email)
        value = fallback()
        return value if is_email(value) else None

    @staticmethod
    def _with_id(traits: Any, ident: Any) -> dict:
        if not isinstance(traits, dict):
            traits = _EMPTY
        if truthy(ident):
            traits = dict(traits)
            traits["id"] = ident
        return traits

    def _aliased(self, ret: dict, aliases: Any, root: View, prefix: str) -> dict:
        """Apply ``aliases`` (``{from: to}``) to ``ret``, a fresh copy.

        The value comes from the accessor named ``from`` when there is one, else from
        ``prefix + from`` looked up in ``root``. A 1:1 alias keeps its key.
        """
        if not isinstance(aliases, dict):
            return ret
        for src, dst in aliases.items():
            if type(src) is not str or not isinstance(dst, str):
                continue
            root_of = self._ROOTS.get(src)
            if root_of is not None:  # an accessor's own result is already a fresh copy
                value = getattr(self, root_of[0])()
                if root_of[1]:
                    value = export(value[0])
            else:
                value = read(root, prefix + src)
            if value is None:
                continue
            ret[dst] = value
            if src != dst:
                ret.pop(src, None)
        return ret


Facade._ROOTS = Facade._build_roots()
