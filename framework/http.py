"""The request builder integrations send with: ``self.post(path).set(...).send(body).end()``.

Every request goes through ``requests.adapters.HTTPAdapter.send`` of the integration's pooled
session (so ``responses`` and the tester intercept it), with the class timeout on connect and
read, no redirects, and the retry policy of :mod:`framework.retry`.

The class timeout is also each attempt's total deadline: connect, send and reading the whole
response must fit in it (:mod:`framework.deadline`; the connection layer hands its sockets to
the deadline, which shuts them down when time is up). A failure says why: connection refused,
DNS lookup failed, connect or read timeout, connection reset (:mod:`framework.netreasons`).
URLs in messages have their credentials masked and secret settings redacted; response body
excerpts are redacted before they are cut to :data:`BODY_EXCERPT` bytes.
"""

from __future__ import annotations

import base64
import time
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Mapping
from urllib.parse import urlencode

import requests
from requests.__version__ import __version__ as requests_version
from requests.hooks import default_hooks
from requests.structures import CaseInsensitiveDict

import facade

from . import __version__, errors
from .deadline import attempt_deadline
from .netreasons import failure_reason
from .retry import retryable_status
from .transport import case_insensitive

if TYPE_CHECKING:  # pragma: no cover
    from .integration import Integration

__all__ = ["Request", "join_url", "USER_AGENT", "BODY_EXCERPT"]

USER_AGENT = f"cdp-framework/{__version__} (+python-requests/{requests_version})"
BODY_EXCERPT = 512
_TYPES = {"json": "application/json", "form": "application/x-www-form-urlencoded"}


def join_url(endpoint: str | None, path: str) -> str:
    """``path`` as is when absolute, else joined to ``endpoint`` with exactly one slash."""
    if path.startswith(("http://", "https://")):
        return path
    if not endpoint:
        raise ValueError(f"relative path {path!r} needs an endpoint; declare .endpoint(url)")
    if not path:
        return endpoint
    return endpoint.rstrip("/") + "/" + path.lstrip("/")


def prepared_url(url: str, params: tuple[tuple[str, Any], ...]) -> str:
    """``url`` with ``params`` encoded into its query, normalised as ``requests`` does."""
    try:
        return _cached_url(url, params)
    except TypeError:  # unhashable parameter values
        return _normalise_url(url, params)


def _normalise_url(url: str, params: tuple[tuple[str, Any], ...]) -> str:
    request = requests.PreparedRequest()
    request.prepare_url(url, list(params) or None)
    assert request.url is not None  # prepare_url always sets it
    return request.url


_cached_url = lru_cache(maxsize=1024)(_normalise_url)


