"""Packing event records into Events API bulk requests.

Split's own sync tool posts at most 1,000 events or 5 MB per request; the records of one
message stay in one request whenever they fit, so a failed request fails whole messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import facade

__all__ = ["MAX_RECORDS", "MAX_BYTES", "Chunk", "pack"]

MAX_RECORDS = 1000
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class Chunk:
    """One bulk request: its encoded records and the items they came from.

    Attributes:
        records: Each record as compact JSON.
        owners: The indexes of the items whose records are in this request.
        size: The byte length of :meth:`body`.
    """

    records: list[str] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)
    size: int = 2

    def fits(self, encoded: list[str], max_records: int, max_bytes: int) -> bool:
        """Whether ``encoded`` records can join this request."""
        return (len(self.records) + len(encoded) <= max_records
                and self.size + _size(encoded, bool(self.records)) <= max_bytes)

    def add(self, owner: int, encoded: list[str]) -> None:
        """Add records of item ``owner``."""
        self.size += _size(encoded, bool(self.records))
        self.records.extend(encoded)
        if not self.owners or self.owners[-1] != owner:
            self.owners.append(owner)

    def body(self) -> bytes:
        """The request body: a JSON array of the records."""
        return ("[" + ",".join(self.records) + "]").encode("utf-8")


def _size(encoded: list[str], after_others: bool) -> int:
    """Bytes ``encoded`` adds to an array: the records and their commas."""
    if not encoded:
        return 0
    commas = len(encoded) - 1 + (1 if after_others else 0)
    return sum(len(text.encode("utf-8")) for text in encoded) + commas


def pack(items: Sequence[Sequence[Any]], max_records: int = MAX_RECORDS,
         max_bytes: int = MAX_BYTES) -> list[Chunk]:
    """The bulk requests for the records of ``items``, in order.

    An item's records go in the current request when they all fit, else in a new one; an item
    that alone exceeds a limit is split over as many requests as it needs (a record larger than
    ``max_bytes`` still goes, alone).
    """
    chunks: list[Chunk] = []
    current = Chunk()
    for owner, records in enumerate(items):
        encoded = [facade.dumps(record) for record in records]
        if not encoded:
            continue
        if not current.fits(encoded, max_records, max_bytes):
            if current.records:
                chunks.append(current)
                current = Chunk()
            if not current.fits(encoded, max_records, max_bytes):
                for text in encoded:
                    if current.records and not current.fits([text], max_records, max_bytes):
                        chunks.append(current)
                        current = Chunk()
                    current.add(owner, [text])
                continue
        current.add(owner, encoded)
    if current.records:
        chunks.append(current)
    return chunks
