"""Reading a ``manifest.json`` and checking it against our JSON Schema.

The schema (``manifest.schema.json``, shipped as package data, JSON Schema 2020-12) is written
from the field lists of LaunchDarkly's manifest format: required fields, types, lengths,
patterns, enums; unknown keys are refused (``additionalProperties``). The rules a schema
cannot state live in :mod:`framework.manifest.checks`.

Each violation is one :class:`errors.Problem` with the RFC 6901 pointer of the field and the
rule (the JSON Schema keyword that failed: ``required``, ``type``, ``pattern``, ``enum``,
``additionalProperties``...).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import errors

if TYPE_CHECKING:  # pragma: no cover
    from jsonschema import ValidationError as SchemaViolation
    from jsonschema.protocols import Validator

__all__ = ["SOURCE", "schema", "read_manifest", "schema_problems"]

#: The file name problems are reported against.
SOURCE = "manifest.json"
_SCHEMA_FILE = Path(__file__).with_name("manifest.schema.json")


def schema() -> dict[str, Any]:
    """The manifest JSON Schema document (a new copy)."""
    loaded: dict[str, Any] = json.loads(_SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


@lru_cache(maxsize=1)
def _validator() -> "Validator":
    # jsonschema is imported here, not at module level, so `framework list` never loads it.
    from jsonschema import Draft202012Validator

    document = schema()
    Draft202012Validator.check_schema(document)
    validator: Validator = Draft202012Validator(
        document, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return validator


def read_manifest(path: Path) -> tuple[Any, list[errors.Problem]]:
    """The decoded ``manifest.json`` at ``path``, or ``None`` and the problem that stops it.

    A missing file, unreadable bytes and invalid JSON are problems (rule ``file`` or
    ``json``, with the line and column), never exceptions.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [errors.Problem(SOURCE, "", "file", f"no such file: {path}")]
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return None, [errors.Problem(SOURCE, "", "file", f"cannot read {path}: {reason}")]
    try:
        return json.loads(text), []
    except json.JSONDecodeError as exc:
        return None, [errors.Problem(SOURCE, "", "json", f"invalid JSON at line {exc.lineno} "
                                     f"column {exc.colno}: {exc.msg}")]


def schema_problems(document: Any) -> list[errors.Problem]:
    """Every schema violation in ``document``, ordered by pointer."""
    problems: list[errors.Problem] = []
    for violation in _validator().iter_errors(document):
        problems.extend(_problems(violation))
    return sorted(problems, key=lambda p: (p.pointer, p.rule))


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _problems(violation: "SchemaViolation") -> list[errors.Problem]:
    path = list(violation.absolute_path)
    rule = str(violation.validator)
    value: Any = violation.instance
    expected: Any = violation.validator_value
    subschema: Any = violation.schema
    if rule == "required" and isinstance(value, dict):
        return [errors.Problem(SOURCE, errors.json_pointer([*path, key]), "required",
                               "is required")
                for key in expected if key not in value]
    if rule == "additionalProperties" and isinstance(value, dict):
        known = subschema.get("properties", {}) if isinstance(subschema, dict) else {}
        return [errors.Problem(SOURCE, errors.json_pointer([*path, key]),
                               "additionalProperties",
                               f"unknown key; allowed: {', '.join(sorted(known))}")
                for key in value if key not in known]
    messages = {
        "type": lambda: f"must be of type {_type_names(expected)}, got {_shown(value)}",
        "pattern": lambda: f"must match {expected}, got {_shown(value)}",
        "enum": lambda: f"must be one of {', '.join(map(str, expected))}, got {_shown(value)}",
        "minLength": lambda: f"must be at least {expected} characters, got {_shown(value)}",
        "maxLength": lambda: f"must be at most {expected} characters, got {len(value)}",
        "minItems": lambda: f"must have at least {expected} item(s)",
        "maxItems": lambda: f"must have at most {expected} item(s), got {len(value)}",
        "uniqueItems": lambda: f"must not repeat items, got {_shown(value)}",
        "format": lambda: f"must be a valid {expected}, got {_shown(value)}",
    }
    make = messages.get(rule)
    message = make() if make is not None else violation.message
    return [errors.Problem(SOURCE, errors.json_pointer(path), rule, message)]


def _type_names(expected: Any) -> str:
    names = expected if isinstance(expected, list) else [expected]
    return " or ".join(str(n) for n in names)
