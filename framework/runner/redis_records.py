"""How the Redis queue's records look in Redis: stream entries and input offsets.

A job is a stream entry with the fields ``body``, ``attempts``, ``first_seen``,
``available_at`` and ``last_error`` (JSON); its id for the runner is ``ENTRY@DESTINATION``. A
dead letter is an entry of ``NAME:dead`` with ``destination`` and ``error`` as well. An input
offset is the JSON array ``[offset, line, skip, done]`` in the meta hash.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from .queue import DeadLetter, InputOffset, Job, error_dict
from .redis_names import Keys, text_of

__all__ = ["job_of", "dead_letter_of", "offset_value", "input_offset_of"]


def job_of(keys: Keys, entry_id: Any, fields: Mapping[bytes, bytes]) -> Job:
    """The :class:`Job` of stream entry ``entry_id`` of ``keys``' destination."""
    get = fields.get
    error = (get(b"last_error") or b"").decode()
    return Job(id=f"{text_of(entry_id)}@{keys.destination}",
               body=(get(b"body") or b"").decode(),
               attempts=int(get(b"attempts") or 0),
               first_seen=float(get(b"first_seen") or 0.0),
               available_at=float(get(b"available_at") or 0.0),
               last_error=json.loads(error) if error else None,
               destination=keys.destination)


def dead_letter_of(entry_id: Any, fields: Mapping[bytes, bytes]) -> tuple[str, DeadLetter]:
    """The destination and the :class:`DeadLetter` of an entry of the dead-letter stream."""
    name = (fields.get(b"destination") or b"").decode()
    error = json.loads((fields.get(b"error") or b"{}").decode())
    return name, DeadLetter(id=f"{text_of(entry_id)}@{name}", body=fields[b"body"].decode(),
                            attempts=int(fields.get(b"attempts") or 0),
                            first_seen=float(fields.get(b"first_seen") or 0.0),
                            error=error_dict(error))


def offset_value(offset: int, line: int = 1, skip: int = 0, done: bool = False) -> str:
    """An input offset as stored in the meta hash."""
    return json.dumps([offset, line, skip, bool(done)])


def input_offset_of(path: str, value: bytes | str) -> InputOffset:
    """The :class:`InputOffset` of ``path`` from its stored value."""
    offset, line, skip, done = json.loads(value)
    return InputOffset(path=path, offset=offset, line=line, skip=skip, done=bool(done))
