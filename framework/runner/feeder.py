"""The runner's inputs: what to read, and reading it in chunks ready for :meth:`Queue.put`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any, Union

from .converters import Converter
from .inputs import InputError, InputReader
from .queue import InputOffset, encode

__all__ = ["Source", "make_source", "read_chunks", "CHUNK_SIZE"]

#: Messages stored per ``put`` (one transaction each).
CHUNK_SIZE = 500

#: What :meth:`Runner.feed` accepts: a path, ``-`` (stdin), a binary file, or messages.
InputLike = Union[str, "os.PathLike[str]", IO[bytes], Iterable[Mapping[str, Any]]]


@dataclass
class Source:
    """One input of a run.

    Attributes:
        key: The name recorded with its offset in the queue (an absolute path, ``-`` for
            stdin), or ``None`` when it cannot be resumed (messages given in memory, a stream).
        name: The name shown in messages (as given).
        stream: A binary stream to read instead of opening ``key`` (stdin, a file object).
        messages: Messages given directly (no reading, no offset).
        start: Where to resume reading.
        converter: The ``--from`` converter (a name or a callable).
        format: A forced input format, or ``None`` to detect it.
    """

    key: str | None
    name: str
    stream: IO[bytes] | None = None
    messages: Iterable[Mapping[str, Any]] | None = None
    start: InputOffset | None = None
    converter: Union[str, Converter] = "segment"
    format: str | None = None


def make_source(value: InputLike, converter: Union[str, Converter] = "segment",
                format: str | None = None, start: InputOffset | None = None) -> Source:
    """The :class:`Source` for ``value`` (see :data:`InputLike`).

    Raises:
        TypeError: ``value`` is none of the accepted kinds.
    """
    if isinstance(value, (str, os.PathLike)):
        name = os.fspath(value)
        key = "-" if name == "-" else os.path.abspath(name)
        return Source(key, name, start=start, converter=converter, format=format)
    if hasattr(value, "read"):
        return Source(None, str(getattr(value, "name", "<stream>")), stream=value,  # type: ignore
                      converter=converter, format=format)
    if isinstance(value, Iterable) and not isinstance(value, (bytes, Mapping)):
        return Source(None, "<messages>", messages=value)
    raise TypeError(f"an input must be a path, '-', a binary file or an iterable of messages, "
                    f"got {type(value).__name__}")


def read_chunks(source: Source, on_error: Callable[[InputError], None],
                size: int = CHUNK_SIZE) -> Iterator[tuple[list[str], InputOffset | None]]:
    """The messages of ``source`` as JSON texts, ``size`` at a time, each chunk with the input
    offset reached after it (``None`` for sources that are not resumable). The last chunk (maybe
    empty) carries the offset with ``done=True``.

    A message that the input holds verbatim (an NDJSON line, an array or batch element, read
    with the ``segment`` converter) keeps its original text: it is parsed to check it, never
    encoded again. Other messages are encoded with :func:`~framework.runner.queue.encode`.

    Args:
        source: The input.
        on_error: Called with each bad record (its line and the rule it breaks).
        size: Messages per chunk.

    Raises:
        OSError: The input cannot be opened.
    """
    if source.messages is not None:
        yield from _message_chunks(source, on_error, size)
        return
    reader = InputReader(source.stream if source.stream is not None else source.key or "-",
                         converter=source.converter, start=source.start, format=source.format,
                         on_error=on_error, keep_errors=0)
    chunk: list[str] = []
    position: InputOffset | None = None
    for position, message, text in reader.records():
        chunk.append(text if text is not None else encode(message))
        if len(chunk) >= size:
            yield chunk, _keyed(source, position)
            chunk = []
    end = reader.position
    yield chunk, _keyed(source, InputOffset(end.path, end.offset, end.line, 0, True))


def _keyed(source: Source, position: InputOffset | None) -> InputOffset | None:
    if source.key is None or position is None:
        return None
    return InputOffset(source.key, position.offset, position.line, position.skip, position.done)


def _message_chunks(source: Source, on_error: Callable[[InputError], None],
                    size: int) -> Iterator[tuple[list[str], InputOffset | None]]:
    chunk: list[str] = []
    for index, message in enumerate(source.messages or ()):
        if type(message) is not dict and not isinstance(message, Mapping):
            on_error(InputError(source.name, index + 1, f"expected a message (a dict), got "
                                                        f"{type(message).__name__}"))
            continue
        chunk.append(encode(message))
        if len(chunk) >= size:
            yield chunk, None
            chunk = []
    yield chunk, None
