"""What each feed route does between reading its body and answering (one function per route).

Each function takes the :class:`~framework.audience.routes.FeedRoutes` (connector, gateway,
caches, status table) and the parsed body, calls the connector's handler and returns the
response. They follow the mediarithmics SDK's ``AudienceFeedConnectorBasePlugin`` route by
route; the comments say where the SDK's behaviour is not obvious.
"""

from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING, Any, Mapping
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:  # pragma: no cover
    from starlette.responses import Response

    from .routes import FeedRoutes

__all__ = ["Reply", "bad_request", "invoke", "check_update_response"] + [
    "external_segment_creation", "external_segment_connection", "user_segment_update",
    "batch_update", "troubleshoot", "authentication_status_queries", "authentication",
    "logout", "dynamic_property_values_queries", "test_authentication", "oauth_redirect_url"]


class Reply(Exception):
    """Stop handling a request and answer ``status`` with ``body``."""

    def __init__(self, status: int, body: Mapping[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def bad_request(message: str) -> Reply:
    """A 400 ``{"status": "error", "message": message}``."""
    return Reply(400, {"status": "error", "message": message})


async def invoke(handler: Any, *args: Any) -> Any:
    """Call a handler: ``async def`` ones are awaited, plain ones run in a worker thread (so
    blocking HTTP does not stall the server); an awaitable result is awaited too."""
    import anyio.to_thread

    if inspect.iscoroutinefunction(handler):
        result = await handler(*args)
    else:
        result = await anyio.to_thread.run_sync(functools.partial(handler, *args))
    if inspect.isawaitable(result):
        result = await result
    return result


def _response(name: str, result: Any) -> dict[str, Any]:
    if not isinstance(result, dict) or "status" not in result:
        raise TypeError(f"{name} must return a dict with a 'status', got "
                        f"{type(result).__name__}")
    return result


_DELIVERY_KEYS = {"FILE_DELIVERY": ("content", "grouping_key", "destination_token"),
                  "BATCH_DELIVERY": ("content", "grouping_key")}


def check_update_response(result: Mapping[str, Any], batched: bool) -> None:
    """Check the ``data`` items of an ``on_user_segment_update`` answer.

    A batched feed returns ``BATCH_DELIVERY`` items, any other feed ``FILE_DELIVERY`` lines
    (``content`` a string); ``grouping_key`` (and ``destination_token`` for files) are
    mandatory, as since SDK 0.13.

    Raises:
        TypeError: An item is malformed (the route answers 500: the platform sends again).
    """
    data = result.get("data")
    if data is None:
        return
    if not isinstance(data, list):
        raise TypeError(f"on_user_segment_update: data must be a list, got "
                        f"{type(data).__name__}")
    expected = "BATCH_DELIVERY" if batched else "FILE_DELIVERY"
    for index, item in enumerate(data):
        where = f"on_user_segment_update: data[{index}]"
        if not isinstance(item, dict) or item.get("type") != expected:
            shown = item.get("type") if isinstance(item, dict) else type(item).__name__
            raise TypeError(f"{where}: a {'batched' if batched else 'non-batched'} feed "
                            f"returns type {expected}, got {shown!r}")
        for key in _DELIVERY_KEYS[expected]:
            if key not in item or (key != "content" and not isinstance(item[key], str)):
                raise TypeError(f"{where}: {key} is required")
        if expected == "FILE_DELIVERY" and not isinstance(item["content"], str):
            raise TypeError(f"{where}: content must be a string (one line of the file)")


# -- the routes ---------------------------------------------------------------------------


async def external_segment_creation(routes: "FeedRoutes", body: dict[str, Any]) -> "Response":
    """Creation always rebuilds the instance context (a new configuration)."""
    routes.check_initialized()
    feed_id = routes.require_id(body, "feed_id")
    credentials = await routes.destination_credentials(body)
    context = await routes.instance_context(feed_id, credentials, force=True)
    result = _response("on_external_segment_creation", await invoke(
        routes.connector.on_external_segment_creation, body, context))
    status = result["status"]
    reply: dict[str, Any] = {"status": status, "visibility": result.get("visibility")
                             or "PUBLIC"}
    if result.get("message") is not None:
        reply["message"] = result["message"]
    return routes.reply(routes.status_code("external_segment_creation", status), reply)


async def external_segment_connection(routes: "FeedRoutes", body: dict[str, Any]) -> "Response":
    routes.check_initialized()
    feed_id = routes.require_id(body, "feed_id")
    credentials = await routes.destination_credentials(body)
    context = await routes.instance_context(feed_id, credentials)
    result = _response("on_external_segment_connection", await invoke(
        routes.connector.on_external_segment_connection, body, context))
    return routes.reply(routes.status_code("external_segment_connection", result["status"]),
                        result)


async def user_segment_update(routes: "FeedRoutes", body: dict[str, Any]) -> "Response":
    # The SDK does not check initialization here: updates keep flowing.
    feed_id = routes.require_id(body, "feed_id")
    identifiers = body.get("user_identifiers", [])
    if not isinstance(identifiers, list):
        raise bad_request("user_identifiers: must be a list of identifiers")
    for index, identifier in enumerate(identifiers):
        if not isinstance(identifier, dict):
            raise bad_request(f"user_identifiers[{index}]: must be an object with a type")
    credentials = await routes.destination_credentials(body)
    context = await routes.instance_context(feed_id, credentials)
    result = _response("on_user_segment_update", await invoke(
        routes.connector.on_user_segment_update, body, context, credentials))
    check_update_response(result, routes.connector.batched)
    return routes.reply(routes.status_code("user_segment_update", result["status"]), result,
                        result.get("next_msg_delay_in_ms"))


async def batch_update(routes: "FeedRoutes", body: dict[str, Any]) -> "Response":
    if not routes.connector.batched:
        return routes.reply(500, {"status": "error",
                                  "message": "Plugin doesn't support batch update"})
    content = body.get("batch_content")
    if not isinstance(content, list):
        raise bad_request("batch_content: required, a list of the items' contents")
    batch_context = body.get("context")
    if not isinstance(batch_context, dict):
        raise bad_request("context: required, an object with feed_id and grouping_key")
    feed_id = routes.require_id(batch_context, "feed_id", where="context.")
    credentials = await routes.destination_credentials(batch_context)
    context = await routes.instance_context(feed_id, credentials)
    result = _response("on_batch_update", await invoke(
        getattr(routes.connector, "on_batch_update"), body, context))
    reply: dict[str, Any] = {"status": result["status"],
                             "sent_items_in_success": result.get("sent_items_in_success", 0),
                             "sent_items_in_error": result.get("sent_items_in_error", 0)}
    if result.get("message") is not None:
        reply["message"] = result["message"]
    return routes.reply(routes.status_code("batch_update", result["status"]), reply,
                        result.get("next_msg_delay_in_ms"))


async def troubleshoot(routes: "FeedRoutes", body: dict[str, Any]) -> "Response":
    from .routes import TROUBLESHOOT_ACTIONS

    action = body.get("action")
    if action not in TROUBLESHOOT_ACTIONS:
        return routes.reply(400, {"status": "not_implemented",
                                  "message": f"Action {action} not supported"})
    feed_id = routes.require_id(body, "feed_id")
    credentials = await routes.destination_credentials(body)
    context = await routes.instance_context(feed_id, credentials)
    result = _response("on_troubleshoot", await invoke(
        routes.connector.on_troubleshoot, body, context, credentials))
    return routes.reply(routes.status_code("troubleshoot", result["status"]), result)


async def authentication_status_queries(routes: "FeedRoutes",
                                        body: dict[str, Any]) -> "Response":
    result = _response("on_authentication_status_query", await invoke(
        routes.connector.on_authentication_status_query, body))
    return routes.reply(routes.status_code("authentication_status_queries", result["status"]),
                        result)


async def authentication(routes: "FeedRoutes", body: dict[str, Any]) -> "Response":
    result = _response("on_authentication", await invoke(
        routes.connector.on_authentication, body))
    destination = routes.optional_id(body, "feed_destination_id")
    if destination is not None and result["status"] == "ok":
        token = result.get("refresh_token")
        if not isinstance(token, str) or not token:
            return routes.reply(500, {"status": "error", "message": "Plugin must return a "
                                      "refresh_token when feed_destination_id is present"})
        stored: Any = {"scheme": "OAUTH2", "credentials": {"refresh_token": token}}
        import anyio.to_thread

        await anyio.to_thread.run_sync(
            routes.gateway.upsert_feed_destination_credentials, destination, stored)
        routes.credentials.remember(destination, stored)
    # The token (and any credentials) stay between the plugin and the gateway.
    reply = {k: v for k, v in result.items() if k not in ("refresh_token", "credentials")}
    return routes.reply(routes.status_code("authentication", result["status"]), reply)


async def logout(routes: "FeedRoutes", body: dict[str, Any]) -> "Response":
    result = _response("on_logout", await invoke(routes.connector.on_logout, body))
    return routes.reply(routes.status_code("logout", result["status"]), result)


async def dynamic_property_values_queries(routes: "FeedRoutes",
                                          body: dict[str, Any]) -> "Response":
    credentials = await routes.destination_credentials(body)
    result = _response("on_dynamic_property_values_query", await invoke(
        routes.connector.on_dynamic_property_values_query, body, credentials))
    return routes.reply(
        routes.status_code("dynamic_property_values_queries", result["status"]), result)


async def test_authentication(routes: "FeedRoutes", body: dict[str, Any]) -> "Response":
    import anyio.to_thread

    routes.check_initialized()
    destination = routes.require_id(body, "feed_destination_id")
    # Always fetched fresh (not from the cache): the point is to test what is stored now.
    try:
        credentials = await anyio.to_thread.run_sync(
            routes.gateway.fetch_feed_destination_credentials, destination)
    except Exception as exc:
        routes.logger.warning("test_authentication: credentials of %s: %s", destination,
                              routes.error_message(exc))
        credentials = None
    if credentials is None:
        return routes.reply(500, {"status": "error",
                                  "message": "Could not fetch feed destination credentials"})
    result = _response("on_test_authentication", await invoke(
        routes.connector.on_test_authentication, body, credentials))
    return routes.reply(routes.status_code("test_authentication", result["status"]), result)


async def oauth_redirect_url(routes: "FeedRoutes", body: dict[str, Any]) -> "Response":
    routes.check_initialized()
    destination = routes.optional_id(body, "feed_destination_id")
    if destination is None:
        return routes.reply(500, {"status": "error",
                                  "message": "feed_destination_id is required"})
    result = await invoke(routes.connector.on_create_oauth_redirect_url, body)
    login_url = result.get("login_url") if isinstance(result, dict) else None
    carried = parse_qs(urlsplit(login_url).query).get("feed_destination_id") \
        if isinstance(login_url, str) else None
    if carried != [destination]:
        return routes.reply(500, {"status": "error", "message": "login_url must carry the "
                                  f"query parameter feed_destination_id={destination}"})
    return routes.reply(200, {"login_url": login_url})
