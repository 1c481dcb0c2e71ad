"""Template delivery: how an integration that declares ``.templates(...)`` sends an event.

This is the audit-log events hook of LaunchDarkly's integration framework, expressed as builder
declarations so that a manifest and a hand-written integration share it:

* **route**: an event with a string ``kind`` field goes to the template declared for that kind
  (``flag``, ``project``, ``environment``, ``member``...), else to ``default``, else to
  :data:`EVENT_ROUTE` (the event itself is the body, as JSON: LaunchDarkly's default payload);
* **skip**: with a ``.policy(...)``, an event the policy does not allow is
  :class:`errors.Skipped` with the reason (see :mod:`framework.policy`);
* **map**: :func:`render_request` renders the URL and every header value with the *endpoint
  context* (the settings at top level, the event under ``context``) and the body template with
  the *body context* (the event's fields at top level plus ``formVariables``: the settings);
  it adds ``Content-Type: application/json`` unless a header sets one, and the HMAC-SHA256
  signature header of the exact body bytes when ``.hmac(...)`` is declared;
* **send**: :func:`send_rendered` sends it through the request builder (retry policy, timeouts),
  so an error answer is an :class:`errors.HTTPError` like any other.

Templates are rendered with :func:`framework.templating.render`; the body template's file name
decides JSON escaping (``.json`` / ``.json.hbs``). At delivery, rendering is lenient (a missing
variable renders as nothing, as LaunchDarkly's production renderer does); ``framework validate``
and ``framework preview`` render strictly.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import facade

from . import errors

if TYPE_CHECKING:  # pragma: no cover
    import requests

    from .http import Request
    from .integration import Integration

__all__ = ["Template", "HmacSignature", "CustomProperty", "RenderedRequest", "EVENT_ROUTE",
           "TEMPLATE_KINDS", "read_template", "endpoint_context", "body_context",
           "render_request", "build_request", "send_rendered", "send_validation", "route_for",
           "denied"]

#: The route of an event that has no template of its kind and no ``default`` template.
EVENT_ROUTE = "event"
#: The template names LaunchDarkly knows; ``validation`` is the "test connection" body.
TEMPLATE_KINDS = ("flag", "project", "environment", "member", "default", "validation")
#: The HTTP methods an endpoint may declare.
METHODS = ("POST", "PUT", "PATCH", "GET", "DELETE")


@dataclass(frozen=True)
class Template:
    """One body template.

    Attributes:
        name: The route it serves (``flag``, ``default``, ``validation``...).
        filename: The file it was read from, relative to the integration (decides JSON
            escaping and names the template in errors).
        source: The Handlebars source.
    """

    name: str
    filename: str
    source: str


@dataclass(frozen=True)
class HmacSignature:
    """``.hmac(header, secret_setting)``: sign each body.

    Attributes:
        header: The header that carries the hex HMAC-SHA256 of the body bytes.
        secret_setting: The setting whose value is the key.
    """

    header: str
    secret_setting: str


@dataclass(frozen=True)
class CustomProperty:
    """A reserved custom property (LaunchDarkly's ``reservedCustomProperties``).

    Its values reach templates as ``customProperties.<key>.values`` (an empty list when the
    event has none).
    """

    key: str
    name: str
    description: str | None = None

    def describe(self) -> dict[str, Any]:
        """The property as data, for ``spec()``."""
        return {"key": self.key, "name": self.name, "description": self.description}


@dataclass
class RenderedRequest:
    """What a template route sends: the mapped payload of the pipeline.

    Attributes:
        route: The route (``flag``, ``default``, :data:`EVENT_ROUTE`, ``validation``).
        method: The HTTP method.
        url: The rendered URL.
        headers: The rendered headers, in declaration order.
        body: The exact body bytes.
        template: The body template's file name, or ``None`` for the event as JSON.
    """

    route: str
    method: str
    url: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    template: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The request as data (the body decoded as UTF-8)."""
        return {"route": self.route, "method": self.method, "url": self.url,
                "headers": dict(self.headers), "body": self.body.decode("utf-8", "replace"),
                "template": self.template}


def read_template(name: str, path: str | Path, directory: str | Path | None = None) -> Template:
    """The template ``name`` read from ``path`` (relative to ``directory`` when given).

    Raises:
        errors.ConfigError: The file cannot be read as UTF-8 text.
    """
    full = Path(directory) / path if directory is not None else Path(path)
    try:
        source = full.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise errors.ConfigError(f"template {name!r}: cannot read {full}: {reason}") from None
    return Template(name, str(path), source)


def route_for(templates: Mapping[str, Template], kind: Any) -> str:
    """The route of an event of this ``kind``: its template, ``default``, or the event."""
    if isinstance(kind, str) and kind in templates and kind != "validation":
        return kind
    return "default" if "default" in templates else EVENT_ROUTE


def with_custom_properties(event: Mapping[str, Any],
                           properties: Sequence[CustomProperty]) -> dict[str, Any]:
    """A copy of ``event`` where every reserved custom property has ``name`` and ``values``."""
    copied = copy.deepcopy(dict(event))
    if not properties:
        return copied
    found = copied.get("customProperties")
    custom = dict(found) if isinstance(found, Mapping) else {}
    for prop in properties:
        value = custom.get(prop.key)
        entry = dict(value) if isinstance(value, Mapping) else {}
        entry.setdefault("name", prop.name)
        if not isinstance(entry.get("values"), list):
            entry["values"] = []
        custom[prop.key] = entry
    copied["customProperties"] = custom
    return copied


def endpoint_context(settings: Mapping[str, Any], event: Mapping[str, Any]) -> dict[str, Any]:
    """The context of the URL and header templates: settings at top level, event as ``context``."""
    context = dict(settings)
    context["context"] = event
    return context


def body_context(settings: Mapping[str, Any], event: Mapping[str, Any]) -> dict[str, Any]:
    """The context of body templates: the event's fields plus ``formVariables``."""
    context = dict(event)
    context["formVariables"] = dict(settings)
    return context


def _render(source: str, context: Mapping[str, Any], filename: str | None, strict: bool,
            integration: str) -> str:
    if "{{" not in source:
        return source  # Handlebars leaves text without mustaches as it is
    from .templating import render

    try:
        return render(source, context, filename=filename, strict=strict)
    except errors.TemplateError as error:
        if error.integration is None:
            error.integration = integration
        raise


def render_request(integration: "Integration", route: str, event: Mapping[str, Any], *,
                   strict: bool = False) -> RenderedRequest:
    """Render the request that ``route`` sends for ``event`` with the integration's settings.

    Args:
        integration: The integration instance (its class holds the declarations).
        route: A template name, or :data:`EVENT_ROUTE`.
        event: The audit-log event as a plain dict.
        strict: Whether a missing variable is an error (``framework validate``, preview).

    Raises:
        errors.TemplateError: A template failed to render.
        errors.ValidationError: The HMAC secret setting is not set.
        errors.ConfigError: The integration declares templates but no endpoint.
    """
    cls = type(integration)
    name = cls.name
    if not cls._endpoint:
        raise errors.ConfigError(f"{name}: a template integration needs .endpoint(url)",
                                 integration=name)
    settings = integration.settings
    event = with_custom_properties(event, cls._custom_properties)
    endpoint = endpoint_context(settings, event)
    url = _render(cls._endpoint, endpoint, None, strict, name).strip()
    headers = [(header, _render(value, endpoint, None, strict, name))
               for header, value in cls._headers]
    template = cls._templates.get(route) if cls._templates is not None else None
    if template is None:
        body = json.dumps(event, ensure_ascii=False).encode("utf-8")
        filename = None
    else:
        text = _render(template.source, body_context(settings, event), template.filename,
                       strict, name)
        body = text.encode("utf-8")
        filename = template.filename
    if not any(header.lower() == "content-type" for header, _ in headers):
        headers.insert(0, ("Content-Type", "application/json"))
    signature = cls._hmac
    if signature is not None:
        headers.append((signature.header, sign(body, settings, signature, name)))
    return RenderedRequest(route, cls._method or "POST", url, headers, body, filename)


def sign(body: bytes, settings: Mapping[str, Any], signature: HmacSignature,
         integration: str) -> str:
    """The hex HMAC-SHA256 of ``body`` keyed with the secret setting.

    Raises:
        errors.ValidationError: The secret setting is missing or not a non-empty string.
    """
    secret = settings.get(signature.secret_setting)
    if not isinstance(secret, str) or not secret:
        raise errors.ValidationError(
            f'setting "{signature.secret_setting}" is required: it signs the body '
            f"({signature.header})", integration=integration,
            problems=[errors.Problem("settings", errors.json_pointer([signature.secret_setting]),
                                     "required", "required: it keys the HMAC signature")])
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def build_request(integration: "Integration", rendered: RenderedRequest) -> "Request":
    """The request builder's request for a rendered request, not sent yet."""
    request = integration.request(rendered.method)
    request.url = rendered.url  # already whole: never joined to the endpoint template
    for header, value in rendered.headers:
        request.set(header, value)
    if rendered.method != "GET" or rendered.body:
        request.send(rendered.body)
    return request


def send_rendered(integration: "Integration", rendered: RenderedRequest) -> "requests.Response":
    """Send a rendered request through the integration's request builder (retry policy,
    timeouts, error mapping).

    Raises:
        errors.ValidationError: The URL did not render to an absolute http(s) URL (a setting
            it uses is wrong).
    """
    if not rendered.url.startswith(("http://", "https://")):
        name = type(integration).name
        raise errors.ValidationError(
            f"the endpoint URL renders to {errors.redact(rendered.url, integration.secrets())!r}, "
            "not an absolute http(s) URL: check the settings it uses", integration=name)
    return build_request(integration, rendered).end()


def policy_statements(integration: "Integration") -> list[Mapping[str, Any]]:
    """The policy in force: the ``policy`` setting (a list of statements) when given, else
    the declared default.

    Raises:
        errors.ValidationError: The setting is given but is not a valid policy.
    """
    cls = type(integration)
    given = integration.settings.get(cls._policy_setting)
    if given is None or given == "" or given == []:
        return list(cls._policy or ())
    from .policy import parse_policy

    try:
        return list(parse_policy(given))
    except (ValueError, TypeError) as exc:
        raise errors.ValidationError(
            f'setting "{cls._policy_setting}" is not a valid policy: {exc}',
            integration=cls.name) from None


def denied(integration: "Integration", event: Mapping[str, Any]) -> str | None:
    """Why the policy in force does not allow ``event``, or ``None`` when it does."""
    from .policy import evaluate

    decision = evaluate(policy_statements(integration), event)
    return None if decision.allowed else decision.reason


def send_validation(integration: "Integration",
                    event: Mapping[str, Any] | None = None) -> "requests.Response":
    """Render and send the ``validation`` template (:meth:`Integration.test_connection`).

    Args:
        integration: The integration instance.
        event: The audit-log event it is rendered with; by default the product's sample
            environment update.

    Raises:
        errors.NotSupported: The integration declares no ``validation`` template.
        errors.IntegrationError: The settings are invalid, or the endpoint failed.
    """
    if integration._templates is None or "validation" not in integration._templates:
        raise errors.NotSupported(f"{integration.name} has no validation template",
                                  integration=integration.name)
    if event is None:
        from .samples.audit_log import sample_event

        event = sample_event("environment/update")
    integration.validate(facade.create(dict(event)), integration.settings)
    return send_rendered(integration, render_request(integration, "validation", event))
