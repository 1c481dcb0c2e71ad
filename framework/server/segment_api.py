"""Segment's HTTP Tracking API: ``POST /v1/{identify,track,page,screen,group,alias,batch}``
(and ``/v1/import``, a batch).

As Segment documents it: the write key comes as HTTP Basic (user = write key, empty password)
or as ``writeKey`` in the body (unknown or missing: 401); a message may be 32 KB and a batch
500 KB, both measured on the decoded body (gzip bodies accepted); a batch's top-level
``context`` and ``integrations`` are merged into each message. Each message gets a
``messageId`` (when missing), ``receivedAt``, ``timestamp`` (when missing, = ``receivedAt``)
and ``context.source = {"name": <source name>}``; ``writeKey`` is dropped. The answer is
``200 {"success": true}`` once the messages are committed.

Deliberately stricter than Segment, which answers 200 and drops them later: a message without
``userId``/``anonymousId``, a track without ``event``, a group without ``groupId``, an alias
without ``previousId``, or a batch of more than 2,500 messages is a 400 naming the field (and
for a batch, the index): a batch with any bad message is rejected whole, nothing is queued.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import uuid
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import BadRequestError
from .body import parse_json, read_body
from .config import SourceConfig
from .deps import Deps
from .intake import enqueue

__all__ = ["routes", "MESSAGE_LIMIT", "BATCH_LIMIT", "MAX_BATCH", "TYPES", "enrich",
           "check_message"]

#: Bytes per message (a single call's body, or one message of a batch): 32 KB.
MESSAGE_LIMIT = 32 * 1024
#: Bytes per batch body: 500 KB.
BATCH_LIMIT = 500 * 1024
#: Messages per batch.
MAX_BATCH = 2500
#: The message types and what each requires besides an identity.
TYPES: dict[str, tuple[str, ...]] = {"identify": (), "track": ("event",), "page": (),
                                     "screen": (), "group": ("groupId",),
                                     "alias": ("previousId", "userId")}
_OBJECT_FIELDS = ("context", "integrations", "properties", "traits")
_CONTENT_TYPES = ("application/json", "text/plain", "")


def routes(deps: Deps) -> list[BaseRoute]:
    """The Tracking API's routes for ``deps.config.sources``."""
    found: list[BaseRoute] = [
        Route(f"/v1/{kind}", _endpoint(deps, kind), methods=["POST"], name=f"segment-{kind}")
        for kind in TYPES]
    found.append(Route("/v1/batch", _endpoint(deps, "batch"), methods=["POST"],
                       name="segment-batch"))
    found.append(Route("/v1/import", _endpoint(deps, "batch"), methods=["POST"],
                       name="segment-import"))
    return found


def _endpoint(deps: Deps, kind: str) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            return await _handle(deps, kind, request)
        except BadRequestError as exc:
            data: dict[str, Any] = {"success": False, "code": exc.code,
                                    "message": exc.message}
            for key in ("limit", "index"):
                if getattr(exc, key) is not None:
                    data[key] = getattr(exc, key)
            headers = {"WWW-Authenticate": 'Basic realm="segment"'} if exc.status == 401 else {}
            return JSONResponse(data, status_code=exc.status or 400, headers=headers)
    return endpoint


def _unauthorized(message: str) -> BadRequestError:
    return BadRequestError(message, code="unauthorized", status=401)


async def _handle(deps: Deps, kind: str, request: Request) -> Response:
    header_source = _source_from_header(deps, request.headers.get("authorization"))
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in _CONTENT_TYPES:
        raise BadRequestError(f"Content-Type must be application/json, got {media!r}",
                              code="bad_content_type")
    batch = kind == "batch"
    body = await read_body(request.stream(), request.headers.get("content-encoding"),
                           limit=BATCH_LIMIT if batch else MESSAGE_LIMIT,
                           what="batch" if batch else "message")
    data = parse_json(body)
    if not isinstance(data, dict):
        raise BadRequestError(f"the body must be a JSON object, got {_kind_of(data)}",
                              code="invalid_body")
    source = header_source or _source_from_body(deps, data)
    received_at = _iso(deps.clock())
    if batch:
        messages = _batch_messages(data, len(body))
    else:
        data["type"] = kind
        check_message(data)
        messages = [data]
    for message in messages:
        enrich(message, source.name, received_at)
    await enqueue(deps, messages, source=source.name,
                  destinations=[d.name for d in source.destinations])
    return JSONResponse({"success": True})


def _source_from_header(deps: Deps, header: str | None) -> SourceConfig | None:
    """The source whose write key is in an ``Authorization: Basic`` header (``None`` when the
    header is absent or not Basic: the key must then be in the body)."""
    if not header:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise _unauthorized("the Authorization header is not valid HTTP Basic "
                            "(base64 of 'writeKey:')") from None
    source = _find(deps, decoded.partition(":")[0])
    if source is None:
        raise _unauthorized("unknown write key")
    return source


