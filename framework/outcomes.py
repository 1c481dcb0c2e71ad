"""What delivering gives back: the responses of one call, one outcome per message of many.

``process(message)`` returns the responses its method produced as a list (:func:`as_list`);
``process_batch(messages)`` returns one :data:`Outcome` per message, in order, with messages
routed to a declared ``batch(items)`` delivered in groups of the declared size
(:func:`process_batch`). One bad message never fails its neighbours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import requests

from facade import Facade

from . import errors

if TYPE_CHECKING:
    from .integration import Integration

__all__ = ["Outcome", "as_list", "process_batch"]

#: What ``process_batch`` gives back per message: the responses, or the error.
Outcome = Any


def as_list(result: Any) -> list[Any]:
    """The responses a method returned, as a list: ``None`` is none, one response is one,
    and any other iterable (not a string, bytes, dict or response) is its items."""
    if result is None:
        return []
    if isinstance(result, list):
        return result
    if isinstance(result, (requests.Response, str, bytes, dict)):
        return [result]
    if isinstance(result, (tuple, Iterable)):
        return list(result)
    return [result]


def process_batch(integration: Integration,
                  messages: Sequence[Facade | Mapping[str, Any]]) -> list[Outcome]:
    """Deliver ``messages`` through ``integration``, through its ``batch(items)`` where
    the class defines it.

    Returns:
        One outcome per message, in order: the list of responses when it was delivered,
        or the :class:`errors.IntegrationError` that stopped it.
    """
    outcomes: list[Outcome] = [None] * len(messages)
    batched: list[tuple[int, Any]] = []
    policy = integration._batch
    for index, message in enumerate(messages):
        try:
            method, msg = integration.prepare(message)
            if integration.delivers_in_batch(method):
                batched.append((index, integration.payload_for(method, msg)))
            else:
                outcomes[index] = integration.call(method, msg)
        except errors.IntegrationError as exc:
            outcomes[index] = exc
    if batched and policy is not None:
        size = policy.size
        for start in range(0, len(batched), size):
            chunk = batched[start:start + size]
            for (index, _), outcome in zip(chunk, _run_batch(integration,
                                                             [p for _, p in chunk])):
                outcomes[index] = outcome
    return outcomes


def _run_batch(integration: Integration, items: list[Any]) -> list[Outcome]:
    try:
        # the subclass's batch(self, items) replaces Builder.batch (the declaration)
        returned: Any = getattr(integration, "batch")(items)
    except errors.IntegrationError as exc:
        return [exc] * len(items)
    results = list(returned) if returned is not None else []
    if len(results) != len(items):
        raise errors.ProgrammingError(
            f"{integration.name}.batch() returned {len(results)} outcomes for "
            f"{len(items)} items")
    return [r if isinstance(r, errors.IntegrationError) else as_list(r) for r in results]
