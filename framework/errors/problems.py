"""Errors about what people wrote: settings, server configs, manifests and templates.

Each carries every :class:`Problem` found (a place, a rule and a sentence), so one error lists
all that is wrong in a document instead of the first thing. None of them is retryable: the
document has to change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from .base import IntegrationError

__all__ = ["json_pointer", "Problem", "ValidationError", "ConfigError", "ManifestError",
           "TemplateError"]


def json_pointer(path: Iterable[Any]) -> str:
    """The RFC 6901 pointer of ``path`` (keys and indexes): ``~`` as ``~0``, then ``/`` as ``~1``.

    >>> json_pointer(["formVariables", 2, "key"])
    '/formVariables/2/key'
    """
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


@dataclass(frozen=True)
class Problem:
    """One problem found in a document: where it is, which rule it breaks, and what to say.

    Attributes:
        source: The document: a file name (``manifest.json``), ``settings`` or a config path.
        pointer: Where in it: an RFC 6901 pointer for JSON (``/formVariables/2/key``) or a
            dotted key path for TOML (``sources[0].write_key``); ``""`` for the whole document.
        rule: The rule broken, short and stable (``required``, ``type``, ``pattern``...).
        message: The sentence for people, with the value (redacted when secret).
    """

    source: str
    pointer: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source} {self.pointer}".strip() if self.pointer else self.source
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict[str, str]:
        """The problem as data: source, pointer, rule, message."""
        return {"source": self.source, "pointer": self.pointer, "rule": self.rule,
                "message": self.message}


def _summary(message: str, problems: Sequence[Problem]) -> str:
    if message or not problems:
        return message
    if len(problems) == 1:
        return str(problems[0])
    return f"{len(problems)} problems:\n" + "\n".join(f"  {p}" for p in problems)


class ValidationError(IntegrationError):
    """The integration's settings are invalid (``INVALID_SETTINGS``).

    Attributes:
        problems: Every problem the settings check found (may be empty for a single
            hand-written check).
    """

    default_code = "INVALID_SETTINGS"

    def __init__(self, message: str = "", problems: Sequence[Problem] = (),
                 **kwargs: Any) -> None:
        kwargs.setdefault("status", 400)
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(_summary(message, self.problems), **kwargs)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        if self.problems:
            data["problems"] = [p.to_dict() for p in self.problems]
        return data


class ConfigError(IntegrationError):
    """A configuration document is wrong (``INVALID_CONFIG``, never retryable).

    Raised once with every problem found (``problems``), before anything starts.
    """

    default_code = "INVALID_CONFIG"

    def __init__(self, message: str = "", problems: Sequence[Problem] = (),
                 **kwargs: Any) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(_summary(message, self.problems), **kwargs)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["problems"] = [p.to_dict() for p in self.problems]
        return data


class ManifestError(ConfigError):
    """A manifest (``manifest.json`` and its templates) is wrong (``INVALID_MANIFEST``)."""

    default_code = "INVALID_MANIFEST"


class TemplateError(IntegrationError):
    """A template failed to render (``TEMPLATE_ERROR``): a strict miss or a syntax error.

    Attributes:
        template: The template's file name, when known.
        line: The 1-based line of the problem in the template, when known.
        variable: The missing variable's path (``formVariables.apiKey``), for a strict miss.
    """

    default_code = "TEMPLATE_ERROR"

    def __init__(self, message: str = "", template: str | None = None,
                 line: int | None = None, variable: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.template = template
        self.line = line
        self.variable = variable
