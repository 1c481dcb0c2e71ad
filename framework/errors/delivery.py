"""Why a message was not delivered (or not accepted), and whether a retry can help.

The message itself is refused (:class:`RejectedError` and its subclasses, inbound requests
included), the integration has no method for it (:class:`NotSupported`), or the way to the
destination failed for now (HTTP errors, timeouts, connections, an open circuit, a failing
queue or server: ``retryable`` says so).
"""

from __future__ import annotations

from typing import Any

from .base import IntegrationError

__all__ = ["RejectedError", "Skipped", "SyncedSegmentError", "SegmentConflictError",
           "BadRequestError", "UnavailableError", "NotSupported", "HTTPError", "RetryableError",
           "CircuitOpenError", "TimeoutError", "ConnectionError", "QueueError"]


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


class QueueError(IntegrationError):
    """The queue itself failed: unreachable, full, or refused a write (``QUEUE_ERROR``).

    Nothing about the message is wrong: what the queue had accepted is still there, and the
    work can go on once the queue is back (retryable).
    """

    default_code = "QUEUE_ERROR"
    default_retryable = True
