"""Semantic (spec'd) track events and the routing of a track call to its method.

A track whose event names a spec'd event (``Order Completed``, ``viewed_product``,
``productAdded`` ...) goes to the snake_case method of that event (``order_completed``) when the
integration defines one. The object/action pairs follow segmentio/analytics-events; unlike the
original, every alternative of a pattern is anchored at both ends, so ``Added Product to
Wishlist`` routes to ``product_added_to_wishlist`` and never to ``product_added``.
"""

from __future__ import annotations

import re
from typing import Iterable

__all__ = ["SEMANTIC_EVENTS", "PATTERNS", "semantic_method", "pattern_for"]

#: method name -> the (object, action) pairs that name it, in routing order.
SEMANTIC_EVENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "video_playback_started": (("video playback", "started"),),
    "video_playback_paused": (("video playback", "paused"),),
    "video_playback_interrupted": (("video playback", "interrupted"),),
    "video_playback_resumed": (("video playback", "resumed"),),
    "video_playback_completed": (("video playback", "completed"),),
    "video_playback_buffer_started": (("video playback buffer", "started"),),
    "video_playback_buffer_completed": (("video playback buffer", "completed"),),
    "video_playback_seek_started": (("video playback seek", "started"),),
    "video_playback_seek_completed": (("video playback seek", "completed"),),
    "video_content_started": (("video content", "started"),),
    "video_content_playing": (("video content", "playing"),),
    "video_content_completed": (("video content", "completed"),),
    "video_ad_started": (("video ad", "started"),),
    "video_ad_playing": (("video ad", "playing"),),
    "video_ad_completed": (("video ad", "completed"),),
    "promotion_viewed": (("promotion", "viewed"),),
    "promotion_clicked": (("promotion", "clicked"),),
    "products_searched": (("products", "searched"),),
    "product_list_viewed": (("product list", "viewed"), ("product category", "viewed")),
    "product_list_filtered": (("product list", "filtered"),),
    "product_clicked": (("product", "clicked"),),
    "product_viewed": (("product", "viewed"),),
    "product_added": (("product", "added"),),
    "product_removed": (("product", "removed"),),
    "cart_viewed": (("cart", "viewed"),),
    "order_updated": (("order", "updated"),),
    "order_completed": (("order", "completed"),),
    "order_refunded": (("order", "refunded"),),
    "order_cancelled": (("order", "cancelled"),),
    "payment_info_entered": (("payment info", "entered"),),
    "checkout_started": (("checkout", "started"),),
    "checkout_step_viewed": (("checkout step", "viewed"),),
    "checkout_step_completed": (("checkout step", "completed"),),
    "coupon_entered": (("coupon", "entered"),),
    "coupon_applied": (("coupon", "applied"),),
    "coupon_denied": (("coupon", "denied"),),
    "coupon_removed": (("coupon", "removed"),),
    "product_added_to_wishlist": (("product", "added to wishlist"),),
    "product_removed_from_wishlist": (("product", "removed from wishlist"),),
    "product_added_from_wishlist_to_cart": (("product", "added to cart from wishlist"),
                                            ("product", "added from wishlist to cart")),
    "product_shared": (("product", "shared"),),
    "cart_shared": (("cart", "shared"),),
    "product_reviewed": (("product", "reviewed"),),
    "application_installed": (("application", "installed"),),
    "application_updated": (("application", "updated"),),
    "application_opened": (("application", "opened"),),
    "application_backgrounded": (("application", "backgrounded"),),
    "application_crashed": (("application", "crashed"),),
    "application_uninstalled": (("application", "uninstalled"),),
    "install_attributed": (("install", "attributed"),),
    "deep_link_opened": (("deep link", "opened"),),
    "deep_link_clicked": (("deep link", "clicked"),),
    "push_notification_received": (("push notification", "received"),),
    "push_notification_tapped": (("push notification", "tapped"),),
    "push_notification_bounced": (("push notification", "bounced"),),
    "email_bounced": (("email", "bounced"),),
    "email_delivered": (("email", "delivered"),),
    "email_link_clicked": (("email link", "clicked"),),
    "email_marked_as_spam": (("email", "marked as spam"),),
    "email_opened": (("email", "opened"),),
    "live_chat_conversation_started": (("live chat conversation", "started"),),
    "live_chat_conversation_ended": (("live chat conversation", "ended"),),
    "live_chat_message_sent": (("live chat message", "sent"),),
    "live_chat_message_received": (("live chat message", "received"),),
}


def _alternative(words: Iterable[str]) -> str:
    parts = [re.escape(w) for phrase in words for w in phrase.split()]
    return "^[ _]?" + "[ _]?".join(parts) + "[ _]?$"


def pattern_for(pairs: Iterable[tuple[str, str]]) -> re.Pattern[str]:
    """The case-insensitive pattern matching ``object action`` or ``action object`` forms."""
    alternatives = []
    for obj, action in pairs:
        alternatives.append(_alternative((action, obj)))
        alternatives.append(_alternative((obj, action)))
    return re.compile("|".join(alternatives), re.IGNORECASE)


#: method name -> compiled pattern, in routing order.
PATTERNS: dict[str, re.Pattern[str]] = {
    method: pattern_for(pairs) for method, pairs in SEMANTIC_EVENTS.items()
}


def semantic_method(event: object, implemented: Iterable[str] | None = None) -> str | None:
    """The semantic method an event name routes to, or ``None``.

    Args:
        event: The track call's event name; anything but a string routes nowhere.
        implemented: When given, only these method names are considered.
    """
    if not isinstance(event, str) or not event:
        return None
    candidates = PATTERNS if implemented is None else {
        m: p for m, p in PATTERNS.items() if m in set(implemented)}
    for method, pattern in candidates.items():
        if pattern.match(event):
            return method
    return None
