"""Reading a request body within a size limit, gunzipping it, and parsing it as JSON.

Limits are measured on the *decoded* body: a gzip body is inflated incrementally and refused as
soon as its output passes the limit, so a small compressed bomb never inflates beyond it. JSON
is parsed from strict UTF-8 and refused past :data:`MAX_DEPTH` levels of nesting (deeper
documents are not Segment messages, and would make later ``json.dumps`` or recursive code in
integrations fail long after the 200).
"""

from __future__ import annotations

import json
import zlib
from typing import Any, AsyncIterator

from .. import jsoncodec, jsonlimits
from ..errors import BadRequestError

__all__ = ["MAX_DEPTH", "read_body", "parse_json", "depth_of"]

#: Levels of arrays and objects a body may nest (a Segment message uses well under 10).
MAX_DEPTH = 64


async def read_body(chunks: AsyncIterator[bytes], encoding: str | None, *, limit: int,
                    what: str = "request body") -> bytes:
    """The body, decoded, at most ``limit`` bytes.

    Args:
        chunks: The raw body as it arrives (``request.stream()``).
        encoding: The ``Content-Encoding`` header (``gzip``, ``identity`` or ``None``).
        limit: The most decoded bytes accepted.
        what: How to name the body in errors.

    Raises:
        BadRequestError: ``body_too_large`` (with ``limit``), ``bad_encoding`` (not gzip, or an
            unsupported encoding).
    """
    coding = (encoding or "identity").strip().lower()
    if coding not in ("identity", "gzip", "x-gzip"):
        raise BadRequestError(f"Content-Encoding {encoding!r} is not supported (use gzip or "
                              f"none)", code="bad_encoding")
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if coding != "identity" else None
    out = bytearray()
    received = 0
    async for chunk in chunks:
        received += len(chunk)
        if received > limit:  # compressed data is never larger than what it inflates to
            _too_large(what, limit)
        if inflate is not None:
            try:
                chunk = inflate.decompress(inflate.unconsumed_tail + chunk, limit + 1 - len(out))
            except zlib.error as exc:
                raise BadRequestError(f"the {what} is not valid gzip: {exc}",
                                      code="bad_encoding") from None
            if inflate.unconsumed_tail and len(out) + len(chunk) > limit:
                _too_large(what, limit)
        out += chunk
        if len(out) > limit:
            _too_large(what, limit)
    if inflate is not None:
        if not inflate.eof:
            raise BadRequestError(f"the {what} is not valid gzip: the stream is truncated",
                                  code="bad_encoding")
    return bytes(out)


def _too_large(what: str, limit: int) -> None:
    raise BadRequestError(f"the {what} exceeds the limit of {limit} bytes ({limit // 1024} KB) "
                          f"after decoding", code="body_too_large", limit=limit)


def parse_json(body: bytes, what: str = "request body") -> Any:
    """The JSON value of ``body`` (UTF-8), at most :data:`MAX_DEPTH` levels deep.

    Raises:
        BadRequestError: ``invalid_json`` naming the problem (bad UTF-8, the line and column of a
            syntax error, too deep).
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequestError(f"the {what} is not valid UTF-8 (byte {exc.start})",
                              code="invalid_json") from None
    if not text.strip():
        raise BadRequestError(f"the {what} is empty; expected a JSON object",
                              code="invalid_json")
    try:
        return jsoncodec.loads(text, max_depth=MAX_DEPTH)
    except jsonlimits.JSONDepthError:
        raise BadRequestError(f"the {what} nests arrays and objects more than {MAX_DEPTH} "
                              f"levels deep", code="invalid_json") from None
    except json.JSONDecodeError as exc:
        raise BadRequestError(f"the {what} is not valid JSON: {exc.msg} at line {exc.lineno} "
                              f"column {exc.colno}", code="invalid_json") from None


def depth_of(value: Any, stop: int) -> int:
    """How many levels of arrays and objects ``value`` nests (counting stops at ``stop``)."""
    return jsonlimits.value_depth(value, stop)
