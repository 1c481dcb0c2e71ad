"""The one exception tree of the framework.

Every failure that keeps a message from being delivered is one of these, so a runner can count
outcomes by class and decide what to do with the message from ``retryable`` alone::

    IntegrationError(message, code, status, retryable, integration)
    ├── ValidationError      INVALID_SETTINGS   the settings are wrong; retrying cannot help
    │                                           (``problems`` lists every one found)
    ├── ConfigError          INVALID_CONFIG     a server config, manifest or declaration is
    │   │                                       wrong (``problems``); never retryable
    │   └── ManifestError    INVALID_MANIFEST   a manifest.json (or its templates) is wrong
    ├── TemplateError        TEMPLATE_ERROR     a template failed to render (strict miss,
    │                                           syntax); names the template and line
    ├── RejectedError        MESSAGE_REJECTED   the message cannot be delivered as it is
    │   ├── Skipped          MESSAGE_SKIPPED    not for this integration (disabled, channel)
    │   ├── SyncedSegmentError INVALID_SYNCED_SEGMENT  a synced-segment body does not fit the
    │   │                                       manifest's requestParser (400, LaunchDarkly's
    │   │                                       text; ``pointer`` names the path)
    │   ├── SegmentConflictError SEGMENT_CONFLICT  the cohort exists in that environment with
    │   │                                       another context kind (409)
    │   └── BadRequestError  BAD_REQUEST        the server refuses an inbound request (size
    │                                           ``limit``, batch ``index``); status 4xx
    ├── UnavailableError     SERVICE_UNAVAILABLE the server cannot commit now (queue full or
    │                                           failing): 503 with ``retry_after``; retryable
    ├── NotSupported         NOT_SUPPORTED      the integration has no method for this type
    ├── HTTPError            HTTP_ERROR         the endpoint answered with an error status;
    │                                           ``retryable`` follows the retry policy
    ├── RetryableError       RETRYABLE          the integration asks for a later retry,
    │   │                                       optionally no sooner than ``retry_after`` seconds
    │   └── CircuitOpenError CIRCUIT_OPEN       nothing was sent: the destination rests after
    │                                           repeated failures until ``retry_after``
    ├── TimeoutError         TIMEOUT            the request timed out (retryable)
    ├── ConnectionError      CONNECTION_ERROR   the endpoint could not be reached (retryable)
    ├── QueueError           QUEUE_ERROR        the queue failed (unreachable, full); what it
    │                                           had accepted is kept (retryable)
    └── AudienceFeedInstanceContextError        an audience feed's instance context cannot
        │                    INSTANCE_CONTEXT   be built; ``visibility`` says whether the
        │                                       platform may show the message to its users
        ├── MissingConfigurationPropertyError   a feed property is absent
        ├── MandatoryPropertyValueError         a feed property has no value
        ├── InvalidPropertyValueError           a feed property's value is not allowed
        ├── FileDownloadError                   a file a property names cannot be read
        └── MissingRealmError                   no user agent identifier realm matches

Every error carries ``code``, ``status`` (an HTTP status or ``None``), ``retryable``,
``integration`` (the integration's name) and ``retry_after`` (seconds or ``None``). Messages never
contain the value of a secret setting: integrations build them from field names, and
:func:`redact` scrubs any secret that slipped into text taken from elsewhere (a response body).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

__all__ = [
    "IntegrationError",
    "ValidationError",
    "RejectedError",
    "Skipped",
    "SyncedSegmentError",
    "SegmentConflictError",
    "BadRequestError",
    "UnavailableError",
    "NotSupported",
    "HTTPError",
    "RetryableError",
    "CircuitOpenError",
    "TimeoutError",
    "ConnectionError",
    "ProgrammingError",
    "Problem",
    "ConfigError",
    "ManifestError",
    "TemplateError",
    "AudienceFeedInstanceContextError",
    "MissingConfigurationPropertyError",
    "MandatoryPropertyValueError",
    "InvalidPropertyValueError",
    "FileDownloadError",
    "MissingRealmError",
    "json_pointer",
    "QueueError",
    "is_secret_key",
    "secret_values",
    "mask",
    "redact",
    "redact_url",
    "url_secrets",
]

_SECRET_KEY = re.compile(r"(key|token|secret|password|passwd|auth|credential)", re.IGNORECASE)


def is_secret_key(name: str) -> bool:
    """Whether a setting named ``name`` holds a secret (``apiKey``, ``token``, ``sharedSecret``)."""
    return bool(_SECRET_KEY.search(str(name)))


def secret_values(settings: Any, declared: Iterable[Sequence[str]] = ()) -> list[str]:
    """The values of secret settings at any depth of ``settings``, longest first.

    A value is secret when its key looks secret (``apiKey``, ``headers.Authorization``...) or
    its key path is in ``declared`` (the integration's ``secret=True`` settings, as tuples
    such as ``("auth", "key")``); everything under a secret key is secret. Values shorter than
    4 characters are left alone, as hiding them would mangle ordinary text.
    """
    found: set[str] = set()
    _collect_secrets(settings, found, False, (), _paths(declared))
    return sorted(found, key=len, reverse=True)


def _paths(declared: Iterable[Sequence[str]]) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(path) for path in declared)


def _collect_secrets(value: Any, found: set[str], secret: bool, path: tuple[str, ...],
                     declared: frozenset[tuple[str, ...]]) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            inner = (*path, str(key))
            _collect_secrets(item, found, secret or is_secret_key(key) or inner in declared,
                             inner, declared)
    elif isinstance(value, list):
        for item in value:
            _collect_secrets(item, found, secret, path, declared)
    elif secret and isinstance(value, (str, int)) and not isinstance(value, bool) \
            and len(str(value)) >= 4:
        found.add(str(value))


def mask(settings: Any, declared: Iterable[Sequence[str]] = ()) -> Any:
    """A copy of ``settings`` with the value of every secret setting replaced by
    ``[REDACTED]``, at any depth: secret-looking keys (objects under them are masked key by
    key) and the key paths in ``declared`` (masked whole)."""
    return _mask(settings, (), _paths(declared))


def _mask(value: Any, path: tuple[str, ...], declared: frozenset[tuple[str, ...]]) -> Any:
    if isinstance(value, Mapping):
        masked = {}
        for key, item in value.items():
            inner = (*path, str(key))
            if inner in declared and item is not None:
                masked[key] = "[REDACTED]"
            elif is_secret_key(key) and not isinstance(item, Mapping):
                masked[key] = "[REDACTED]"
            else:
                masked[key] = _mask(item, inner, declared)
        return masked
    if isinstance(value, list):
        return [_mask(v, path, declared) for v in value]
    return value


def redact(text: str, secrets: Iterable[str]) -> str:
    """Return ``text`` with every secret value replaced by ``[REDACTED]``."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, "[REDACTED]")
    return text