def _source_from_body(deps: Deps, data: dict[str, Any]) -> SourceConfig:
    key = data.get("writeKey")
    if key is None or key == "":
        raise _unauthorized("missing write key: send it as HTTP Basic (user = write key, "
                            "empty password) or as writeKey in the body")
    source = _find(deps, key) if isinstance(key, str) else None
    if source is None:
        raise _unauthorized("unknown write key")
    return source


def _find(deps: Deps, key: str) -> SourceConfig | None:
    found = None
    for source in deps.config.sources:  # compare with every key, in constant time each
        if hmac.compare_digest(source.write_key.encode("utf-8"), key.encode("utf-8")):
            found = source
    return found


def _batch_messages(data: dict[str, Any], size: int) -> list[dict[str, Any]]:
    items = data.get("batch")
    if not isinstance(items, list):
        raise BadRequestError(f"batch must be an array of messages, got {_kind_of(items)}",
                              code="invalid_batch")
    if len(items) > MAX_BATCH:
        raise BadRequestError(f"the batch has {len(items)} messages; at most {MAX_BATCH} are "
                              f"accepted per batch", code="batch_too_long")
    shared = {key: data[key] for key in ("context", "integrations") if key in data}
    for key, value in shared.items():
        if not isinstance(value, dict):
            raise BadRequestError(f"{key} must be an object, got {_kind_of(value)}",
                                  code="invalid_message")
    messages = []
    for index, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise BadRequestError(f"must be a JSON object, got {_kind_of(item)}",
                                      code="invalid_message")
            if size > MESSAGE_LIMIT:
                length = len(json.dumps(item, separators=(",", ":"),
                                        ensure_ascii=False).encode("utf-8"))
                if length > MESSAGE_LIMIT:
                    raise BadRequestError(
                        f"is {length} bytes; the limit is {MESSAGE_LIMIT} bytes (32 KB) per "
                        f"message", code="message_too_large", limit=MESSAGE_LIMIT)
            check_message(item)
        except BadRequestError as exc:
            raise BadRequestError(f"batch[{index}]: {exc.message}; the whole batch is "
                                  f"rejected", code=exc.code, limit=exc.limit,
                                  index=index) from None
        for key, value in shared.items():
            own = item.get(key)
            item[key] = {**value, **own} if isinstance(own, dict) else dict(value)
        messages.append(item)
    return messages


def check_message(message: dict[str, Any]) -> None:
    """Raise ``BadRequestError(invalid_message)`` naming the first field that breaks the spec.

    Checks the type, an identity (``userId`` or ``anonymousId``), the type's required fields,
    that ``messageId`` is a string of at most 100 characters, and that ``context``,
    ``integrations``, ``properties`` and ``traits`` are objects when present.
    """
    kind = message.get("type")
    if kind not in TYPES:
        raise BadRequestError(f"type must be one of {', '.join(TYPES)}, got {kind!r}"[:300],
                              code="invalid_message")
    if not any(_present(message.get(key)) for key in ("userId", "anonymousId")):
        raise BadRequestError(f"a {kind} message needs userId or anonymousId (a non-empty "
                              f"string or a number)", code="invalid_message")
    for key in TYPES[kind]:
        if not _present(message.get(key)):
            raise BadRequestError(f"a {kind} message needs {key} (a non-empty string)",
                                  code="invalid_message")
    message_id = message.get("messageId")
    if message_id is not None and (not isinstance(message_id, str) or not message_id
                                   or len(message_id) > 100):
        raise BadRequestError("messageId must be a non-empty string of at most 100 characters",
                              code="invalid_message")
    for key in _OBJECT_FIELDS:
        if key in message and not isinstance(message[key], dict):
            raise BadRequestError(f"{key} must be an object, got {_kind_of(message[key])}",
                                  code="invalid_message")


def enrich(message: dict[str, Any], source: str, received_at: str) -> None:
    """Add what Segment's API adds: ``messageId`` (when missing), ``receivedAt``,
    ``timestamp`` (when missing), ``context.source``; drop ``writeKey``."""
    message.pop("writeKey", None)
    if not message.get("messageId"):
        message["messageId"] = f"srv-{uuid.uuid4()}"
    message["receivedAt"] = received_at
    message.setdefault("timestamp", received_at)
    context = message.get("context")
    if not isinstance(context, dict):
        context = message["context"] = {}
    context["source"] = {"name": source}


def _present(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return (isinstance(value, str) and value != "") or isinstance(value, (int, float))


def _kind_of(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(value), "a number")


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="milliseconds") \
        .replace("+00:00", "Z")
