"""Typed settings declarations: one :class:`Setting` per ``Builder.setting()`` call, checked
when declared (:func:`make_setting`), and the URL rule of the ``uri`` type.

:mod:`framework.settings_schema` turns the declarations into a JSON Schema document and
validates settings against it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, TypeVar
from urllib.parse import urlsplit

__all__ = ["TYPES", "Setting", "make_setting", "is_http_url", "blank_is_unset", "declare_all",
           "defaults_of"]

#: The setting types and what each accepts.
TYPES: dict[str, str] = {
    "string": "a string",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
    "uri": "an absolute http(s) URL",
    "enum": "one of the allowed values",
    "array": "a list of strings",
    "multiselect": "a list of the allowed values",
    "object": "an object",
}


@dataclass(frozen=True)
class Setting:
    """One declared setting.

    Attributes:
        key: The setting's key; dots nest (``auth.key`` is ``{"auth": {"key": ...}}``).
        type: One of :data:`TYPES`.
        name: The label a UI shows (defaults to the key).
        description: What the setting is for.
        required: Whether it must be present (and, for strings and lists, not blank).
        default: The value used when the setting is absent or ``None``; ``None`` for none.
        secret: Whether the value is a secret: masked wherever settings are shown.
        allowed: The allowed values (``enum``, ``multiselect``; optional for ``array`` and
            ``string``).
        placeholder: A hint a UI shows in an empty field.
        ui: Free-form data carried into the schema as ``x-form-variable`` (for example a
            manifest form variable's own type, ``dynamicEnum`` or ``oauth``).
        schema: More JSON Schema keywords for this setting (``pattern``, ``items``,
            ``minimum``...); ``x-message`` there replaces the sentence of a failed rule.
    """

    key: str
    type: str = "string"
    name: str | None = None
    description: str = ""
    required: bool = False
    default: Any = None
    secret: bool = False
    allowed: tuple[Any, ...] | None = None
    placeholder: str | None = None
    ui: Mapping[str, Any] | None = None
    schema: Mapping[str, Any] | None = None

    @property
    def path(self) -> tuple[str, ...]:
        """The key split at dots."""
        return tuple(self.key.split("."))

    @property
    def title(self) -> str:
        """The label: ``name``, else the key."""
        return self.name or self.key

    def describe(self) -> dict[str, Any]:
        """The declaration as data, for ``spec()`` and ``framework list --details``."""
        return {"key": self.key, "type": self.type, "name": self.title,
                "description": self.description, "required": self.required,
                "default": copy.deepcopy(self.default), "secret": self.secret,
                "allowed": list(self.allowed) if self.allowed is not None else None,
                "placeholder": self.placeholder,
                "ui": dict(self.ui) if self.ui is not None else None}


def _fits(kind: str, value: Any) -> bool:
    if kind in ("string", "uri"):
        return isinstance(value, str) and (kind == "string" or is_http_url(value))
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind in ("array", "multiselect"):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "object":
        return isinstance(value, Mapping)
    return True


def make_setting(key: str, *, type: str = "string", name: str | None = None,
                 description: str = "", required: bool = False, default: Any = None,
                 secret: bool = False, allowed: Iterable[Any] | None = None,
                 placeholder: str | None = None, ui: Mapping[str, Any] | None = None,
                 schema: Mapping[str, Any] | None = None) -> Setting:
    """A checked :class:`Setting` (see its attributes for the arguments).

    Raises:
        ValueError: A declaration that cannot work, naming the key and the rule (unknown
            type, ``enum`` without ``allowed``, a default of the wrong type, a required
            setting with a default...).
    """
    where = f"setting {key!r}"
    if not isinstance(key, str) or not key or any(not part.strip() for part in key.split(".")):
        raise ValueError(f"setting key must be a non-empty string of dot-separated names, "
                         f"got {key!r}")
    if type not in TYPES:
        raise ValueError(f"{where}: type must be one of {', '.join(TYPES)}, got {type!r}")
    if isinstance(allowed, (str, bytes)):
        raise ValueError(f"{where}: allowed must be a list of values, got a string")
    values = tuple(allowed) if allowed is not None else None
    if type in ("enum", "multiselect") and not values:
        raise ValueError(f"{where}: type {type!r} needs a non-empty list of allowed values")
    if values is not None and type not in ("enum", "multiselect", "array", "string"):
        raise ValueError(f"{where}: allowed values apply to enum, multiselect, array and "
                         f"string settings, not {type!r}")
    if type in ("multiselect", "array") and values and \
            not all(isinstance(v, str) for v in values):
        raise ValueError(f"{where}: the allowed values of a list setting must be strings")
    if default == "" and blank_is_unset(type, values):
        default = None  # a form's empty default: no default
    if required and default is not None:
        raise ValueError(f"{where}: a required setting cannot have a default (the default "
                         f"would always satisfy it)")
    if default is not None:
        kind = "string" if type == "enum" else type
        if not _fits(kind, default) or (values is not None and not _allows(values, default)):
            raise ValueError(f"{where}: default {default!r} is not {TYPES[type]}")
    for label, value in (("name", name), ("placeholder", placeholder)):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{where}: {label} must be a string, got {value!r}")
    if not isinstance(description, str):
        raise ValueError(f"{where}: description must be a string, got {description!r}")
    for label, mapping in (("ui", ui), ("schema", schema)):
        if mapping is not None and not isinstance(mapping, Mapping):
            raise ValueError(f"{where}: {label} must be a mapping, got {mapping!r}")
    return Setting(key=key, type=type, name=name, description=description,
                   required=bool(required), default=copy.deepcopy(default), secret=bool(secret),
                   allowed=values, placeholder=placeholder,
                   ui=dict(ui) if ui is not None else None,
                   schema=copy.deepcopy(dict(schema)) if schema is not None else None)


def blank_is_unset(kind: str, allowed: tuple[Any, ...] | None) -> bool:
    """Whether a blank string means "not set" for this type: a URL or a choice cannot be
    blank, so an optional one left empty in a form is absent."""
    return kind == "uri" or (kind == "enum" and "" not in (allowed or ()))


def _allows(values: tuple[Any, ...], value: Any) -> bool:
    if isinstance(value, list):
        return all(item in values for item in value)
    return value in values


def is_http_url(value: Any) -> bool:
    """Whether ``value`` is an absolute http or https URL with a host (no whitespace)."""
    if not isinstance(value, str) or not value or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


B = TypeVar("B")

#: Settings described as data: ``{key: keyword arguments of Builder.setting()}``.
Declarations = Mapping[str, Mapping[str, Any]]


def declare_all(cls: B, declarations: Declarations) -> B:
    """``cls`` (a builder chain) with every setting of ``declarations`` declared, in order.

    Example::

        DECLARATIONS = {"apiKey": dict(required=True, secret=True)}
        Acme = declare_all(integration("Acme"), DECLARATIONS)
    """
    for key, options in declarations.items():
        cls = cls.setting(key, **options)  # type: ignore[attr-defined]
    return cls


def defaults_of(declarations: Declarations) -> dict[str, Any]:
    """The default of every optional setting of ``declarations`` (``None`` for none)."""
    return {key: options.get("default") for key, options in declarations.items()
            if not options.get("required")}
