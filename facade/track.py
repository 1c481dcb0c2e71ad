"""``Track``: an event with properties (``lib/track.js``), e-commerce helpers included."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Dict, Optional, Tuple

from .base import _EMPTY, Facade
from .identify import Identify
from .dates import iso_value
from .jsvalues import add, parse_float, subtract
from .objcase import _compile, lookup, lookup_compiled
from .views import get, property_field, read
from .values import export, is_email, out, truthy

__all__ = ["Track", "currency"]

_ORDER_COMPLETED = re.compile(
    r"^[ _]?completed[ _]?order[ _]?|^[ _]?order[ _]?completed[ _]?$", re.I)
_TRAITS_EMAIL = _compile("traits.email")
_REFERRER_URL = _compile("referrer.url")
_PAGE_REFERRER = _compile("page.referrer")


_ORDER_EVENTS: Dict[str, bool] = {}  # event name -> matches _ORDER_COMPLETED


def _order_completed(event: str) -> bool:
    """Whether ``event`` names an "Order Completed" event (remembered per name)."""
    if type(event) is not str:
        return _ORDER_COMPLETED.search(event) is not None
    found = _ORDER_EVENTS.get(event)
    if found is None:
        found = _ORDER_COMPLETED.search(event) is not None
        if len(_ORDER_EVENTS) >= 4096:
            _ORDER_EVENTS.clear()
        _ORDER_EVENTS[event] = found
    return found


def _is_number(value: Any) -> bool:
    return (type(value) is int or type(value) is float) and value == value


def currency(value: Any) -> Any:
    """Read a money amount the way ``Track#revenue()`` does.

    Numbers pass through; in a string every ``$`` is dropped and the leading number is
    parsed as JavaScript's ``parseFloat`` does (after JavaScript whitespace, BOM included;
    ``"Infinity"`` is a number), an integral result becoming an ``int``.

    Args:
        value: A raw amount.

    Returns:
        The number, or None for falsy, unparseable or non-numeric values.
    """
    if not truthy(value) or type(value) is bool:
        return None
    if type(value) is int or type(value) is float:
        return value
    if not isinstance(value, str):
        return None
    number = parse_float(value.replace("$", ""))
    if number != number:
        return None
    return int(number) if number.is_integer() else number


class Track(Facade):
    """A ``track`` message."""

    __slots__ = ()
    _TYPE: ClassVar[Optional[str]] = "track"
    _ACCESSORS: ClassVar[Tuple[str, ...]] = (
        "type", "action",
        "event", "properties", "value", "category", "id", "sku", "tax", "name", "price",
        "total", "repeat", "coupon", "shipping", "discount", "description", "plan",
        "product_id", "promotion_id", "cart_id", "checkout_id", "payment_id", "coupon_id",
        "wishlist_id", "review_id", "shipping_method", "payment_method", "order_id",
        "subtotal", "products", "quantity", "currency", "referrer", "query", "username",
        "email", "revenue", "cents",
    )
    _VIEWS: ClassVar[Dict[str, str]] = {"properties": "_prp"}

    def _build_properties(self) -> dict:
        props = self._obj.get("properties")
        return props if isinstance(props, dict) else _EMPTY

    def _first_prop(self, *paths: str) -> Any:
        value: Any = None
        for path in paths:
            value = get(self._pv or self._prp(), path)
            if truthy(value):
                break
        return out(value)

    def event(self) -> Any:
        """The ``event`` field.

        Returns:
            The event name or None.
        """
        value = self._obj.get("event")
        return value if type(value) is str and value[4:5] != "-" else export(value)

    def properties(self, aliases: Optional[Dict[str, str]] = None) -> dict:
        """The ``properties`` field (``{}`` when not an object).

        Args:
            aliases: ``{from: to}`` renames; ``from`` naming an accessor (e.g.
                ``revenue``) takes its value; a 1:1 alias keeps its key.

        Returns:
            A fresh dict.
        """
        view = self._pv or self._prp()
        return self._fresh(view[0], aliases, view)

    value = property_field("value")

    category = property_field("category")

    id = property_field("id")

    sku = property_field("sku")

    tax = property_field("tax")

    name = property_field("name")

    price = property_field("price")

    total = property_field("total")

    repeat = property_field("repeat")

    coupon = property_field("coupon")

    shipping = property_field("shipping")

    discount = property_field("discount")

    description = property_field("description")

    plan = property_field("plan")

    # ``x_id`` and ``xId`` are the same key under obj-case, so one lookup answers both.
    product_id = property_field("product_id")

    promotion_id = property_field("promotion_id")

    cart_id = property_field("cart_id")

    checkout_id = property_field("checkout_id")

    payment_id = property_field("payment_id")

    coupon_id = property_field("coupon_id")

    wishlist_id = property_field("wishlist_id")

    review_id = property_field("review_id")

    shipping_method = property_field("shipping_method")

    payment_method = property_field("payment_method")

    def order_id(self) -> Any:
        """``properties.id``, else ``order_id`` (or ``orderId``): ``id`` comes first.

        Returns:
            The value or None.
        """
        view = self._pv or self._prp()
        value = get(view, "id")
        if value is None or not truthy(value):
            value = get(view, "order_id")
        return out(value)

    def subtotal(self) -> Any:
        """``properties.subtotal``, else the total less tax and shipping, *plus* discount.

        Without ``total`` the revenue is used, unadjusted. The arithmetic is JavaScript's,
        as in the original: the discount is added back, ``-`` reads both sides as numbers
        and ``+`` concatenates when either side is a string (``100 + "5"`` is ``"1005"``).

        Returns:
            The subtotal, or 0 when there is nothing to compute it from.
        """
        subtotal = get(self._pv or self._prp(), "subtotal")
        total = self.total()
        from_total = truthy(total)
        if not from_total:
            total = self.revenue()
        if truthy(subtotal):
            return out(subtotal)
        if not truthy(total):
            return 0
        if from_total:
            part = self.tax()
            if truthy(part):
                total = subtract(total, part)
            part = self.shipping()
            if truthy(part):
                total = subtract(total, part)
            part = self.discount()
            if truthy(part):
                total = add(total, part)
        return total

    def products(self) -> list:
        """``properties.products`` when a list, without null entries; else ``[]``.

        Returns:
            A fresh list.
        """
        products = lookup(self._pv or self._prp(), "products")
        if not isinstance(products, list):
            return []
        return export([p for p in products if p is not None])

    def quantity(self) -> Any:
        """``properties.quantity`` (exact key), else 1 (also for 0).

        Returns:
            The quantity.
        """
        props = self._obj.get("properties")
        value = props.get("quantity") if isinstance(props, dict) else None
        return export(value) if truthy(value) else 1

    def currency(self) -> Any:
        """``properties.currency`` (exact key), else ``"USD"``.

        Returns:
            The currency code.
        """
        props = self._obj.get("properties")
        value = props.get("currency") if isinstance(props, dict) else None
        return export(value) if truthy(value) else "USD"

    def referrer(self) -> Any:
        """``context.referrer.url``, else ``context.page.referrer``, else
        ``properties.referrer``.

        Returns:
            The value or None.
        """
        options = self._ov or self._ctx()
        value = lookup_compiled(options, _REFERRER_URL)
        if not truthy(value):
            value = lookup_compiled(options, _PAGE_REFERRER)
            if not truthy(value):
                view = self._pv or self._prp()
                hit = view[1].get("referrer")
                value = None if hit is None else view[0][hit[1]]
        return value if type(value) is str and value[4:5] != "-" else export(value)

    def query(self) -> Any:
        """``context.query``."""
        return read(self._ov or self._ctx(), "query")

    def username(self) -> Any:
        """``context.traits.username``, else ``properties.username``, else the user id,
        else the anonymous id.

        Returns:
            The value or None.
        """
        value = get(self._tv or self._trt(), "username")
        if not truthy(value):
            value = get(self._pv or self._prp(), "username")
            if not truthy(value):
                value = self.user_id()
                if not truthy(value):
                    return self.session_id()
        return out(value)

    def email(self) -> Any:
        """``context.traits.email``, else ``properties.email``, else the user id when it
        looks like an e-mail address.

        Returns:
            The address or None.
        """
        # get() + out() of each candidate is lookup + export() of the first truthy one
        view = self._tv or self._trt()
        hit = view[1].get("email")
        email = None if hit is None else view[0][hit[1]]
        if not truthy(email):
            view = self._pv or self._prp()
            hit = view[1].get("email")
            email = None if hit is None else view[0][hit[1]]
            if not truthy(email):
                email = lookup_compiled(self._ov or self._ctx(), _TRAITS_EMAIL)
        if truthy(email):
            return email if type(email) is str and email[4:5] != "-" else export(email)
        user_id = self.user_id()
        return user_id if is_email(user_id) else None

    def revenue(self) -> Any:
        """``properties.revenue`` as a number (``"$12.50"`` is 12.5); for an "Order
        Completed" event without revenue, ``properties.total``.

        Returns:
            The number or None.
        """
        view = self._pv or self._prp()
        hit = view[1].get("revenue")
        revenue = None if hit is None else view[0][hit[1]]
        if not truthy(revenue):
            event = self._obj.get("event")
            if isinstance(event, str) and _order_completed(event):
                revenue = get(view, "total")
        elif type(revenue) is str:
            revenue = iso_value(revenue)
        return currency(revenue)

    def cents(self) -> Any:
        """The revenue times 100 when it is a number, else ``value()``, else 0.

        Returns:
            The amount in cents.
        """
        revenue = self.revenue()
        if _is_number(revenue):
            return revenue * 100
        value = self.value()
        return value if truthy(value) else 0

    def identify(self) -> Identify:
        """This message as an :class:`Identify` whose traits are this call's traits.

        Returns:
            A new Identify over a copy of the message.
        """
        json = self._derived_json()
        json["traits"] = self.traits()
        return Identify(json)
