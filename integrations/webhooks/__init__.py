"""Webhooks: POST every message's JSON to up to five URLs, optionally signed.

Settings (declared with ``.setting()``; the README's table is checked against them):
    hooks: Up to five http(s) URLs (more are ignored).
    globalHook: The legacy single URL, used when ``hooks`` is empty.
    headers: Extra headers sent with every request.
    sharedSecret: When set, ``X-Signature`` is the hex HMAC-SHA1 of the exact body bytes.

A message is delivered when any hook accepts it, and fails only when every hook fails; a hook
that keeps failing (network errors, 408/429/5xx) rests, probed every few seconds (see
:class:`integrations.webhooks.hooks.CoolDown`); 4xx answers dead-letter at once.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, Mapping

import facade
from framework import Integration, build, errors, integration

from . import mapper
from .hooks import MAX_HOOKS, CoolDown, hook_urls

__all__ = ["Webhooks"]


def has_a_hook(settings: Mapping[str, Any]) -> errors.Problem | None:
    """There must be a hook: in ``hooks``, else the legacy ``globalHook`` (each is typed by
    its ``.setting()``; this is the one rule across the two)."""
    if hook_urls(settings):
        return None
    return errors.Problem("settings", "/hooks", "required",
                          'setting "hooks" needs at least one URL (or the legacy "globalHook")')


@build(integration("Webhooks")
       .channels(["server", "mobile", "client"])
       .timeout("5s")
       .retries(1)
       .setting("hooks", type="array", name="Webhook URLs",
                description="Up to five http(s) URLs that receive every message (more "
                            "are ignored); a single URL string is accepted too.",
                placeholder="https://example.test/hook",
                schema={"type": ["array", "string"], "format": "uri",
                        "items": {"type": "string", "format": "uri"}})
       .setting("globalHook", type="uri", name="Webhook URL (legacy)",
                description='The single URL of older configurations, used when '
                            '"hooks" is empty.')
       .setting("headers", type="object", name="Headers",
                description="Extra headers sent with every request (names to string "
                            "values).",
                schema={"additionalProperties": {"type": "string"}})
       .setting("sharedSecret", secret=True, name="Shared secret",
                description="When set, X-Signature is the hex HMAC-SHA1 of the exact "
                            "body bytes, keyed with it.")
       .ensure_settings(has_a_hook)
       .mapper(mapper))
class Webhooks(Integration):
    """Sends each message's JSON to every configured hook."""

    def initialize(self) -> None:
        self.cool_down = CoolDown(clock=self.policy.clock)

    def deliver(self, payload: dict[str, Any]) -> list[Any]:
        """POST ``payload`` to every hook that is not cooling down."""
        body = facade.dumps(payload).encode("utf-8")
        headers = dict(self.settings.get("headers") or {})
        secret = self.settings.get("sharedSecret")
        if secret:
            headers["X-Signature"] = hmac.new(secret.encode("utf-8"), body,
                                              hashlib.sha1).hexdigest()
        hooks = [url.strip() for url in hook_urls(self.settings)[:MAX_HOOKS]]
        resting = {url: self.cool_down.acquire(url) for url in hooks}
        ready = [url for url in hooks if not resting[url]]
        if not ready:
            wait = min(resting.values())
            raise errors.CircuitOpenError(
                f"every hook is cooling down after {self.cool_down.limit} consecutive failures;"
                f" next probe in {wait:.1f}s", integration=self.name, retry_after=wait)
        responses, failures = [], []
        for url in ready:
            try:
                responses.append(self.post(url).type("json").set(headers).send(body).end())
            except errors.IntegrationError as error:
                if error.retryable:
                    self.cool_down.failed(url)
                else:  # the hook answered: it is up, whatever it thinks of the message
                    self.cool_down.succeeded(url)
                failures.append(error)
            else:
                self.cool_down.succeeded(url)
        if responses:
            return responses
        raise _all_failed(self.name, failures)

    identify = track = page = screen = group = alias = deliver

    def secrets(self) -> list[str]:
        """Secret settings, plus the password and token-like query values of each hook URL
        (``http://user:PASS@host/?token=...``), which no error, log or dead letter may show."""
        found = set(super().secrets())
        for url in hook_urls(self.settings):
            if isinstance(url, str):
                found.update(errors.url_secrets(url))
        return sorted(found, key=len, reverse=True)

    # A Segment delete message, not the HTTP DELETE helper it shadows (not used here).
    def delete(self, payload: dict[str, Any]) -> list[Any]:  # type: ignore[override]
        """Segment ``delete`` messages go to the hooks like every other type."""
        return self.deliver(payload)


def _all_failed(name: str, failures: list[errors.IntegrationError]) -> errors.IntegrationError:
    if len(failures) == 1:
        return failures[0]
    detail = "; ".join(f"{type(e).__name__}: {e}" for e in failures)
    retryable = [e for e in failures if e.retryable]
    if retryable:
        waits = [e.retry_after for e in retryable if e.retry_after is not None]
        error: errors.IntegrationError = errors.RetryableError(
            f"all {len(failures)} hooks failed: {detail}", integration=name,
            retry_after=min(waits) if waits else None)
    else:
        statuses = {e.status for e in failures}
        error = errors.HTTPError(f"all {len(failures)} hooks failed: {detail}",
                                 status=statuses.pop() if len(statuses) == 1 else None,
                                 integration=name)
    error.errors = failures  # type: ignore[attr-defined]
    return error
