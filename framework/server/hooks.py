"""Receivers for Segment's Webhooks destination: ``POST /hooks/<name>``, one per ``[[hooks]]``.

Segment's Webhooks destination posts one message per request, as JSON, with the custom headers
configured on it; Harness FME's webhook integration asks for its secret "under Headers as an
Authorization". So the configured ``secret`` must equal the ``Authorization`` header
(compared in constant time: 401 when missing, 403 when wrong). When ``shared_secret`` is set,
``X-Signature`` must also be the hex HMAC-SHA1 of the body keyed with it (403 otherwise), as
Segment signs webhook bodies. The message is committed for the hook's destinations and answered
``200 {"success": true}``; its ``messageId`` is remembered per hook for the dedupe window
(Segment retries a webhook that timed out, for up to 4 hours).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import BadRequestError
from .body import parse_json, read_body
from .config import HookConfig
from .deps import Deps
from .intake import enqueue
from .segment_api import BATCH_LIMIT, TYPES

__all__ = ["routes", "signature"]


def routes(deps: Deps) -> list[BaseRoute]:
    """``POST /hooks/{name}`` for the hooks of ``deps.config``."""
    hooks = {hook.name: hook for hook in deps.config.hooks}

    async def endpoint(request: Request) -> Response:
        hook = hooks.get(request.path_params["name"])
        if hook is None:
            return _error(404, "not_found", "no webhook receiver of that name")
        try:
            return await _receive(deps, hook, request)
        except BadRequestError as exc:
            return _error(exc.status or 400, exc.code, exc.message)

    return [Route("/hooks/{name}", endpoint, methods=["POST"], name="hooks")]


def signature(body: bytes, shared_secret: str) -> str:
    """The ``X-Signature`` Segment sends: hex HMAC-SHA1 of ``body`` keyed with the secret."""
    return hmac.new(shared_secret.encode("utf-8"), body, hashlib.sha1).hexdigest()


async def _receive(deps: Deps, hook: HookConfig, request: Request) -> Response:
    given = request.headers.get("authorization")
    if not given:
        return _error(401, "unauthorized", "the Authorization header is missing")
    if not hmac.compare_digest(given.encode("utf-8"), hook.secret.encode("utf-8")):
        return _error(403, "forbidden", "the Authorization header does not match this "
                                        "receiver's secret")
    body = await read_body(request.stream(), request.headers.get("content-encoding"),
                           limit=BATCH_LIMIT, what="message")
    if hook.shared_secret is not None:
        sent = request.headers.get("x-signature", "").strip().lower()
        if not hmac.compare_digest(sent.encode("utf-8"),
                                   signature(body, hook.shared_secret).encode("utf-8")):
            return _error(403, "bad_signature", "X-Signature is missing or is not the "
                                                "HMAC-SHA1 of the body with the shared secret")
    message = parse_json(body, "message")
    if not isinstance(message, dict):
        raise BadRequestError("the body must be one Segment message (a JSON object)",
                              code="invalid_message")
    if message.get("type") not in TYPES:
        raise BadRequestError(f"type must be one of {', '.join(TYPES)}", code="invalid_message")
    message_id = message.get("messageId")
    if not isinstance(message_id, str) or not message_id:
        message["messageId"] = f"srv-{uuid.uuid4()}"
    await enqueue(deps, [message], source=hook.name,
                  destinations=[d.name for d in hook.destinations])
    return JSONResponse({"success": True})


def _error(status: int, code: str, message: str) -> Response:
    body: dict[str, Any] = {"success": False, "code": code, "message": message}
    return JSONResponse(body, status_code=status)
