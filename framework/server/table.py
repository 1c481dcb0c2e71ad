"""Reading a TOML document's tables with every problem collected at its dotted key path.

:func:`substitute` replaces ``${NAME}`` (and ``${NAME:-default}``) in every string of the
document; :class:`Table` reads one table's typed values, records a :class:`~framework.errors.
Problem` for each bad or unknown key instead of raising, and fills in defaults, so that
:func:`~framework.server.config.load_config` can report every problem at once.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Sequence

from ..errors import Problem

__all__ = ["Problems", "Table", "substitute", "key_path"]

_VARIABLE = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\})")
_MISSING = object()


def key_path(parent: str, key: str | int) -> str:
    """``parent`` extended by a table key (``a.b``) or an array index (``a[0]``)."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    text = key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else '"' + key.replace('"', '\\"') + '"'
    return f"{parent}.{text}" if parent else text


@dataclass
class Problems:
    """The problems found in one document (``source`` names it: the config file's path)."""

    source: str
    found: list[Problem] = field(default_factory=list)

    def add(self, pointer: str, rule: str, message: str) -> None:
        """Record that the value at ``pointer`` breaks ``rule`` (once an unset environment
        variable is reported at a key, what follows from its empty value is not)."""
        if any(p.pointer == pointer and p.rule == "environment" for p in self.found):
            return
        self.found.append(Problem(source=self.source, pointer=pointer, rule=rule,
                                  message=message))

    def __bool__(self) -> bool:
        return bool(self.found)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.found)


def substitute(value: Any, environ: Mapping[str, str], problems: Problems,
               path: str = "") -> Any:
    """``value`` with ``${NAME}`` replaced by the environment variable in every string.

    ``${NAME:-default}`` uses ``default`` when ``NAME`` is unset; ``$$`` is a literal ``$``.
    An unset variable without a default is a problem at the string's key path (the string
    becomes ``""`` so that checking goes on), never a silent empty value.
    """
    if isinstance(value, str):
        def replace(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name is None:
                return "$"
            if name in environ:
                return environ[name]
            if default is not None:
                return default
            problems.add(path, "environment", f"environment variable {name} is not set")
            return ""
        return _VARIABLE.sub(replace, value)
    if isinstance(value, dict):
        return {k: substitute(v, environ, problems, key_path(path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, environ, problems, key_path(path, i)) for i, v in enumerate(value)]
    return value


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


class Table:
    """One table of the document, read key by key.

    Args:
        data: The table (a dict); anything else is reported as a problem at ``path``.
        path: Its dotted key path (``""`` for the document).
        problems: Where problems go.
        base_dir: The directory relative paths are resolved against (the config file's).
    """

    def __init__(self, data: Any, path: str, problems: Problems, base_dir: str) -> None:
        if not isinstance(data, dict):
            problems.add(path, "type", f"must be a table, got {_type_name(data)}")
            data = {}
        self.data: dict[str, Any] = data
        self.path = path
        self.problems = problems
        self.base_dir = base_dir
        self._read: set[str] = set()

    def at(self, key: str | int) -> str:
        """The key path of ``key`` in this table."""
        return key_path(self.path, key)

    def _get(self, key: str, required: bool) -> Any:
        self._read.add(key)
        if key not in self.data:
            if required:
                self.problems.add(self.at(key), "required", "is required")
            return _MISSING
        return self.data[key]

    def _wrong(self, key: str, expected: str, value: Any) -> None:
        self.problems.add(self.at(key), "type", f"must be {expected}, got {_type_name(value)}")

    def raw(self, key: str, default: Any = None) -> Any:
        """The value as written, unchecked (``default`` when absent)."""
        value = self._get(key, required=False)
        return default if value is _MISSING else value

    def string(self, key: str, default: str | None = None, *, required: bool = False,
               pattern: str | None = None, nonempty: bool = True) -> str | None:
        """A string (``default`` when absent); ``pattern`` is matched in full."""
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if not isinstance(value, str):
            self._wrong(key, "a string", value)
            return default
        if nonempty and not value:
            self.problems.add(self.at(key), "nonempty", "must not be empty")
            return default
        if pattern is not None and not re.fullmatch(pattern, value):
            self.problems.add(self.at(key), "pattern", f"must match {pattern}, got {value!r}")
            return default
        return value

    def choice(self, key: str, default: str, choices: Sequence[str]) -> str:
        """One of the strings ``choices`` (``default`` when absent or wrong)."""
        value = self.string(key, default)
        if value is None or value in choices:
            return value or default
        self.problems.add(self.at(key), "enum",
                          f"must be one of {', '.join(map(repr, choices))}, got {value!r}")
        return default

    def integer(self, key: str, default: int, *, minimum: int = 0) -> int:
        """A whole number at least ``minimum`` (``default`` when absent or wrong)."""
        value = self._get(key, required=False)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self._wrong(key, "an integer", value)
            return default
        if value < minimum:
            self.problems.add(self.at(key), "minimum", f"must be >= {minimum}, got {value}")
            return default
        return value

    def seconds(self, key: str, default: float) -> float:
        """A positive duration: a number of seconds or a string such as ``"30s"``, ``"4h"``."""
        from ..builder import parse_duration

        value = self._get(key, required=False)
        if value is _MISSING:
            return default
        try:
            return parse_duration(value)
        except (TypeError, ValueError):
            self.problems.add(self.at(key), "duration",
                              f"must be a positive number of seconds or a duration such as "
                              f"\"30s\", \"15m\" or \"4h\", got {value!r}")
            return default

    def boolean(self, key: str, default: bool) -> bool:
        """``true`` or ``false`` (``default`` when absent)."""
        value = self._get(key, required=False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self._wrong(key, "true or false", value)
            return default
        return value

    def path_value(self, key: str, default: str | None = None) -> str | None:
        """A file or directory path, resolved against the config file's directory."""
        value = self.string(key, default)
        if value is None:
            return None
        return os.path.normpath(os.path.join(self.base_dir, os.path.expanduser(value)))

    def table(self, key: str, *, required: bool = False) -> "Table":
        """A sub-table (an empty one when absent)."""
        value = self._get(key, required)
        return Table({} if value is _MISSING else value, self.at(key), self.problems,
                     self.base_dir)

    def tables(self, key: str) -> list["Table"]:
        """An array of tables (``[[key]]``); empty when absent."""
        value = self._get(key, required=False)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self._wrong(key, "an array of tables", value)
            return []
        return [Table(item, key_path(self.at(key), index), self.problems, self.base_dir)
                for index, item in enumerate(value)]

    def finish(self) -> None:
        """Report every key of the table that nothing read (a typo, most often)."""
        for key in self.data:
            if key not in self._read:
                known = ", ".join(sorted(self._read)) or "none"
                self.problems.add(self.at(key), "unknown",
                                  f"unknown key (known keys here: {known})")
