"""Helpers of the runner tests: fake integrations, a fake clock, message factories."""

from __future__ import annotations

import threading
from typing import Any, Callable

from framework import errors, integration


def track(n: int, **extra: Any) -> dict[str, Any]:
    """A small track message with messageId ``m<n>``."""
    message = {"type": "track", "event": "Clicked", "userId": f"u{n}", "messageId": f"m{n}",
               "properties": {"n": n}}
    message.update(extra)
    return message


class FakeClock:
    """A clock that moves only when told (or when the runner sleeps)."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start
        self.lock = threading.Lock()
        self.slept: list[float] = []

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.slept.append(seconds)
            self.now += max(seconds, 0.0)


class Scripted(integration("Scripted").channels(["server", "mobile", "client"])):
    """Answers each message by ``properties.outcome`` (a list of per-attempt answers):
    ``ok``, ``skip``, ``reject``, ``invalid``, ``unsupported``, ``http400``, ``retry``,
    ``retry:SECONDS`` (with ``retry_after``), ``bug``. Records every call."""

    def initialize(self) -> None:
        self.calls: list[tuple[str, float]] = []
        self.attempts: dict[str, int] = {}
        self.lock = threading.Lock()
        self.clock: Callable[[], float] = self.policy.clock

    def track(self, msg: Any) -> Any:
        message_id = msg.proxy("messageId")
        with self.lock:
            attempt = self.attempts.get(message_id, 0)
            self.attempts[message_id] = attempt + 1
            self.calls.append((message_id, self.clock()))
        script = msg.properties().get("outcome") or ["ok"]
        answer = script[min(attempt, len(script) - 1)]
        return answer_for(answer, self.name)


def answer_for(answer: str, name: str) -> Any:
    """Return or raise what a scripted answer stands for."""
    if answer == "ok":
        return {"status": "delivered"}
    if answer == "skip":
        raise errors.Skipped("disabled for this integration", integration=name)
    if answer == "reject":
        raise errors.RejectedError('message "userId" is required', integration=name)
    if answer == "invalid":
        raise errors.ValidationError('setting "apiKey" is required', integration=name)
    if answer == "unsupported":
        raise errors.NotSupported("no method for this type", integration=name)
    if answer == "http400":
        raise errors.HTTPError("POST /x answered 400 Bad Request", status=400, integration=name)
    if answer.startswith("retry"):
        _, _, after = answer.partition(":")
        raise errors.RetryableError("try later", integration=name,
                                    retry_after=float(after) if after else None)
    if answer == "bug":
        raise KeyError("oops, secret-api-key-123 leaked")
    raise AssertionError(f"unknown scripted answer {answer!r}")


def scripted(n: int, *answers: str) -> dict[str, Any]:
    """A track message whose attempts answer ``answers`` in turn."""
    return track(n, properties={"n": n, "outcome": list(answers)})
