"""The one Handlebars adapter: every template of the framework renders through :func:`render`.

    from framework.templating import render

    render("{{title.plainText}} by {{member.email}}", event)
    render(open("templates/flag.json.hbs").read(), event, filename="flag.json.hbs")

What a template sees and how it is written follows handlebars.js 4 (LaunchDarkly renders
manifests with it), on top of the pure-Python engine ``dotpromptz-handlebars``:

* ``{{x}}`` HTML-escapes ``& < > " ' ` =`` (``&amp; &lt; &gt; &quot; &#x27; &#x60; &#x3D;``);
  ``{{{x}}}`` and ``{{&x}}`` insert the text as it is. Values print as JavaScript prints them:
  ``true``, ``1`` for ``1.0``, ``a,b`` for a list, nothing for null.
* Helpers: the built-ins ``if``, ``unless``, ``each`` (``@index``, ``@key``, ``@first``,
  ``@last``, ``this``, ``../``), ``with``, ``lookup``, and LaunchDarkly's ``equal``,
  ``equalWithElse``, ``pathEncode``, ``queryEncode``, ``basicAuthHeaderValue`` and
  ``formatWithOffset`` (see :mod:`framework.template_helpers` for their exact behaviour).
* Truthiness is JavaScript's: ``#if``/``#unless``/``#each`` treat ``[]``, ``''``, ``0``,
  ``false`` and null as false and every object as true, even ``{}``.
* JSON templates: when ``filename`` ends with ``.json`` or ``.json.hbs`` (any case), every
  string in the context is JSON-escaped first (``JSON.stringify(s).slice(1, -1)``: quotes,
  backslashes and control characters; keys and non-strings untouched), recursively through
  objects and lists, so ``"{{comment}}"`` stays a valid JSON string. HTML escaping still
  applies on top, as in LaunchDarkly (write ``{{{x}}}`` where ``&`` or ``=`` must survive).
* Strict mode (the default) raises :class:`framework.errors.TemplateError` for a ``{{name}}``
  that is not in the context, naming the variable, the template and its line. As in
  handlebars.js, a missing *argument* of a helper (``{{#if comment}}``, ``{{#each tags}}``) is
  not an error: it is simply false. Unlike handlebars.js, a missing parent in a helper argument
  (``{{#if a.b}}`` without ``a``) is false here too, where JavaScript throws a TypeError.

Each template source is parsed once (an LRU cache of 1024 sources, shared by all callers) and
rendered many times.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Callable, Mapping

from dotpromptz_handlebars import Handlebars, StrictModeError, TemplateRecursionError

from .errors import TemplateError
from .template_helpers import HELPERS, HelperArgumentError

__all__ = ["render", "compile_template", "is_json_template", "json_escape", "HELPER_NAMES"]

HELPER_NAMES: tuple[str, ...] = ("if", "unless", "each", "with", "lookup", *HELPERS)
"""Every helper a template may call."""

_JSON_SUFFIXES = (".json", ".json.hbs")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _engine(strict: bool) -> Handlebars:
    engine = Handlebars(strict=strict)
    for name, helper in HELPERS.items():
        engine.register_helper(name, helper)
    engine.unregister_helper("log")  # handlebars.js's log prints to the console: not for us
    return engine


_ENGINES = {True: _engine(True), False: _engine(False)}


def is_json_template(filename: str | None) -> bool:
    """Whether a template of this file name renders JSON (``.json`` or ``.json.hbs``, any case)."""
    return bool(filename) and str(filename).lower().endswith(_JSON_SUFFIXES)


def json_escape(value: Any) -> Any:
    """A copy of ``value`` with every string JSON-escaped, through mappings and lists.

    Same as LaunchDarkly's ``jsonEscape``: ``JSON.stringify(s).slice(1, -1)`` for strings
    (``"`` -> ``\\"``, ``\\`` -> ``\\\\``, newline -> ``\\n``, other control characters and
    lone surrogates -> ``\\uXXXX``; non-ASCII kept), keys and other values untouched.

    >>> json_escape({"a": 'say "hi"\\n', "n": 1, "xs": ["\\\\"]})
    {'a': 'say \\\\"hi\\\\"\\\\n', 'n': 1, 'xs': ['\\\\\\\\']}
    """
    if isinstance(value, str):
        escaped = json.dumps(value, ensure_ascii=False)[1:-1]
        if _LONE_SURROGATE.search(escaped):
            escaped = _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", escaped)
        return escaped
    if isinstance(value, Mapping):
        return {key: json_escape(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_escape(item) for item in value]
    return value


@lru_cache(maxsize=1024)
def _program(source: str, strict: bool) -> Callable[..., str]:
    return _ENGINES[strict].compile(source)


def compile_template(template: str, *, filename: str | None = None,
                     strict: bool = True) -> Callable[[Mapping[str, Any]], str]:
    """A function rendering ``template`` against a context, parsed once (cached).

    Args:
        template: The Handlebars source.
        filename: The template's file name: decides JSON escaping and names the template in
            errors.
        strict: Whether a missing ``{{name}}`` raises instead of rendering as nothing.

    Raises:
        TemplateError: The template does not parse (unclosed block, bad path...).
    """
    try:
        program = _program(template, bool(strict))
    except (ValueError, TemplateRecursionError, RecursionError) as exc:
        raise _error(f"does not parse: {exc}", template, filename) from None
    escape = is_json_template(filename)

    def rendered(context: Mapping[str, Any]) -> str:
        data = json_escape(context) if escape else context
        try:
            return program(data)
        except StrictModeError as exc:
            raise _missing(exc.path, template, filename) from None
        except HelperArgumentError as exc:
            raise _error(str(exc), template, filename) from None
        except (ValueError, TypeError, RecursionError) as exc:
            raise _error(f"cannot render: {exc}", template, filename) from None

    return rendered


def render(template: str, context: Mapping[str, Any], *, filename: str | None = None,
           strict: bool = True) -> str:
    """The text of ``template`` rendered against ``context``.

    Args:
        template: The Handlebars source (parsed once per distinct source, then cached).
        context: The values the template reads (``{{project.key}}``).
        filename: The template's file name, if it has one. ``*.json`` and ``*.json.hbs`` (any
            case) JSON-escape every string of the context first; errors name the file.
        strict: When true (the default), a ``{{name}}`` missing from the context raises.

    Raises:
        TemplateError: A strict miss (``variable`` and ``line`` set), a syntax error, an
            unknown helper or a helper given arguments it cannot use.

    >>> render("{{#equal env.key '~'}}all{{else}}{{env.name}}{{/equal}}",
    ...        {"env": {"key": "production", "name": "Production"}})
    'Production'
    """
    return compile_template(template, filename=filename, strict=strict)(context)


def _describe(template: str, filename: str | None) -> str:
    if filename:
        return f"template {filename}"
    first = template.strip().splitlines()[0] if template.strip() else ""
    return "template " + json.dumps(first if len(first) <= 60 else first[:57] + "...")


def _error(reason: str, template: str, filename: str | None,
           line: int | None = None, variable: str | None = None) -> TemplateError:
    where = _describe(template, filename) + (f" line {line}" if line else "")
    return TemplateError(f"{where}: {reason}", template=filename, line=line, variable=variable)


def _missing(path: str, template: str, filename: str | None) -> TemplateError:
    lines = _lines_using(path, template)
    reason = f'"{path}" is not defined (strict mode: every {{{{name}}}} must be in the context)'
    if len(lines) > 1:
        reason += f"; it is used on lines {', '.join(map(str, lines))}"
    return _error(reason, template, filename, line=lines[0] if lines else None, variable=path)


_TAG = re.compile(r"(?<!\\)\{\{(?!!)(.*?)\}\}", re.DOTALL)


def _lines_using(path: str, template: str) -> list[int]:
    """The 1-based lines of the tags that read ``path`` (as written), in order.

    The engine reports the missing path but not where it is, so we find the tags naming it.
    """
    token = re.compile(r"(?<![\w@./\[\]-])" + re.escape(path) + r"(?![\w./\[\]-])")
    lines: list[int] = []
    for tag in _TAG.finditer(template):
        found = token.search(tag.group(1))
        if found:
            line = template.count("\n", 0, tag.start(1) + found.start()) + 1
            if line not in lines:
                lines.append(line)
    return lines
