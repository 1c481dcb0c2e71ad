"""Input converters: how raw input records become Segment messages (``--from FORMAT``).

A converter is a callable that takes an iterator of raw records (the JSON values read from an
input: NDJSON lines, array elements) and yields messages (dicts). It may yield a
:class:`ValueError` instance in place of a message to report one bad item without dropping its
neighbours, or raise :class:`ValueError` / :class:`TypeError` / :class:`KeyError` to reject the
whole record. The reader calls it once per record (``fn(iter([record]))``) so that every message
keeps the position of the record it came from; a converter must therefore not carry state from
one record to the next.

The built-in ``segment`` converter passes messages through and expands Segment batch bodies
(``{"batch": [...]}``) into their messages. Installed packages add formats under the
entry-point group ``framework.converters`` (found on first use), or at run time with
:func:`register_converter`::

    [options.entry_points]
    framework.converters =
        harness-fme-impressions = integrations.harness_fme.source:convert_impressions
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any, Callable, Iterable, Iterator

__all__ = ["Converter", "UnknownFormatError", "register_converter", "get_converter",
           "converter_names", "segment", "DEFAULT_CONVERTER"]

#: A converter: raw records in, messages (or ``ValueError`` instances for bad items) out.
Converter = Callable[[Iterator[Any]], Iterable[Any]]

#: The converter used when ``--from`` is not given.
DEFAULT_CONVERTER = "segment"

#: The entry-point group installed packages register converters under.
GROUP = "framework.converters"


class UnknownFormatError(LookupError):
    """``--from`` named a format no converter is registered for."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = sorted(known)
        super().__init__(f"unknown input format {name!r} (--from); known formats: "
                         f"{', '.join(self.known)}")


def segment(records: Iterator[Any]) -> Iterator[Any]:
    """Segment messages as they are; a batch body ``{"batch": [...]}`` yields its items."""
    for record in records:
        if isinstance(record, dict) and "batch" in record:
            batch = record["batch"]
            if not isinstance(batch, list):
                yield ValueError(f"'batch' must be a JSON array, got {type_name(batch)}")
                continue
            yield from batch
        else:
            yield record


_CONVERTERS: dict[str, Converter] = {DEFAULT_CONVERTER: segment}


def register_converter(name: str, fn: Converter, replace: bool = False) -> None:
    """Make ``fn`` available as ``--from NAME``.

    Args:
        name: The format's name, e.g. ``"harness-fme-impressions"``.
        fn: The converter (see the module docstring).
        replace: Whether to replace a different converter already registered under ``name``.

    Raises:
        TypeError: ``fn`` is not callable.
        ValueError: ``name`` is empty, or taken by another converter and ``replace`` is false.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"converter name must be a non-empty string, got {name!r}")
    if not callable(fn):
        raise TypeError(f"converter {name!r} must be callable, got {type(fn).__name__}")
    current = _CONVERTERS.get(name)
    if current is not None and current is not fn and not replace:
        raise ValueError(f"converter {name!r} is already registered; pass replace=True to "
                         f"replace it")
    _CONVERTERS[name] = fn


def get_converter(name: str) -> Converter:
    """The converter registered as ``name``.

    Raises:
        UnknownFormatError: No converter has that name; the message lists the known ones.
    """
    fn = _CONVERTERS.get(name)
    if fn is not None:
        return fn
    installed = _installed()
    if name in installed:
        loaded: Converter = installed[name].load()
        register_converter(name, loaded)
        return loaded
    raise UnknownFormatError(name, {*_CONVERTERS, *installed})


def converter_names() -> list[str]:
    """The names of every registered or installed converter, sorted."""
    return sorted({*_CONVERTERS, *_installed()})


def _installed() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def type_name(value: Any) -> str:
    """The JSON name of a Python value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
