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

# The tree is drawn above and defined in one module per concern: base (the root), problems
# (what people wrote), delivery (what happened to a message), audience (feed instance
# contexts) and redaction (secrets kept out of messages). Everything is imported from here.
from .audience import (AudienceFeedInstanceContextError, FileDownloadError,
                       InvalidPropertyValueError, MandatoryPropertyValueError,
                       MissingConfigurationPropertyError, MissingRealmError)
from .base import IntegrationError, ProgrammingError
from .delivery import (BadRequestError, CircuitOpenError, ConnectionError, HTTPError,
                       NotSupported, QueueError, RejectedError, RetryableError,
                       SegmentConflictError, Skipped, SyncedSegmentError, TimeoutError,
                       UnavailableError)
from .problems import (ConfigError, ManifestError, Problem, TemplateError, ValidationError,
                       json_pointer)
from .redaction import is_secret_key, mask, redact, redact_url, secret_values, url_secrets

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

# As httpx does, every public class reports the module users import it from, so reprs,
# tracebacks and pickles name ``framework.errors.HTTPError``, as before the split.
for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type):
        _value.__module__ = __name__
del _name, _value
