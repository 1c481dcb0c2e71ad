"""LaunchDarkly's synced-segment endpoint: audiences from a CDP become stored segments.

Routes (``routes(deps)``)::

    POST /api/v2/segment-targets/<integrationKey>   LaunchDarkly's production path
    POST /api/v2/segment-target/<integrationKey>    its local validation server's path
    GET  /api/v2/segments/<environmentId>/<segmentKey>

A POST is answered, in this order of checks:

* 404 ``{"status": 404, "message": ...}``: no synced-segment manifest has that key;
* 403: ``Authorization`` is missing or is not the key's token (``[synced_segments.tokens]``,
  compared in constant time);
* 429 with ``X-Ratelimit-Reset`` (epoch milliseconds): the key sent more than
  ``rate_limit_per_minute`` requests in the last minute;
* 413: the body is larger than ``max_body_bytes``; 400: it is not JSON, or does not fit the
  manifest's ``requestParser`` (LaunchDarkly's texts, see
  :mod:`framework.manifest.synced_segment`), or an id is neither a string nor a number;
* 409: a cohort exists in that environment with another context kind;
* 500: anything else (the store failed): nothing of the request is applied;
* 204 (no body) once every membership change is committed to the store, or 200 with the
  manifest's rendered ``jsonResponseBody``.

With a ``jsonResponseBody``, every answer after the 404 is that template rendered (Handlebars,
non-strict, then parsed as JSON) with LaunchDarkly's context: ``requestBody``, ``statusCode``,
``errorMessage`` (``""`` on success), ``projectKey`` (``default``), ``environmentKey`` (the
environment id; ``""`` on error), ``segmentKey`` (``<integrationKey>-<first record's cohortId>``;
``""`` on error or when the request has no records) and ``segmentUrl``. When an error's
rendering is not JSON (a message with a quote inside a triple-stash), the error is answered
with the plain ``{"status", "message"}`` body instead; a success whose rendering fails is
answered 204, since the changes are committed.

Each distinct cohort id among the parsed records is its own segment, keyed
``<integrationKey>-<cohortId>``, so member-level cohort overrides land in their own segments.
The GET route answers ``{"key", "name", "contextKind", "included": [sorted ids], "version"}``
for the segment's integration key's token (the key is the longest configured integration key
that prefixes the segment key).

The ``[synced_segments]`` table and the manifests' checks are in
:mod:`framework.server.synced_segment_config`, the answers' bodies in
:mod:`framework.server.synced_segment_bodies`; their names are importable from here.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import math
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

from ..errors import BadRequestError, ManifestError, RejectedError, SyncedSegmentError
from .segment_store import MembershipChange, SegmentStore
from .synced_segment_bodies import plain, render, response_context
from .synced_segment_config import (SyncedSegmentManifest, SyncedSegmentsConfig,
                                    load_manifests, parse_section)

if TYPE_CHECKING:  # pragma: no cover
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import BaseRoute

    from .deps import Deps

__all__ = ["SyncedSegmentsConfig", "SyncedSegmentManifest", "SyncedSegments", "parse_section",
           "routes", "lifespan", "load_manifests"]

log = logging.getLogger("framework.server")

#: The config table this surface reads.
SECTION = "synced_segments"

_INTERNAL = "error occurred while processing request"


class _Refused(Exception):
    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


class SyncedSegments:
    """The surface: manifests by key, tokens, the rate limit and the membership store.

    Args:
        config: The ``[synced_segments]`` table.
        store: Where memberships are committed (None until :func:`lifespan` opens it).
        manifests: The synced-segment manifests by integration key (broken ones as errors,
            answered 500).
        clock: Epoch seconds now.
    """

    def __init__(self, config: SyncedSegmentsConfig, store: SegmentStore | None,
                 manifests: Mapping[str, SyncedSegmentManifest | ManifestError], *,
                 clock: Callable[[], float]) -> None:
        from .rate_limit import SlidingWindowLimit

        self.config = config
        self.store = store
        self.manifests = dict(manifests)
        self.tokens = dict(config.tokens or {})
        self.limit = SlidingWindowLimit(config.rate_limit_per_minute, 60.0, clock=clock)

    def routes(self) -> list["BaseRoute"]:
        """The surface's Starlette routes."""
        from starlette.routing import Route

        return [
            Route("/api/v2/segment-targets/{integration_key}", self.post, methods=["POST"]),
            Route("/api/v2/segment-target/{integration_key}", self.post, methods=["POST"]),
            Route("/api/v2/segments/{environment_id}/{segment_key:path}", self.get,
                  methods=["GET"]),
        ]

    async def post(self, request: "Request") -> "Response":
        """Apply one synced-segment request (see the module docstring for the answers)."""
        key = request.path_params["integration_key"]
        manifest = self.manifests.get(key)
        if manifest is None:
            return plain(404, f"integration with key {key} not found")
        template = manifest.json_response_body if isinstance(manifest, SyncedSegmentManifest) \
            else None
        body: Any = None
        try:
            self._authorize(key, request)
            reset = self.limit.hit(key)
            if reset is not None:
                raise _Refused(429, f"rate limit of {self.config.rate_limit_per_minute} "
                                    f"requests per minute exceeded for {key}",
                               {"X-Ratelimit-Reset": str(math.ceil(reset * 1000))})
            if isinstance(manifest, ManifestError):
                raise manifest
            body = await self._read_json(request)
            parsed = self._parse(manifest, body)
            environment, context_kind, changes = _changes(key, parsed)
            from starlette.concurrency import run_in_threadpool

            await run_in_threadpool(self._store().apply, environment, context_kind, changes)
        except _Refused as refused:
            return self._answer(template, body, refused.status, refused.message,
                                headers=refused.headers)
        except RejectedError as rejected:
            return self._answer(template, body, rejected.status or 400, rejected.message)
        except Exception:
            log.exception("synced segments: %s: the request could not be applied", key)
            return self._answer(template, body, 500, _INTERNAL)
        segment_key = changes[0].segment_key if changes else ""
        if template is None:
            from starlette.responses import Response

            return Response(status_code=204)
        return self._answer(template, body, 200, "", environment=environment,
                            segment_key=segment_key)

    async def get(self, request: "Request") -> "Response":
        """The stored segment, for its integration key's token."""
        environment = request.path_params["environment_id"]
        segment_key = request.path_params["segment_key"]
        owner = max((k for k in self.manifests if segment_key.startswith(k + "-")),
                    key=len, default=None)
        if owner is None:
            return plain(404, f"segment {segment_key} not found")
        try:
            self._authorize(owner, request)
        except _Refused as refused:
            return plain(refused.status, refused.message)
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import JSONResponse

        try:
            segment = await run_in_threadpool(self._store().get, environment, segment_key)
        except Exception:
            log.exception("synced segments: cannot read %s/%s", environment, segment_key)
            return plain(500, _INTERNAL)
        if segment is None:
            return plain(404, f"segment {segment_key} not found")
        return JSONResponse(segment.to_dict())

    def _authorize(self, key: str, request: "Request") -> None:
        given = request.headers.get("authorization")
        if not given:
            raise _Refused(403, "the Authorization header is missing")
        expected = self.tokens.get(key)
        if expected is None or not hmac.compare_digest(given.encode("utf-8", "surrogateescape"),
                                                       expected.encode("utf-8")):
            raise _Refused(403, "the Authorization token is not valid for this integration")

    async def _read_json(self, request: "Request") -> Any:
        from .body import parse_json, read_body

        try:
            raw = await read_body(request.stream(), request.headers.get("content-encoding"),
                                  limit=self.config.max_body_bytes)
        except BadRequestError as exc:
            if exc.code == "body_too_large":
                raise _Refused(413, exc.message) from None
            raise
        return parse_json(raw)

    @staticmethod
    def _parse(manifest: SyncedSegmentManifest, body: Any) -> Any:
        from ..manifest.synced_segment import parse_synced_segment

        return parse_synced_segment(manifest.request_parser, body)

    def _answer(self, template: str | None, body: Any, status: int, message: str, *,
                environment: str = "", segment_key: str = "",
                headers: Mapping[str, str] | None = None) -> "Response":
        if template is None:
            return plain(status, message, headers)
        try:
            context = response_context(body, status, message, environment, segment_key)
            rendered = json.loads(render(template, context))
        except Exception as exc:
            log.warning("synced segments: jsonResponseBody does not render to JSON for status "
                        "%d: %s", status, exc)
            if status < 300:
                from starlette.responses import Response

                return Response(status_code=204)
            return plain(status, message, headers)
        from starlette.responses import JSONResponse

        return JSONResponse(rendered, status_code=status, headers=dict(headers or {}))

    def _store(self) -> SegmentStore:
        if self.store is None:
            raise RuntimeError("the membership store is not open (the app's lifespan did not "
                               "run)")
        return self.store


