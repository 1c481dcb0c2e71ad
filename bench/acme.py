"""The benchmarks' "Acme" mapper in Python, over facade accessors only.

Every function takes a facade (``Track``, ``Identify``, ``Page``, ``Screen``, ``Group``,
``Alias``) and the settings and returns the payload with null values dropped. Dates are
left as datetimes where the JavaScript left Dates; ``facade.dumps`` writes them as
``YYYY-MM-DDTHH:MM:SS.mmmZ`` just as ``JSON.stringify`` does.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

from facade import Alias, Facade, Group, Identify, Page, Track, format_iso, to_millis

__all__ = ["track", "identify", "page", "screen", "group", "alias", "MAPPERS"]


def _compact(payload: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in payload.items() if v is not None}


def _common(msg: Facade, settings: Dict[str, Any], kind: Any) -> Dict[str, Any]:
    ts = msg.timestamp()
    user_id = msg.user_id()
    anonymous_id = msg.anonymous_id()
    return {
        "type": kind,
        "token": settings.get("apiKey"),
        "distinct_id": user_id or anonymous_id,
        "user_id": user_id,
        "anonymous_id": anonymous_id,
        "insert_id": msg.field("messageId"),
        "time": to_millis(ts) if ts is not None else None,
        "timestamp": format_iso(ts) if ts is not None else None,
        "ip": msg.ip(),
        "user_agent": msg.user_agent(),
        "library": msg.library().get("name"),
        "locale": msg.proxy("context.locale"),
    }


def _item(product: Any) -> Dict[str, Any]:
    if not isinstance(product, dict):
        return {}
    return {k: product[s] for k, s in (("id", "product_id"), ("sku", "sku"),
                                       ("price", "price"), ("quantity", "quantity"))
            if s in product}


def track(msg: Track, settings: Dict[str, Any]) -> Dict[str, Any]:
    """Map a Track call."""
    payload = _common(msg, settings, "track")
    revenue = msg.revenue()
    products = msg.products()
    payload["event"] = msg.event()
    payload["email"] = msg.email()
    payload["url"] = msg.proxy("context.page.url")
    payload["referrer"] = msg.referrer()
    if revenue:
        payload["revenue"] = revenue
        payload["currency"] = msg.currency()
    payload["price"] = msg.price()
    payload["quantity"] = msg.quantity()
    payload["order_id"] = msg.order_id()
    if products:
        payload["items"] = [_item(p) for p in products]
    payload["properties"] = msg.properties()
    payload["traits"] = msg.traits()
    return _compact(payload)


def identify(msg: Identify, settings: Dict[str, Any]) -> Dict[str, Any]:
    """Map an Identify call."""
    payload = _common(msg, settings, "identify")
    payload["email"] = msg.email()
    payload["name"] = msg.name()
    payload["first_name"] = msg.first_name()
    payload["last_name"] = msg.last_name()
    payload["phone"] = msg.phone()
    payload["company"] = msg.company_name()
    payload["city"] = msg.city()
    payload["country"] = msg.country()
    payload["created"] = msg.created()
    payload["traits"] = msg.traits()
    return _compact(payload)


def page(msg: Page, settings: Dict[str, Any]) -> Dict[str, Any]:
    """Map a Page or Screen call (Screen's event says "Screen")."""
    payload = _common(msg, settings, msg.type())
    payload["event"] = msg.event(msg.full_name())
    payload["name"] = msg.name()
    payload["category"] = msg.category()
    payload["url"] = msg.url()
    payload["path"] = msg.path()
    payload["title"] = msg.title()
    payload["referrer"] = msg.referrer()
    payload["email"] = msg.email()
    payload["properties"] = msg.properties()
    return _compact(payload)


screen = page


def group(msg: Group, settings: Dict[str, Any]) -> Dict[str, Any]:
    """Map a Group call."""
    payload = _common(msg, settings, "group")
    payload["group_id"] = msg.group_id()
    payload["name"] = msg.name()
    payload["industry"] = msg.industry()
    payload["employees"] = msg.employees()
    payload["email"] = msg.email()
    payload["created"] = msg.created()
    payload["city"] = msg.city()
    payload["traits"] = msg.traits()
    return _compact(payload)


def alias(msg: Alias, settings: Dict[str, Any]) -> Dict[str, Any]:
    """Map an Alias call."""
    payload = _common(msg, settings, "alias")
    payload["previous_id"] = msg.previous_id()
    payload["alias"] = msg.user_id()
    return _compact(payload)


MAPPERS: Dict[str, Callable[[Any, Dict[str, Any]], Dict[str, Any]]] = {
    "track": track, "identify": identify, "page": page, "screen": screen,
    "group": group, "alias": alias,
}