_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#@\s:]*):[^/?#@\s]*@")
_URL_QUERY_SECRET = re.compile(
    r"(?P<head>[?&;](?P<name>[^=&;#\s]*(?:key|token|secret|password|passwd|pass|auth|"
    r"credential|signature|sig|session|code)[^=&;#\s]*)=)(?P<value>[^&;#\s]+)",
    re.IGNORECASE)


def redact_url(text: str) -> str:
    """``text`` with every URL's password (``user:PASS@``) and secret-looking query values
    (``?token=...``, ``api_key=...``) replaced by ``[REDACTED]``; works on a bare URL or on a
    message that contains URLs."""
    text = _URL_PASSWORD.sub(r"\g<head>:[REDACTED]@", text)
    return _URL_QUERY_SECRET.sub(r"\g<head>[REDACTED]", text)


def url_secrets(url: str) -> list[str]:
    """The password and secret-looking query values of ``url`` (4 characters or more), to add
    to an integration's :meth:`secrets` when a setting is a URL that may carry credentials."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return []
    found = [password, unquote(password)] if password else []
    for name, value in parse_qsl(parts.query, keep_blank_values=False):
        if _URL_QUERY_SECRET.search(f"?{name}=x"):
            found.append(value)
    for match in _URL_QUERY_SECRET.finditer(url):
        found.append(match.group("value"))
    return sorted({v for v in found if v and len(v) >= 4}, key=len, reverse=True)


class IntegrationError(Exception):
    """Root of every framework error.

    Args:
        message: What went wrong, naming the field and the rule where there is one.
        code: A stable machine-readable code; defaults to the class's ``default_code``.
        status: The HTTP status involved, if any.
        retryable: Whether trying the same message again later could succeed; defaults to the
            class's ``default_retryable``.
        integration: The name of the integration that raised it.
        retry_after: The least number of seconds to wait before a retry, if known.
    """

    default_code = "INTEGRATION_ERROR"
    default_retryable = False

    def __init__(self, message: str = "", code: str | None = None, status: int | None = None,
                 retryable: bool | None = None, integration: str | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.status = status
        self.retryable = self.default_retryable if retryable is None else bool(retryable)
        self.integration = integration
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.message!r}, code={self.code!r}, "
                f"status={self.status!r}, retryable={self.retryable!r})")

    def to_dict(self) -> dict[str, Any]:
        """The error as data: class, code, status, retryable, integration, message."""
        return {
            "class": type(self).__name__,
            "code": self.code,
            "status": self.status,
            "retryable": self.retryable,
            "integration": self.integration,
            "message": self.message,
        }


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


class RejectedError(IntegrationError):
    """The message cannot be delivered as it is (``MESSAGE_REJECTED``)."""

    default_code = "MESSAGE_REJECTED"

    def __init__(self, message: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("status", 400)
        super().__init__(message, **kwargs)


class Skipped(RejectedError):
    """The message is not for this integration: disabled in ``integrations`` or another channel."""

    default_code = "MESSAGE_SKIPPED"


class SyncedSegmentError(RejectedError):
    """A synced-segment request body does not fit the manifest's ``requestParser``
    (``INVALID_SYNCED_SEGMENT``, status 400).

    The message is LaunchDarkly's own text (``could not find path /batch in request payload``,
    ``parsed value for member array is not an array``), as its clients may match on it.

    Attributes:
        pointer: The RFC 6901 pointer that found nothing, when that is the problem.
    """

    default_code = "INVALID_SYNCED_SEGMENT"

    def __init__(self, message: str = "", pointer: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.pointer = pointer


class SegmentConflictError(RejectedError):
    """A synced segment exists in that environment with another context kind
    (``SEGMENT_CONFLICT``, status 409)."""

    default_code = "SEGMENT_CONFLICT"

    def __init__(self, message: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("status", 409)
        super().__init__(message, **kwargs)


class BadRequestError(RejectedError):
    """An inbound request the server refuses (``BAD_REQUEST`` unless a more precise code is
    given, status 400 unless given): too large, not JSON, a bad message.

    Attributes:
        limit: The size limit in bytes that was exceeded, when that is the problem.
        index: The position of the offending message in a batch, when there is one.
    """

    default_code = "BAD_REQUEST"

    def __init__(self, message: str = "", limit: int | None = None, index: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.limit = limit
        self.index = index

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        for key in ("limit", "index"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


class UnavailableError(IntegrationError):
    """The server cannot commit what it was sent right now (``SERVICE_UNAVAILABLE``,
    retryable): its queue is past the configured depth (code ``QUEUE_FULL``) or failing
    (``QUEUE_UNAVAILABLE``). Answered 503 with ``Retry-After: retry_after``."""

    default_code = "SERVICE_UNAVAILABLE"
    default_retryable = True

    def __init__(self, message: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("status", 503)
        super().__init__(message, **kwargs)


class NotSupported(IntegrationError):
    """The integration does not implement this message type (``NOT_SUPPORTED``)."""

    default_code = "NOT_SUPPORTED"


class HTTPError(IntegrationError):
    """The endpoint answered with an error status.

    Attributes:
        body: A bounded excerpt of the response body (secrets redacted).
        response: The ``requests.Response``, when there was one.
    """

    default_code = "HTTP_ERROR"

    def __init__(self, message: str = "", body: str = "", response: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.body = body
        self.response = response

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        if self.body:
            data["body"] = self.body
        return data


class RetryableError(IntegrationError):
    """An integration's way to ask for a later retry (``RETRYABLE``)."""

    default_code = "RETRYABLE"
    default_retryable = True


