"""The root of the error tree, and the one error deliberately outside it.

:class:`IntegrationError` gives every framework error its ``code``, ``status``, ``retryable``,
``integration`` and ``retry_after``; :class:`ProgrammingError` marks a bug in an integration.
"""

from __future__ import annotations

from typing import Any

__all__ = ["IntegrationError", "ProgrammingError"]


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


class ProgrammingError(TypeError):
    """An integration was written wrongly (e.g. an ``ensure(fn)`` returned a non-error).

    Deliberately not an :class:`IntegrationError`: it is a bug to fix, never a delivery outcome.
    """
