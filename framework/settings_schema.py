"""Typed settings: declarations, their JSON Schema (draft 2020-12), and validation.

An integration declares each setting once with ``Builder.setting(key, type=..., ...)`` (a
:class:`Setting`, see :mod:`framework.settings_declarations`); this module turns those
declarations into

* a JSON Schema document a UI can render (:func:`build_schema`): ``title``, ``description``,
  ``default``, ``enum``, ``format: uri``, ``writeOnly`` plus ``secret: true`` for secrets (as
  Meltano's SDK marks them), ``x-placeholder``, ``x-form-variable`` (what a manifest's form
  variable declared), ``x-setting-type`` (our type name) and nested objects for dotted keys
  (``auth.key`` is ``properties.auth.properties.key``);
* a validator (:class:`SettingsSchema`) that applies the defaults, checks the settings with
  ``jsonschema`` and reports EVERY problem at once as :class:`errors.Problem` records
  (``source="settings"``, an RFC 6901 pointer, the rule, and a sentence naming the setting and
  the rule, showing the value unless the setting is secret), raised in one
  :class:`errors.ValidationError`.

Types: ``string``, ``boolean``, ``integer``, ``number``, ``uri`` (an absolute http or https
URL), ``enum`` (one of ``allowed``), ``array`` (a list of strings, of ``allowed`` when given),
``multiselect`` (a list of ``allowed`` values) and ``object``. A ``None`` value counts as absent
(it takes the default), and so does a blank optional ``uri`` or ``enum`` (a form field left
empty; a blank default there means no default). A required string must not be blank
(whitespace only), a required list must not be empty. Settings that are not declared are kept
and not checked.

``jsonschema`` is imported on the first validation only, so reading declarations (``framework
list``) never loads it.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Callable, Iterable, Mapping, Sequence

from . import errors
from .settings_declarations import TYPES, Setting, blank_is_unset, is_http_url, make_setting

__all__ = ["DIALECT", "TYPES", "Setting", "make_setting", "build_schema", "is_http_url",
           "SettingsSchema", "secret_paths", "summarize"]

#: The JSON Schema dialect of every exported document.
DIALECT = "https://json-schema.org/draft/2020-12/schema"

_JSON_TYPES = {"string": "string", "boolean": "boolean", "integer": "integer",
               "number": "number", "uri": "string", "array": "array", "multiselect": "array",
               "object": "object"}
_TYPE_WORDS = {"string": "a string", "boolean": "true or false", "integer": "a whole number",
               "number": "a number", "array": "a list", "object": "an object", "null": "null"}
_NOT_BLANK = r"\S"
_SHOWN = 60


def _property(setting: Setting) -> dict[str, Any]:
    kind = setting.type
    prop: dict[str, Any] = {"title": setting.title}
    if setting.description:
        prop["description"] = setting.description
    allowed = list(setting.allowed) if setting.allowed is not None else None
    if kind == "enum":
        assert allowed is not None
        if all(isinstance(v, str) for v in allowed):
            prop["type"] = "string"
        prop["enum"] = allowed
    else:
        prop["type"] = _JSON_TYPES[kind]
    if kind == "uri":
        prop["format"] = "uri"
    if kind in ("array", "multiselect"):
        prop["items"] = {"type": "string", **({"enum": allowed} if allowed else {})}
        if kind == "multiselect":
            prop["uniqueItems"] = True
    elif kind == "string" and allowed:
        prop["enum"] = allowed
    if setting.required and kind in ("string", "uri") and not allowed:
        prop["minLength"] = 1
        prop["pattern"] = _NOT_BLANK
    if setting.required and kind in ("array", "multiselect"):
        prop["minItems"] = 1
    if setting.default is not None:
        prop["default"] = copy.deepcopy(setting.default)
    if setting.secret:
        prop["writeOnly"] = True
        prop["secret"] = True
    if setting.placeholder is not None:
        prop["x-placeholder"] = setting.placeholder
    if setting.ui is not None:
        prop["x-form-variable"] = dict(setting.ui)
    prop["x-setting-type"] = kind
    if setting.schema:
        prop.update(copy.deepcopy(dict(setting.schema)))
    return prop


def _group(title: str) -> dict[str, Any]:
    return {"title": title, "type": "object", "properties": {}}


def build_schema(settings: Sequence[Setting], *, title: str | None = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) document of ``settings``.

    Dotted keys become nested objects; a parent object is required when any setting under it
    is. Properties keep declaration order. Undeclared settings are allowed.
    """
    root: dict[str, Any] = {"$schema": DIALECT, "type": "object"}
    if title:
        root["title"] = f"{title} settings"
    root["properties"] = {}
    for setting in settings:
        node = root
        for depth, part in enumerate(setting.path[:-1]):
            properties = node.setdefault("properties", {})
            child = properties.get(part)
            if child is None:
                child = properties[part] = _group(".".join(setting.path[:depth + 1]))
            if setting.required:
                _require(node, part)
            node = child
        leaf = setting.path[-1]
        properties = node.setdefault("properties", {})
        prop = _property(setting)
        earlier = properties.get(leaf)
        if earlier is not None:  # children were declared before their object
            prop.setdefault("properties", {}).update(earlier.get("properties", {}))
            for name in earlier.get("required", []):
                _require(prop, name)
        properties[leaf] = prop
        if setting.required:
            _require(node, leaf)
    return root


