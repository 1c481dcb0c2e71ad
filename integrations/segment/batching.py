"""Filling Tracking API ``/v1/batch`` requests within Segment's documented limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

__all__ = ["MAX_MESSAGE_BYTES", "MAX_BATCH_BYTES", "MAX_BATCH_MESSAGES", "Batch", "pack"]

#: 32 KB per message (Segment's own libraries read it as 32 << 10 bytes).
MAX_MESSAGE_BYTES = 32 * 1024
#: 500 KB per batch request, read as 500,000 bytes so it holds whichever way KB is meant.
MAX_BATCH_BYTES = 500_000
#: Messages per batch request; above this Segment answers 200 and drops them.
MAX_BATCH_MESSAGES = 2500

_HEAD = '{"batch":['
_TAIL = "]}"


@dataclass
class Batch:
    """One ``/v1/batch`` request: encoded messages and the items they came from."""

    messages: list[str] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)
    size: int = len(_HEAD) + len(_TAIL)

    def fits(self, nbytes: int, max_messages: int, max_bytes: int) -> bool:
        """Whether one more message of ``nbytes`` bytes fits."""
        extra = nbytes + (1 if self.messages else 0)
        return len(self.messages) < max_messages and self.size + extra <= max_bytes

    def add(self, owner: int, encoded: str, nbytes: int) -> None:
        """Add item ``owner``'s message."""
        self.size += nbytes + (1 if self.messages else 0)
        self.messages.append(encoded)
        self.owners.append(owner)

    def body(self) -> bytes:
        """``{"batch": [...]}`` as bytes."""
        return (_HEAD + ",".join(self.messages) + _TAIL).encode("utf-8")


def pack(encoded: Iterable[tuple[int, str]], max_messages: int = MAX_BATCH_MESSAGES,
         max_bytes: int = MAX_BATCH_BYTES) -> list[Batch]:
    """Fill batches in order with ``(owner, message JSON)`` pairs."""
    batches: list[Batch] = []
    current = Batch()
    for owner, text in encoded:
        nbytes = len(text.encode("utf-8"))
        if current.messages and not current.fits(nbytes, max_messages, max_bytes):
            batches.append(current)
            current = Batch()
        current.add(owner, text, nbytes)
    if current.messages:
        batches.append(current)
    return batches