def _changes(key: str, parsed: Mapping[str, Any]) -> tuple[str, str, list[MembershipChange]]:
    """The store's view of a parsed request; ids must be strings or numbers (400 otherwise)."""
    environment = _text(parsed["environmentId"], "environmentId")
    context_kind = _text(parsed["contextKind"], "contextKind")
    changes = []
    for index, record in enumerate(parsed["batch"]):
        cohort = _text(record["cohortId"], f"batch[{index}].cohortId")
        changes.append(MembershipChange(
            segment_key=f"{key}-{cohort}",
            segment_name=_text(record["cohortName"], f"batch[{index}].cohortName"),
            member_id=_text(record["userId"], f"batch[{index}].userId"),
            included=bool(record["value"])))
    return environment, context_kind, changes


def _text(value: Any, name: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    kind = {dict: "an object", list: "an array", bool: "a boolean", float: "a fraction"}.get(
        type(value), type(value).__name__)
    raise SyncedSegmentError(f"parsed value for {name} must be a string or a whole number, "
                             f"got {kind}")


def _surface(deps: "Deps") -> SyncedSegments:
    surface = deps.extras.get(SECTION)
    if surface is None:
        config = deps.config.sections.get(SECTION) or SyncedSegmentsConfig()
        surface = deps.extras[SECTION] = SyncedSegments(
            config, None, load_manifests(config.manifests), clock=deps.clock)
    assert isinstance(surface, SyncedSegments)
    return surface


def routes(deps: "Deps") -> list["BaseRoute"]:
    """The synced-segment routes of the app (the surface is kept in ``deps.extras``)."""
    return _surface(deps).routes()


@contextlib.contextmanager
def lifespan(deps: "Deps") -> Iterator[None]:
    """Open the membership store (``synced_segments.store``) for the app's life."""
    from .segment_store import SQLiteSegmentStore

    surface = _surface(deps)
    surface.store = SQLiteSegmentStore(surface.config.store, clock=deps.clock)
    try:
        yield
    finally:
        surface.store.close()
        surface.store = None
