"""``IntegrationTester``: chainable assertions over an integration run without a network.

    (IntegrationTester(Webhooks, {"hooks": ["https://hooks.test/a"]})
        .track({"event": "Signed Up", "userId": "u1"})
        .sends("Content-Type", "application/json")
        .expects(200)
        .end())

The terminators (:meth:`~IntegrationTester.end`, :meth:`~IntegrationTester.error`) run the whole
pipeline inside a :class:`~framework.testing.sandbox.Sandbox`, then check every assertion, even
when the integration raised. Queued replies and request assertions are used by one run only;
settings stay with the tester. Settings are deep-copied in and for each run, so nothing leaks
between testers, runs, or back into the caller's dict.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from facade import Facade

from .. import errors
from ..integration import Integration
from . import checks
from .declarations import Declarations, as_message
from .maps import MapperAssertions
from .request_assertions import RequestAssertions
from .sandbox import Exchange, Reply, Sandbox

__all__ = ["IntegrationTester", "RunOutcome"]


class RunOutcome:
    """What one run produced.

    Attributes:
        responses: What ``process`` returned.
        error: The exception ``process`` raised, if any.
        exchanges: Every request made, with its reply.
        sleeps: The delays the retry policy asked for (the tester never waits).
    """

    def __init__(self) -> None:
        self.responses: list[Any] = []
        self.error: BaseException | None = None
        self.exchanges: list[Exchange] = []
        self.sleeps: list[float] = []


class IntegrationTester(Declarations, MapperAssertions, RequestAssertions):
    """Assertions over one integration.

    The declaration assertions come from :class:`~framework.testing.declarations.Declarations`,
    the mapper and fixture ones from :class:`~framework.testing.maps.MapperAssertions`, and the
    request and response ones (``sends``, ``query``, ``expects``...) from
    :class:`~framework.testing.request_assertions.RequestAssertions`.

    Args:
        integration: A built integration class, or an instance (reused across runs, so state
            such as a cool-down carries over; its settings are swapped for the tester's
            during each run and restored after).
        settings: The settings (deep-copied); ``None`` means the instance's, or ``{}``.
        fixtures: The folder of fixture files, or a list of folders; by default
            ``tests/fixtures/<slug>/`` of the nearest repository above the current directory,
            then the package's ``fixtures/``. Read only when a fixture is asked for.

    Attributes:
        integration_class: The class under test.
        settings: This tester's settings (change them with :meth:`set`).
        instance: The integration instance of the last run.
        last: The :class:`RunOutcome` of the last run.
    """

    def __init__(self, integration: type | Integration, settings: Mapping[str, Any] | None = None,
                 fixtures: str | Path | Sequence[str | Path] | None = None) -> None:
        if isinstance(integration, Integration):
            self.integration_class: type[Integration] = type(integration)
            self._instance: Integration | None = integration
            base = integration.settings
        elif isinstance(integration, type) and issubclass(integration, Integration):
            self.integration_class = integration
            self._instance = None
            base = {}
        else:
            raise TypeError(f"expected integration: a built integration class or instance, "
                            f"got {integration!r}")
        source = base if settings is None else settings
        if not isinstance(source, Mapping):
            raise TypeError(f"settings must be a dict, got {type(source).__name__}")
        self.settings: dict[str, Any] = copy.deepcopy(dict(source))
        if fixtures is None or isinstance(fixtures, (str, Path)):
            self._fixtures = None if fixtures is None else [Path(fixtures)]
        else:
            self._fixtures = [Path(folder) for folder in fixtures]
        self._mapper: Any = None
        self._message: Facade | None = None
        self._batch: list[Facade] | None = None
        self._outcomes: list[Any] | None = None
        self.instance: Integration | None = self._instance
        self.last: RunOutcome | None = None
        self._reset()

    def __repr__(self) -> str:
        return f"<IntegrationTester {self.integration_class.name!r}>"

    def _reset(self) -> None:
        self._replies: list[tuple[Reply, int | None]] = []
        self._index = 0
        self._count: int | None = None
        self._checks: list[tuple[int, Callable[[Exchange], str | None]]] = []
        self._queries: dict[tuple[int, bool], tuple[dict[str, Any], dict[str, Any]]] = {}

    # -- the message, settings and replies -------------------------------------------------

    def message(self, message: Facade | Mapping[str, Any]) -> "IntegrationTester":
        """Set the message of the next run (a dict without ``type`` is a track)."""
        self._message, self._batch = as_message(message), None
        return self

    def identify(self, message: Facade | Mapping[str, Any]) -> "IntegrationTester":
        """Set an identify message for the next run."""
        self._message, self._batch = as_message(message, "identify"), None
        return self

    def track(self, message: Facade | Mapping[str, Any]) -> "IntegrationTester":
        """Set a track message for the next run."""
        self._message, self._batch = as_message(message, "track"), None
        return self

    def page(self, message: Facade | Mapping[str, Any]) -> "IntegrationTester":
        """Set a page message for the next run."""
        self._message, self._batch = as_message(message, "page"), None
        return self

    def screen(self, message: Facade | Mapping[str, Any]) -> "IntegrationTester":
        """Set a screen message for the next run."""
        self._message, self._batch = as_message(message, "screen"), None
        return self

    def group(self, message: Facade | Mapping[str, Any]) -> "IntegrationTester":
        """Set a group message for the next run."""
        self._message, self._batch = as_message(message, "group"), None
        return self

    def alias(self, message: Facade | Mapping[str, Any]) -> "IntegrationTester":
        """Set an alias message for the next run."""
        self._message, self._batch = as_message(message, "alias"), None
        return self

    def delete(self, message: Facade | Mapping[str, Any]) -> "IntegrationTester":
        """Set a delete message for the next run."""
        self._message, self._batch = as_message(message, "delete"), None
        return self

    def batch(self, messages: Sequence[Facade | Mapping[str, Any]]) -> "IntegrationTester":
        """Deliver these messages together in the next run, as the runner does: through the
        integration's ``batch(items)`` when it declares ``.batch(...)`` for their methods,
        one by one otherwise (:meth:`Integration.process_batch`). A dict without ``type``
        is a track. The terminator :meth:`end` returns one outcome per message; check them
        with :meth:`outcomes` (without it, every message must be delivered)."""
        if isinstance(messages, (str, bytes, Mapping)) or not isinstance(messages, Sequence):
            raise TypeError("batch() takes a list of messages")
        if not messages:
            raise ValueError("batch() needs at least one message")
        self._batch = [as_message(m) for m in messages]
        self._message = None
        return self

    def outcomes(self, expected: Sequence[Any]) -> "IntegrationTester":
        """Assert the outcome of each message of :meth:`batch`, in order: ``"delivered"``, or
        the error it failed with as ``{"code", "status"?, "message"?}`` (a message is text
        the error's message contains)."""
        if isinstance(expected, (str, bytes, Mapping)) or not isinstance(expected, Sequence):
            raise TypeError('outcomes() takes a list: "delivered" or {"code": ...} per message')
        for index, item in enumerate(expected):
            problem = checks.outcome_spec_problem(item)
            if problem:
                raise ValueError(f"outcomes()[{index}]: {problem}")
        self._outcomes = list(expected)
        return self

    def set(self, key: str | Mapping[str, Any], value: Any = None) -> "IntegrationTester":
        """Change this tester's settings: ``set(key, value)`` or ``set({...})``."""
        items = key.items() if isinstance(key, Mapping) else [(key, value)]
        for name, val in items:
            self.settings[name] = copy.deepcopy(val)
        return self

    def replies(self, status: int = 200, body: Any = None, headers: Mapping[str, str] | None = None,
                times: int | None = 1,
                raises: BaseException | type[BaseException] | None = None
                ) -> "IntegrationTester":
        """Queue what the fake endpoint answers to the next ``times`` requests (every later
        one when ``None``); requests beyond the queue get 200 ``{}``.

        Args:
            status: The HTTP status.
            body: A dict or list (JSON), or ``str``/``bytes``; ``None`` is ``{}``.
            headers: Response headers.
            times: How many requests get this reply.
            raises: Raise this (e.g. ``requests.ConnectTimeout``) instead of answering.
        """
        if times is not None and (isinstance(times, bool) or not isinstance(times, int)
                                  or times < 1):
            raise ValueError(f"times must be a whole number >= 1 or None, got {times!r}")
        self._replies.append((Reply(status, body, dict(headers or {}), raises), times))
        return self

    # -- request and response assertions ---------------------------------------------------

    # -- terminators -----------------------------------------------------------------------

    def end(self) -> list[Any]:
        """Run the pipeline and check every assertion.

        Returns:
            The responses ``process`` returned; after :meth:`batch`, one outcome per message
            (its list of responses, or the error that stopped it).

        Raises:
            AssertionError: An assertion failed (every failure is listed).
            Exception: The integration raised and every assertion held; its error is
                re-raised.
        """
        outcome, failures = self._run()
        if failures:
            raise AssertionError(self._report(failures, outcome)) from outcome.error
        if outcome.error is not None:
            raise outcome.error
        return outcome.responses

    def error(self, status: int | str | None = None, message: str | re.Pattern[str] | None = None,
              code: str | None = None) -> errors.IntegrationError:
        """Run the pipeline, check every assertion and assert the run raised a framework error.

        Args:
            status: The error's expected ``status`` (a string here is taken as ``message``).
            message: Text the error message must contain, or a compiled regex it must match.
            code: The error's expected ``code`` (``HTTP_ERROR``, ``INVALID_SETTINGS``...).

        Returns:
            The error.
        """
        if isinstance(status, str) and message is None:
            status, message = None, status
        if self._batch is not None:
            raise AssertionError("error() checks one message; for a batch state each "
                                 "message's outcome with .outcomes([...]) and call .end()")
        outcome, failures = self._run()
        error = outcome.error
        if error is None:
            failures.append(f"expected the integration to raise but it returned "
                            f"{len(outcome.responses)} response(s)")
        elif not isinstance(error, errors.IntegrationError):
            failures.append(f"expected a framework error but the integration raised "
                            f"{type(error).__name__}: {error}")
        else:
            expected_status = status if isinstance(status, int) else None
            failures.extend(checks.error_mismatches(error, expected_status, message, code))
        if failures:
            raise AssertionError(self._report(failures, outcome)) from error
        return error  # type: ignore[return-value]

    def _run(self) -> tuple[RunOutcome, list[str]]:
        if self._message is None and self._batch is None:
            raise AssertionError("you must set a message first: .identify(), .track(), "
                                 ".page(), .screen(), .group(), .alias(), .delete() or "
                                 ".batch([...])")
        outcome = RunOutcome()
        sandbox = Sandbox()
        for reply, times in self._replies:
            sandbox.queue(reply, times)
        try:
            with sandbox:
                self._process(outcome)
        finally:
            outcome.exchanges = sandbox.exchanges
            self.last = outcome
        failures = self._evaluate(sandbox)
        if self._batch is not None and outcome.error is None:
            failures.extend(checks.outcome_mismatches(outcome.responses, self._outcomes))
        self._reset()
        self._outcomes = None
        return outcome, failures

    def _process(self, outcome: RunOutcome) -> None:
        settings = copy.deepcopy(self.settings)
        instance = self._instance
        sleep = outcome.sleeps.append
        try:
            if instance is None:
                self.instance = self.integration_class(settings, sleep=sleep)
                outcome.responses = self._deliver(self.instance)
                return
            saved = instance.settings, instance.policy.sleep
            instance.settings, instance.policy.sleep = settings, sleep
            try:
                outcome.responses = self._deliver(instance)
            finally:
                instance.settings, instance.policy.sleep = saved
        except Exception as exc:  # noqa: BLE001 - checked by the terminator
            outcome.error = exc

    def _deliver(self, instance: Integration) -> list[Any]:
        if self._batch is not None:
            return instance.process_batch(self._batch)
        return instance.process(self._message)  # type: ignore[arg-type]

    def _evaluate(self, sandbox: Sandbox) -> list[str]:
        exchanges = sandbox.exchanges
        failures: list[str] = []
        for request in sandbox.unmatched:
            failures.append(f"{request.method} {request.url}: the sandbox answers only "
                            "GET, HEAD, POST, PUT, PATCH, DELETE and OPTIONS")
        for target in sandbox.blocked:
            failures.append(f"a real network connection to {target} was attempted (refused)")
        made = len(exchanges)
        if self._count is not None and made != self._count:
            failures.append(f"expected {self._count} request(s) but {made} were made")
        needed = max((index for index, _ in self._checks), default=-1) + 1
        if needed > made:
            failures.append(f"assertions were made for {needed} request(s) but only {made} "
                            f"request(s) were made")
        for index, check in self._checks:
            if index < made:
                problem = check(exchanges[index])
                if problem:
                    failures.append(f"request {index} ({exchanges[index].describe()}): "
                                    f"{problem}")
        return failures

    def _report(self, failures: list[str], outcome: RunOutcome) -> str:
        msg = self._message
        what = msg.type() if msg else f"batch of {len(self._batch)}" if self._batch else ""
        lines = [f"{self.integration_class.name} {what}: "
                 f"{len(failures)} assertion(s) failed"]
        lines += [f"  - {failure}" for failure in failures]
        if outcome.exchanges:
            lines.append("  requests made:")
            lines += [f"    {i}. {e.describe()} -> "
                      f"{e.status if e.response is not None else type(e.error).__name__}"
                      for i, e in enumerate(outcome.exchanges)]
        else:
            lines.append("  no request was made")
        if outcome.error is not None:
            lines.append(f"  the integration raised {type(outcome.error).__name__}: "
                         f"{outcome.error}")
        return "\n".join(lines)