def _require(node: dict[str, Any], name: str) -> None:
    required = node.setdefault("required", [])
    if name not in required:
        required.append(name)


def secret_paths(settings: Iterable[Setting]) -> frozenset[tuple[str, ...]]:
    """The key paths of the declared secret settings."""
    return frozenset(s.path for s in settings if s.secret)


class SettingsSchema:
    """Declared settings, compiled once: the JSON Schema and a validator.

    Args:
        settings: The declarations, in order.
        integration: The integration's name, for the errors and the schema's title.
    """

    def __init__(self, settings: Sequence[Setting], integration: str | None = None) -> None:
        self.settings = tuple(settings)
        self.integration = integration
        self.schema = build_schema(self.settings, title=integration)
        self.secrets = secret_paths(self.settings)
        self._by_path = {s.path: s for s in self.settings}
        self._validator: Any = None

    def apply_defaults(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """A new dict of ``values`` where each declared setting that is absent or ``None``
        (or, for an optional ``uri`` or ``enum``, a blank string) takes its default; one
        without a default is removed.

        ``values`` is never changed: the objects on the way to a declared nested key are
        copied (copy-on-write), the rest is shared, so settings may hold values that cannot
        be deep-copied.
        """
        result = dict(values)
        for setting in self.settings:
            node: dict[str, Any] = result
            for part in setting.path[:-1]:
                child = node.get(part)
                if child is None and setting.default is not None:
                    child = {}
                elif not isinstance(child, Mapping):
                    break
                node[part] = child = dict(child)
                node = child
            else:
                leaf = setting.path[-1]
                if self._unset(setting, node.get(leaf)):
                    if setting.default is not None:
                        node[leaf] = copy.deepcopy(setting.default)
                    else:
                        node.pop(leaf, None)
        return result

    @staticmethod
    def _unset(setting: Setting, value: Any) -> bool:
        if value is None:
            return True
        return (not setting.required and isinstance(value, str) and not value.strip()
                and blank_is_unset(setting.type, setting.allowed))

    def validate(self, values: Mapping[str, Any] | None) -> dict[str, Any]:
        """The settings with defaults applied.

        Raises:
            errors.ValidationError: With every problem in ``problems``.
        """
        if values is None:
            values = {}
        if not isinstance(values, Mapping):
            problem = errors.Problem("settings", "", "type", f"settings must be an object, got "
                                     f"{_TYPE_WORDS.get(_json_type(values), 'something else')}")
            raise errors.ValidationError(problem.message, problems=[problem],
                                         integration=self.integration)
        result = self.apply_defaults(values)
        problems = self.problems(result)
        if problems:
            raise errors.ValidationError(summarize(problems), problems=problems,
                                         integration=self.integration)
        return result

    def problems(self, values: Mapping[str, Any]) -> list[errors.Problem]:
        """Every problem of ``values`` (defaults already applied), in declaration order."""
        if not self.settings:
            return []
        found: dict[tuple[str, str], tuple[int, errors.Problem]] = {}
        for error in self._compiled().iter_errors(values):
            for problem in self._problems(error):
                key = (problem.pointer, problem.rule)
                if key not in found:
                    found[key] = (self._order(problem.pointer), problem)
        missing = {pointer for pointer, rule in found if rule == "required"}
        kept = [item for (pointer, rule), item in found.items()
                if rule == "required" or pointer not in missing]  # blank: say it once
        return [problem for _, problem in sorted(kept, key=lambda item: item[0])]

    def _compiled(self) -> Any:
        if self._validator is None:
            import jsonschema

            checker = jsonschema.FormatChecker(formats=())
            checker.checks("uri")(lambda value: not isinstance(value, str) or is_http_url(value))
            self._validator = jsonschema.Draft202012Validator(self.schema,
                                                              format_checker=checker)
        return self._validator

    def _order(self, pointer: str) -> int:
        for index, setting in enumerate(self.settings):
            if pointer == errors.json_pointer(setting.path) or \
                    pointer.startswith(errors.json_pointer(setting.path) + "/"):
                return index
        return len(self.settings)

    # -- one jsonschema error -> our problems ----------------------------------------------

    def _problems(self, error: Any) -> list[errors.Problem]:
        path = list(error.absolute_path)
        rule = str(error.validator)
        if rule == "required":
            missing = [name for name in error.validator_value
                       if isinstance(error.instance, Mapping) and name not in error.instance]
            return [self._required(path + [name], "") for name in missing]
        setting = self._setting_at(path)
        value = error.instance
        if setting is not None and setting.required and setting.path == tuple(path) and (
                (rule in ("minLength", "pattern") and error.validator_value in (1, _NOT_BLANK))
                or (rule == "minItems" and error.validator_value == 1)):
            blank = "an empty list" if isinstance(value, list) else "a blank string"
            return [self._required(path, f" (got {blank})")]
        text = error.schema.get("x-message") if isinstance(error.schema, Mapping) else None
        if not isinstance(text, str):
            text = _rule_text(rule, error)
        shown = "[REDACTED]" if self._is_secret(path) else _show(value)
        message = f"{self._label(path)} {text}, got {shown}"
        return [errors.Problem("settings", errors.json_pointer(path), rule, message)]

    def _required(self, path: list[Any], note: str) -> errors.Problem:
        leaves = [s for s in self.settings if s.required and len(s.path) > len(path)
                  and list(s.path[:len(path)]) == path]
        if leaves and not note:  # a missing parent object: name the settings it must hold
            names = ", ".join(f'"{s.key}"' for s in leaves)
            first = leaves[0]
            return errors.Problem("settings", errors.json_pointer(first.path), "required",
                                  f"setting {names} is required" if len(leaves) == 1 else
                                  f"settings {names} are required")
        return errors.Problem("settings", errors.json_pointer(path), "required",
                              f"{self._label(path)} is required{note}")

    def _setting_at(self, path: Sequence[Any]) -> Setting | None:
        for end in range(len(path), 0, -1):
            setting = self._by_path.get(tuple(path[:end]))
            if setting is not None:
                return setting
        return None

    def _is_secret(self, path: Sequence[Any]) -> bool:
        setting = self._setting_at(path)
        if setting is not None and setting.secret:
            return True
        return any(isinstance(p, str) and errors.is_secret_key(p) for p in path)

    def _label(self, path: Sequence[Any]) -> str:
        """``setting "a.b"`` for the longest leading run of names, then ``item N`` for an
        index and ``: "field"`` for a key inside it."""
        names: list[str] = []
        for part in path:
            if not isinstance(part, str) or (names and self._by_path.get(tuple(names)) and
                                             self._by_path[tuple(names)].type != "object"):
                break
            names.append(part)
        label = f'setting "{".".join(names)}"' if names else "settings"
        for part in path[len(names):]:
            label += f" item {part}" if isinstance(part, int) else f': "{part}"'
        return label


def _rule_text(rule: str, error: Any) -> str:
    expected = error.validator_value
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if rule == "type":
        kind = schema.get("x-setting-type")
        if isinstance(expected, list):
            return "must be " + " or ".join(_TYPE_WORDS.get(k, str(k)) for k in expected)
        if kind == "uri":
            return "must be an absolute http(s) URL"
        if kind in ("array", "multiselect"):
            items = schema.get("items")
            strings = isinstance(items, Mapping) and items.get("type") == "string"
            return "must be a list of strings" if strings else "must be a list"
        return "must be " + _TYPE_WORDS.get(expected, str(expected))
    if rule == "enum":
        return "must be one of " + ", ".join(_show(v) for v in expected)
    if rule == "format":
        return "must be an absolute http(s) URL" if expected == "uri" else \
            f"must be in the {expected} format"
    texts: dict[str, Callable[[], str]] = {
        "const": lambda: f"must be {_show(expected)}",
        "pattern": lambda: "must not be blank" if expected == _NOT_BLANK else
        f"must match the pattern {expected}",
        "minLength": lambda: f"must have at least {expected} character(s)",
        "maxLength": lambda: f"must have at most {expected} character(s)",
        "minItems": lambda: f"must have at least {expected} item(s)",
        "maxItems": lambda: f"must have at most {expected} item(s)",
        "uniqueItems": lambda: "must not repeat a value",
        "minimum": lambda: f"must be at least {expected}",
        "maximum": lambda: f"must be at most {expected}",
        "exclusiveMinimum": lambda: f"must be greater than {expected}",
        "exclusiveMaximum": lambda: f"must be less than {expected}",
        "additionalProperties": lambda: "has fields that are not allowed",
    }
    make = texts.get(rule)
    return make() if make else f'breaks the "{rule}" rule ({error.message})'


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    return "object"


def _show(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):  # pragma: no cover - settings come from JSON
        text = repr(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN - 3] + "..."


def summarize(problems: Sequence[errors.Problem]) -> str:
    """One line for a :class:`errors.ValidationError`: the problem, or ``N settings problems:``
    and each one, ``;``-separated."""
    if len(problems) == 1:
        return problems[0].message
    return f"{len(problems)} settings problems: " + "; ".join(p.message for p in problems)
