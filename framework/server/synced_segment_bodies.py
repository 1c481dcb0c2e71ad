"""The bodies of the synced-segment answers.

An error is ``{"status", "message"}`` (:func:`plain`), unless the manifest declares a
``jsonResponseBody``: that Handlebars template is rendered (non-strict) with LaunchDarkly's
context (:func:`response_context`) and parsed as JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:  # pragma: no cover
    from starlette.responses import Response

__all__ = ["SEGMENT_URL", "render", "response_context", "plain"]

#: Where LaunchDarkly shows a segment (``segmentUrl`` in the template's context).
SEGMENT_URL = "https://app.launchdarkly.com/default/production/segments/{}/targeting"


def render(template: str, context: Mapping[str, Any]) -> str:
    """``template`` rendered non-strict with ``context`` (a miss renders as nothing)."""
    from ..templating import render as render_template

    return render_template(template, dict(context), strict=False)


def response_context(body: Any, status: int, error: str, environment: str,
                     segment_key: str) -> dict[str, Any]:
    """The context a ``jsonResponseBody`` is rendered with, as LaunchDarkly builds it."""
    return {"requestBody": body, "statusCode": status, "errorMessage": error,
            "projectKey": "default", "environmentKey": environment, "segmentKey": segment_key,
            "segmentUrl": SEGMENT_URL.format(segment_key)}


def plain(status: int, message: str, headers: Mapping[str, str] | None = None) -> "Response":
    """LaunchDarkly's plain error body ``{"status", "message"}``, with that status."""
    from starlette.responses import JSONResponse

    return JSONResponse({"status": status, "message": message}, status_code=status,
                        headers=dict(headers or {}))