class CircuitOpenError(RetryableError):
    """Nothing was sent: every endpoint rests after repeated failures (``CIRCUIT_OPEN``).

    A runner retries the message after ``retry_after`` seconds without counting an attempt
    (none was made), and holds back other messages for that long.
    """

    default_code = "CIRCUIT_OPEN"


class TimeoutError(IntegrationError):  # noqa: A001 - the name is part of the public tree
    """The request timed out (``TIMEOUT``, retryable)."""

    default_code = "TIMEOUT"
    default_retryable = True


class ConnectionError(IntegrationError):  # noqa: A001
    """The endpoint could not be reached (``CONNECTION_ERROR``, retryable)."""

    default_code = "CONNECTION_ERROR"
    default_retryable = True


class AudienceFeedInstanceContextError(IntegrationError):
    """An audience feed's instance context cannot be built (``INSTANCE_CONTEXT``).

    Raised from a feed's ``instance_context_builder`` or its handlers; the creation route
    answers it with the error's ``visibility`` (mediarithmics'
    ``AudienceFeedInstanceContextError``).

    Attributes:
        visibility: ``"PUBLIC"`` when the message may be shown to the platform's users (the
            default for these errors), ``"PRIVATE"`` otherwise.
        log: The line for the feed's own log (more detail than the user-facing message).
    """

    default_code = "INSTANCE_CONTEXT"

    def __init__(self, message: str = "", *, log: str | None = None,
                 visibility: str = "PUBLIC", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.visibility = "PUBLIC" if visibility == "PUBLIC" else "PRIVATE"
        self.log = log if log is not None else message


class MissingConfigurationPropertyError(AudienceFeedInstanceContextError):
    """The feed has no property ``property_name``."""

    def __init__(self, feed_id: str, property_name: str, **kwargs: Any) -> None:
        self.feed_id = str(feed_id)
        self.property_name = property_name
        super().__init__(f"the feed property {property_name!r} is missing; set it in the "
                         "feed's configuration",
                         log=f"feed {feed_id}: missing configuration property {property_name}",
                         **kwargs)


class MandatoryPropertyValueError(AudienceFeedInstanceContextError):
    """The feed's property ``property_name`` exists but has no value."""

    def __init__(self, feed_id: str, property_name: str, **kwargs: Any) -> None:
        self.feed_id = str(feed_id)
        self.property_name = property_name
        super().__init__(f"the feed property {property_name!r} needs a value",
                         log=f"feed {feed_id}: property {property_name} has no value", **kwargs)


class InvalidPropertyValueError(AudienceFeedInstanceContextError):
    """The feed's property ``property_name`` has a value outside ``allowed``."""

    def __init__(self, feed_id: str, property_name: str, property_value: Any,
                 allowed: Sequence[Any] = (), **kwargs: Any) -> None:
        self.feed_id = str(feed_id)
        self.property_name = property_name
        self.property_value = property_value
        self.allowed = tuple(allowed)
        expected = f", expected one of {', '.join(map(str, self.allowed))}" if allowed else ""
        super().__init__(f"the feed property {property_name!r} has the invalid value "
                         f"{property_value!r}{expected}",
                         log=f"feed {feed_id}: property {property_name}={property_value!r} is "
                             f"invalid{expected}", **kwargs)


class FileDownloadError(AudienceFeedInstanceContextError):
    """A file named by one of the feed's properties cannot be downloaded."""

    def __init__(self, feed_id: str, file_name: str, **kwargs: Any) -> None:
        self.feed_id = str(feed_id)
        self.file_name = file_name
        super().__init__(f"the file {file_name!r} cannot be downloaded",
                         log=f"feed {feed_id}: download of {file_name} failed", **kwargs)


class MissingRealmError(AudienceFeedInstanceContextError):
    """The datamart has no user agent identifier realm matching ``realm_filter``."""

    def __init__(self, datamart_id: str, realm_filter: str, **kwargs: Any) -> None:
        self.datamart_id = str(datamart_id)
        self.realm_filter = realm_filter
        super().__init__(f"the datamart {datamart_id} has no user agent identifier realm "
                         f"matching {realm_filter!r}",
                         log=f"datamart {datamart_id}: no realm matches {realm_filter!r}",
                         **kwargs)


class QueueError(IntegrationError):
    """The queue itself failed: unreachable, full, or refused a write (``QUEUE_ERROR``).

    Nothing about the message is wrong: what the queue had accepted is still there, and the
    work can go on once the queue is back (retryable).
    """

    default_code = "QUEUE_ERROR"
    default_retryable = True


class ProgrammingError(TypeError):
    """An integration was written wrongly (e.g. an ``ensure(fn)`` returned a non-error).

    Deliberately not an :class:`IntegrationError`: it is a bug to fix, never a delivery outcome.
    """
