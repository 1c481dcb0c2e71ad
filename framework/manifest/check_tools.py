"""The small readers every manifest check shares.

A check reads a document that may be invalid, so every field goes through :func:`as_dict` or
:func:`as_list` (a wrong type reads as empty: the schema reports it, the check never crashes),
and every problem is made by :func:`problem`, which fills in the source and the RFC 6901
pointer.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator, Mapping

from .. import errors
from .schema import SOURCE

__all__ = ["Problems", "problem", "as_dict", "as_list", "variables", "hook", "regex_problems",
           "inside"]

#: What a check yields.
Problems = Iterator[errors.Problem]


def problem(path: list[Any], rule: str, message: str) -> errors.Problem:
    """A problem of ``manifest.json`` at ``path`` (keys and indexes) breaking ``rule``."""
    return errors.Problem(SOURCE, errors.json_pointer(path), rule, message)


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` when it is an object, else ``{}``."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` when it is an array, else ``[]``."""
    return value if isinstance(value, list) else []


def variables(document: Mapping[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """The form variables that are objects, with their index."""
    return [(i, v) for i, v in enumerate(as_list(document.get("formVariables")))
            if isinstance(v, dict)]


def hook(document: Mapping[str, Any]) -> dict[str, Any]:
    """``capabilities.auditLogEventsHook``, or ``{}``."""
    return as_dict(as_dict(document.get("capabilities")).get("auditLogEventsHook"))


def regex_problems(value: Any, where: list[Any]) -> Problems:
    """A problem when ``value`` is a string that is not a valid regular expression."""
    if isinstance(value, str):
        try:
            re.compile(value)
        except re.error as exc:
            yield problem(where, "regex", f"is not a valid regular expression: {exc}")


def inside(directory: Path, path: str) -> Path:
    """A file named in the manifest, in the integration's folder."""
    return directory / path