class Request:
    """One request being built; finish it with :meth:`end`.

    Args:
        integration: The integration instance sending it.
        method: The HTTP method.
        path: A path joined to the endpoint, or an absolute URL.
    """

    def __init__(self, integration: "Integration", method: str, path: str = "") -> None:
        self.integration = integration
        self.method = method
        self.url = join_url(integration._endpoint, path)
        self.headers: dict[str, str] = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
        self.params: dict[str, Any] = {}
        self.body: Any = None
        self.content_type: str | None = None

    def set(self, name: str | Mapping[str, Any], value: Any = None) -> "Request":
        """Set one header, or several from a dict."""
        items = name.items() if isinstance(name, Mapping) else [(name, value)]
        for key, val in items:
            self.headers[str(key)] = str(val)
        return self

    def auth(self, user: str, password: str = "") -> "Request":
        """Use HTTP Basic authentication."""
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        self.headers["Authorization"] = f"Basic {token}"
        return self

    def type(self, kind: str) -> "Request":
        """Set the body type: ``'json'``, ``'form'`` or a full media type."""
        self.content_type = _TYPES.get(kind, kind)
        return self

    def query(self, params: Mapping[str, Any]) -> "Request":
        """Add query string parameters."""
        self.params.update(params)
        return self

    def send(self, body: Any) -> "Request":
        """Set the body: dicts and lists are encoded (JSON by default), str and bytes are sent
        as given."""
        self.body = body
        return self

    def encode(self) -> bytes | None:
        """The exact body bytes that will be sent."""
        body = self.body
        if body is None:
            return None
        if isinstance(body, bytes):
            return body
        if isinstance(body, str):
            return body.encode("utf-8")
        if self.content_type == _TYPES["form"]:
            return urlencode(body, doseq=True).encode("ascii")
        if self.content_type is None:
            self.content_type = _TYPES["json"]
        return facade.dumpb(body)

    def prepare(self) -> requests.PreparedRequest:
        """The ``requests.PreparedRequest`` this builder describes.

        Built field by field rather than with ``PreparedRequest.prepare()``, whose URL
        normalisation, cookie and hook handling cost more than the rest of a loopback request;
        URLs are normalised by ``requests`` once per distinct URL and query.
        """
        data = self.encode()
        headers: CaseInsensitiveDict[str | bytes] = case_insensitive(self.headers)
        if self.content_type and "Content-Type" not in headers:
            headers["Content-Type"] = self.content_type
        if data is not None:
            headers["Content-Length"] = str(len(data))
        elif self.method not in ("GET", "HEAD") and "Content-Length" not in headers:
            headers["Content-Length"] = "0"
        prepared = requests.PreparedRequest()
        prepared.method = self.method
        prepared.url = prepared_url(self.url, tuple(self.params.items()))
        prepared.headers = headers
        prepared.body = data
        prepared.hooks = default_hooks()
        return prepared

    def end(self) -> requests.Response:
        """Send the request, retrying per the integration's policy.

        Returns:
            The response (status below 400).

        Raises:
            errors.HTTPError: The final attempt answered with status 400 or more.
            errors.TimeoutError: The final attempt timed out.
            errors.ConnectionError: The final attempt could not connect.
        """
        integration = self.integration
        policy = integration.policy
        prepared = self.prepare()
        attempts = policy.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._attempt(prepared, attempt, attempts)
            except errors.IntegrationError as error:
                retry = attempt < attempts and policy.is_retryable(error)
                if not retry:
                    error.retryable = policy.is_retryable(error)
                    raise
                delay = policy.delay(attempt, error)
                policy.count_retry()
                integration.logger.info("%s %s: %s; retry %d/%d in %.2fs", self.method,
                                        self._safe_url(), error, attempt, policy.retries, delay)
                policy.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, prepared: requests.PreparedRequest, attempt: int,
                 attempts: int) -> requests.Response:
        integration = self.integration
        adapter = integration.session.get_adapter(prepared.url or "")
        timeout = integration._timeout
        if integration.on_request is not None:
            integration.on_request(prepared)
        started = time.perf_counter()
        with attempt_deadline(timeout) as deadline:
            try:
                response = adapter.send(prepared, timeout=(timeout, timeout))
                # Reading the body releases the connection to the pool for the next request.
                response.content  # noqa: B018
            except requests.RequestException as exc:
                self._report(exc, attempt, attempts, started)
                if deadline is not None and deadline.expired:
                    raise errors.TimeoutError(
                        f"{self.method} {self._safe_url()} timed out: the attempt passed its "
                        f"{timeout:g}s deadline (connect, send and the whole response)",
                        integration=integration.name) from None
                if isinstance(exc, requests.Timeout):
                    raise errors.TimeoutError(
                        f"{self.method} {self._safe_url()} timed out after {timeout:g}s "
                        f"({failure_reason(exc)})", integration=integration.name) from None
                raise errors.ConnectionError(
                    f"{self.method} {self._safe_url()} failed: {failure_reason(exc)}",
                    integration=integration.name) from None
        self._report(response, attempt, attempts, started)
        if response.status_code >= 400:
            raise self._http_error(response)
        return response

    def _http_error(self, response: requests.Response) -> errors.HTTPError:
        status = response.status_code
        limit = self.integration._error_body
        limit = BODY_EXCERPT if limit is None else limit
        excerpt = ""
        if limit:
            # Redact first, then cut: a secret straddling the cut must not leave half of itself.
            secrets = self.integration.secrets()
            room = limit + max((len(secret.encode("utf-8")) for secret in secrets), default=0)
            text = self._redact(response.content[:room].decode("utf-8", "replace"))
            excerpt = text.encode("utf-8")[:limit].decode("utf-8", "ignore")
        retryable = retryable_status(status)
        retry_after = self.integration.policy.headers_delay(response.headers) if retryable \
            else None
        reason = f": {excerpt}" if excerpt else ""
        return errors.HTTPError(
            f"{self.method} {self._safe_url()} answered {status}{reason}", body=excerpt,
            response=response, status=status, retryable=retryable,
            integration=self.integration.name, retry_after=retry_after)

    def _report(self, outcome: Any, attempt: int, attempts: int, started: float) -> None:
        integration = self.integration
        logger = integration.logger
        if logger.isEnabledFor(10):
            status = getattr(outcome, "status_code", type(outcome).__name__)
            logger.debug("%s %s -> %s in %.1f ms (attempt %d/%d)", self.method,
                         self._safe_url(), status, (time.perf_counter() - started) * 1000,
                         attempt, attempts)
        if integration.on_response is not None:
            integration.on_response(outcome)

    def _safe_url(self) -> str:
        return self._redact(errors.redact_url(self.url))

    def _redact(self, text: str) -> str:
        return errors.redact(text, self.integration.secrets())
