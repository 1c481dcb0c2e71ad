"""The benchmark corpus: a deterministic stream of Segment-spec messages (NDJSON).

    python -m bench.corpus N [--seed 20240101] > corpus.ndjson

About half the messages are ``track`` calls, a fifth ``identify``, 15% ``page`` and 5% each
``screen``, ``group`` and ``alias``. Every message has ``messageId``, ``type``, ``channel``,
``timestamp``, ``sentAt``, ``receivedAt``, ``context``, ``integrations`` and an ``anonymousId``
and/or ``userId``. About one ``timestamp`` in ten carries a UTC offset; every other date is UTC
with milliseconds and ``Z``, so a facade's date round trip is the identity. The
``integrations`` object never disables the benchmarks' "Acme" destination.

The same N and seed always give the same bytes, and the same bytes as the corpus generator the
figures in BENCHMARKS.md were first measured with (``tests/bench/test_corpus.py`` pins the
digests). Standard library only.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator, Sequence

__all__ = ["CorpusGenerator", "generate", "write", "main"]

#: A generated message (nested JSON-ready values).
Message = dict[str, Any]
#: One simulated user: (userId, anonymousId, first name, last name, e-mail).
User = tuple[str, str, str, str, str]

BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)
SPAN_S = 365 * 24 * 3600

FIRST = ["Ada", "Grace", "Alan", "Linus", "Barbara", "Ken", "Margaret", "Dennis",
         "Frances", "Edsger", "Radia", "Guido", "Katherine", "Donald", "Hedy",
         "Tim", "Sophie", "John", "Shafi", "Leslie"]
LAST = ["Lovelace", "Hopper", "Turing", "Torvalds", "Liskov", "Thompson",
        "Hamilton", "Ritchie", "Allen", "Dijkstra", "Perlman", "van Rossum",
        "Johnson", "Knuth", "Lamarr", "Berners-Lee", "Wilson", "McCarthy",
        "Goldwasser", "Lamport"]
DOMAINS = ["example.com", "example.org", "example.net", "mail.example.com",
           "corp.example.io"]
CITIES = [("San Francisco", "CA", "US", "94107"), ("New York", "NY", "US", "10001"),
          ("Austin", "TX", "US", "73301"), ("Berlin", "BE", "DE", "10115"),
          ("Paris", "IDF", "FR", "75001"), ("London", "LND", "GB", "EC1A 1BB"),
          ("Toronto", "ON", "CA", "M5H 2N2"), ("Sydney", "NSW", "AU", "2000"),
          ("Tokyo", "13", "JP", "100-0001"), ("Sao Paulo", "SP", "BR", "01000-000")]
STREETS = ["Market St", "Broadway", "Main St", "Unter den Linden", "Rue de Rivoli",
           "High St", "King St W", "George St", "Chuo-dori", "Av Paulista"]
INDUSTRIES = ["Software", "Retail", "Finance", "Healthcare", "Media",
              "Education", "Manufacturing", "Logistics"]
PLANS = ["free", "starter", "team", "business", "enterprise"]
LOCALES = ["en-US", "en-GB", "de-DE", "fr-FR", "ja-JP", "pt-BR", "es-ES"]
USER_AGENTS = [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36 Edg/123.0.0.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
]
WEB_LIBS = [{"name": "analytics.js", "version": "4.15.3"},
            {"name": "analytics-next", "version": "1.70.0"}]
SERVER_LIBS = [{"name": "analytics-node", "version": "6.2.0"},
               {"name": "analytics-python", "version": "2.3.2"},
               {"name": "analytics-go", "version": "3.3.0"}]
MOBILE_LIBS = [{"name": "analytics-ios", "version": "4.1.8"},
               {"name": "analytics-android", "version": "4.11.3"}]
HOST = "https://www.example.com"
PAGES = [("Home", None, "/"), ("Pricing", "Marketing", "/pricing"),
         ("Getting Started", "Docs", "/docs/getting-started"),
         ("API Reference", "Docs", "/docs/api"), ("Blog Post", "Blog", "/blog/launch-week"),
         ("Checkout", "Shop", "/checkout"), ("Product", "Shop", "/shop/p/sku-1234"),
         ("Sign Up", None, "/signup"), (None, None, "/about"), (None, "Careers", "/careers")]
REFERRERS = ["https://www.google.com/", "https://news.ycombinator.com/",
             "https://twitter.com/", "https://www.bing.com/search?q=example", ""]
SCREENS = [("Home", None), ("Product Detail", "Shop"), ("Cart", "Shop"),
           ("Settings", "Account"), ("Login", None), ("Feed", "Social")]
PRODUCTS = [("sku-1001", "Monopoly: 3rd Edition", "Games", 19.0),
            ("sku-1002", "Uno Card Game", "Games", 3.0),
            ("sku-2001", "Mechanical Keyboard", "Electronics", 129.99),
            ("sku-2002", "USB-C Hub", "Electronics", 45.5),
            ("sku-3001", "Espresso Beans 1kg", "Grocery", 24.75),
            ("sku-4001", "Running Shoes", "Apparel", 89.0),
            ("sku-5001", "Paperback Novel", "Books", 12.49)]
CURRENCIES = ["USD", "USD", "USD", "EUR", "GBP", "JPY", "CAD"]
ECOM_EVENTS = ["Order Completed", "Product Added", "Product Viewed",
               "Checkout Started", "Product Removed", "Cart Viewed"]
OTHER_EVENTS = ["Signed Up", "Logged In", "Article Read", "Video Played",
                "Button Clicked", "Form Submitted", "Invite Sent",
                "Subscription Upgraded", "Search Performed", "File Uploaded"]
OTHER_DESTS = ["Mixpanel", "Google Analytics", "Amplitude", "Intercom",
               "Salesforce", "Keen IO", "Customer.io"]


def tidy(v: Any) -> Any:
    """Integral floats become ints (as a JavaScript client would send them)."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, dict):
        return {k: tidy(x) for k, x in v.items()}
    if isinstance(v, list):
        return [tidy(x) for x in v]
    return v


def iso_utc(dt: datetime) -> str:
    dt = dt.astimezone(timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


class CorpusGenerator:
    """Draws messages from one seeded ``random.Random``; the order of draws is the format:
    changing any of it changes every corpus."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.users: list[User] = []
        for i in range(2000):
            first = self.r.choice(FIRST)
            last = self.r.choice(LAST)
            email = "%s.%s%d@%s" % (first.lower(), last.lower().replace(" ", ""), i,
                                    self.r.choice(DOMAINS))
            # ~10% of user ids are e-mail addresses (exercises is-email fallbacks)
            uid = email if self.r.random() < 0.1 else "user_%06d" % (100000 + i * 7)
            self.users.append((uid, self.uuid(), first, last, email))
        self.groups = ["org_%05d" % (10000 + 13 * i) for i in range(300)]

    # -- primitives ---------------------------------------------------------
    def uuid(self) -> str:
        h = "%032x" % self.r.getrandbits(128)
        variant = "89ab"[int(h[16], 16) & 3]
        return "%s-%s-4%s-%s%s-%s" % (h[0:8], h[8:12], h[13:16], variant, h[17:20], h[20:32])

    def when(self) -> datetime:
        return BASE + timedelta(milliseconds=self.r.randrange(SPAN_S * 1000))

    def ts(self, dt: datetime) -> str:
        if self.r.random() < 0.1:
            off = self.r.choice([-8, -5, -3, 1, 2, 5.5, 9])
            tz = timezone(timedelta(hours=off))
            local = dt.astimezone(tz)
            s = local.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d" % (local.microsecond // 1000)
            sign = "+" if off >= 0 else "-"
            mins = int(abs(off) * 60)
            return s + "%s%02d:%02d" % (sign, mins // 60, mins % 60)
        return iso_utc(dt)

    def ip(self) -> str:
        # documentation ranges only; these are payload strings, never contacted
        net = self.r.choice(["192.0.2", "198.51.100", "203.0.113"])
        return "%s.%d" % (net, self.r.randrange(1, 255))

    def money(self, lo: float, hi: float) -> float:
        return round(self.r.uniform(lo, hi), 2)

    def address(self) -> Message:
        city, state, country, postal = self.r.choice(CITIES)
        return {"street": "%d %s" % (self.r.randrange(1, 999), self.r.choice(STREETS)),
                "city": city, "state": state, "postalCode": postal, "country": country}

    def integrations(self) -> Message:
        k = self.r.random()
        if k < 0.35:
            return {}
        if k < 0.6:
            return {"All": True}
        out: Message = {"All": True}
        for d in self.r.sample(OTHER_DESTS, self.r.randrange(1, 4)):
            v = self.r.random()
            if d == "Google Analytics" and v < 0.5:
                client = (self.r.randrange(10 ** 9), self.r.randrange(10 ** 9))
                out[d] = {"clientId": "%d.%d" % client}
            else:
                out[d] = v < 0.5
        return out

    # -- envelope -----------------------------------------------------------
    def envelope(self, mtype: str, channel: str, user: User, dt: datetime,
                 anon_only: bool = False) -> Message:
        uid, anon, first, last, email = user
        r = self.r
        msg: Message = {"type": mtype, "messageId": self.uuid(), "channel": channel}
        k = r.random()
        if anon_only or k < 0.2:
            msg["anonymousId"] = anon
        elif k < 0.35:
            msg["userId"] = uid
        else:
            msg["anonymousId"] = anon
            msg["userId"] = uid
        if channel == "client":
            lib = r.choice(WEB_LIBS)
        elif channel == "mobile":
            lib = r.choice(MOBILE_LIBS)
        else:
            lib = r.choice(SERVER_LIBS)
        ctx: Message = {"ip": self.ip(), "library": dict(lib), "locale": r.choice(LOCALES)}
        if channel != "server" or r.random() < 0.5:
            ctx["userAgent"] = r.choice(USER_AGENTS)
        if channel == "client" or (channel == "server" and r.random() < 0.3):
            name, cat, path = r.choice(PAGES)
            ref = r.choice(REFERRERS)
            ctx["page"] = {"path": path, "referrer": ref, "search": "",
                           "title": (name or "Example") + " | Example",
                           "url": HOST + path}
        if channel == "mobile":
            ios = lib["name"] == "analytics-ios"
            ctx["device"] = {"id": self.uuid(), "manufacturer": "Apple" if ios else "Google",
                             "model": "iPhone15,2" if ios else "Pixel 8",
                             "type": "ios" if ios else "android"}
            ctx["os"] = {"name": "iOS" if ios else "Android", "version": "17.4" if ios else "14"}
            ctx["app"] = {"name": "Example", "version": "3.%d.0" % r.randrange(10),
                          "build": str(r.randrange(100, 999))}
            ctx["network"] = {"wifi": r.random() < 0.6, "carrier": "Example Mobile"}
            ctx["screen"] = {"width": 1179 if ios else 1080, "height": 2556 if ios else 2400}
        if r.random() < 0.5:
            ctx["traits"] = {"email": email, "name": "%s %s" % (first, last)}
        if r.random() < 0.15:
            ctx["campaign"] = {"name": "spring_sale", "source": "newsletter",
                               "medium": "email", "term": "", "content": "cta"}
        ctx["timezone"] = r.choice(["America/Los_Angeles", "America/New_York",
                                    "Europe/Berlin", "Asia/Tokyo"])
        msg["context"] = ctx
        msg["integrations"] = self.integrations()
        msg["timestamp"] = self.ts(dt)
        msg["sentAt"] = iso_utc(dt + timedelta(milliseconds=r.randrange(5, 900)))
        msg["receivedAt"] = iso_utc(dt + timedelta(milliseconds=r.randrange(900, 4000)))
        msg["version"] = 2
        return msg

    # -- message types -------------------------------------------------------
    def product(self) -> Message:
        sku, name, cat, price = self.r.choice(PRODUCTS)
        return {"product_id": sku.replace("sku", "pid"), "sku": sku, "name": name,
                "category": cat, "price": price, "quantity": self.r.randrange(1, 4),
                "brand": "Example", "url": HOST + "/shop/p/" + sku,
                "image_url": HOST + "/img/" + sku + ".png"}

    def track(self, user: User, dt: datetime) -> Message:
        r = self.r
        channel = r.choice(["server", "server", "client", "mobile"])
        msg = self.envelope("track", channel, user, dt)
        if r.random() < 0.45:
            event = r.choice(ECOM_EVENTS)
            p = self.product()
            currency = r.choice(CURRENCIES)
            props = {"product_id": p["product_id"], "sku": p["sku"], "name": p["name"],
                     "category": p["category"], "price": p["price"],
                     "quantity": p["quantity"], "currency": currency}
            if event == "Order Completed":
                products = [self.product() for _ in range(r.randrange(1, 5))]
                subtotal = round(sum(x["price"] * x["quantity"] for x in products), 2)
                tax = round(subtotal * 0.08, 2)
                shipping = r.choice([0, 4.99, 9.99])
                discount = r.choice([0, 0, 5, 10])
                total = round(subtotal + tax + shipping - discount, 2)
                props = {"order_id": "ord_%08d" % r.randrange(10 ** 8),
                         "affiliation": "Example Store", "subtotal": subtotal,
                         "total": total, "tax": tax, "shipping": shipping,
                         "discount": discount, "coupon": "SPRING10" if discount else "",
                         "currency": currency, "products": products}
                k = r.random()
                if k < 0.6:
                    props["revenue"] = round(subtotal - discount, 2)
                elif k < 0.75:
                    # string revenue as some sources send it
                    props["revenue"] = "$%.2f" % (subtotal - discount)
                # else: no revenue -> facade falls back to `total`
            elif r.random() < 0.5:
                props["revenue"] = round(p["price"] * p["quantity"], 2)
            props["cart"] = {"id": "cart_%06d" % r.randrange(10 ** 6),
                             "items": r.randrange(1, 6),
                             "created_at": iso_utc(dt - timedelta(minutes=r.randrange(1, 90)))}
        else:
            event = r.choice(OTHER_EVENTS)
            props = {"plan": r.choice(PLANS), "source": r.choice(["web", "ios", "android", "api"]),
                     "experiment": {"id": "exp_%03d" % r.randrange(100),
                                    "variant": r.choice(["control", "a", "b"])},
                     "tags": r.sample(["alpha", "beta", "gamma", "delta", "eps"],
                                      r.randrange(0, 4)),
                     "duration_ms": r.randrange(10, 60000),
                     "value": self.money(0, 50) if r.random() < 0.3 else None}
            if event == "Article Read":
                props["article"] = {"id": r.randrange(10 ** 6), "title": "How we ship",
                                    "author": {"name": "%s %s" % (r.choice(FIRST), r.choice(LAST)),
                                               "id": r.randrange(1000)},
                                    "published_at": iso_utc(
                                        dt - timedelta(days=r.randrange(1, 400)))}
            if event == "Subscription Upgraded":
                props["revenue"] = r.choice([9.0, 29.0, 99.0, 499.0])
                props["currency"] = "USD"
            if props["value"] is None:
                del props["value"]
        msg["event"] = event
        msg["properties"] = props
        return msg

    def identify(self, user: User, dt: datetime) -> Message:
        r = self.r
        uid, anon, first, last, email = user
        channel = r.choice(["server", "client", "mobile"])
        msg = self.envelope("identify", channel, user, dt)
        traits: Message = {"email": email}
        if r.random() < 0.6:
            traits["name"] = "%s %s" % (first, last)
        else:
            traits["firstName"] = first
            traits["lastName"] = last
        traits["phone"] = "+1-555-%04d" % r.randrange(10000)
        traits["plan"] = r.choice(PLANS)
        traits["logins"] = r.randrange(1, 500)
        traits["createdAt"] = iso_utc(dt - timedelta(days=r.randrange(1, 1500)))
        traits["address"] = self.address()
        if r.random() < 0.7:
            traits["company"] = {"id": r.choice(self.groups), "name": "%s Labs" % r.choice(LAST),
                                 "industry": r.choice(INDUSTRIES),
                                 "employee_count": r.choice([5, 20, 150, 1200, 15000]),
                                 "plan": r.choice(PLANS)}
        if r.random() < 0.3:
            traits["title"] = r.choice(["Engineer", "Designer", "CTO", "Analyst"])
        if r.random() < 0.2:
            traits["website"] = "https://%s" % r.choice(DOMAINS)
        msg["traits"] = traits
        return msg

    def page(self, user: User, dt: datetime) -> Message:
        r = self.r
        msg = self.envelope("page", "client", user, dt)
        name, cat, path = r.choice(PAGES)
        ref = r.choice(REFERRERS)
        if name is not None:
            msg["name"] = name
        if cat is not None:
            msg["category"] = cat
        props = {"path": path, "referrer": ref, "search": "",
                 "title": (name or "Example") + " | Example", "url": HOST + path}
        if r.random() < 0.3:
            props["search"] = "?utm_source=newsletter&utm_medium=email"
            props["url"] += props["search"]
        msg["properties"] = props
        # keep context.page consistent with the page call itself
        msg["context"]["page"] = dict(props)
        return msg

    def screen(self, user: User, dt: datetime) -> Message:
        r = self.r
        msg = self.envelope("screen", "mobile", user, dt)
        name, cat = r.choice(SCREENS)
        msg["name"] = name
        if cat is not None:
            msg["category"] = cat
        msg["properties"] = {"variation": r.choice(["blue", "green"]),
                             "load_ms": r.randrange(50, 3000),
                             "deep_link": r.random() < 0.2}
        return msg

    def group(self, user: User, dt: datetime) -> Message:
        r = self.r
        channel = r.choice(["server", "client"])
        msg = self.envelope("group", channel, user, dt)
        gid = r.choice(self.groups)
        msg["groupId"] = gid
        traits = {"name": "%s %s" % (r.choice(LAST), r.choice(["Labs", "Inc", "GmbH", "Co"])),
                  "industry": r.choice(INDUSTRIES),
                  "employees": r.choice([5, 20, 150, 1200, 15000]),
                  "plan": r.choice(PLANS),
                  "website": "https://%s" % r.choice(DOMAINS),
                  "createdAt": iso_utc(dt - timedelta(days=r.randrange(1, 3000))),
                  "address": self.address()}
        if r.random() < 0.3:
            traits["email"] = "billing@%s" % r.choice(DOMAINS)
        msg["traits"] = traits
        return msg

    def alias(self, user: User, dt: datetime) -> Message:
        r = self.r
        uid, anon, first, last, email = user
        channel = r.choice(["server", "client", "mobile"])
        msg = self.envelope("alias", channel, user, dt)
        msg.pop("anonymousId", None)
        msg["userId"] = uid
        msg["previousId"] = anon if r.random() < 0.8 else "legacy_%06d" % r.randrange(10 ** 6)
        if r.random() < 0.5:
            msg["anonymousId"] = anon
        return msg

    def message(self) -> Message:
        r = self.r
        user = r.choice(self.users)
        dt = self.when()
        k = r.random()
        if k < 0.50:
            return self.track(user, dt)
        if k < 0.70:
            return self.identify(user, dt)
        if k < 0.85:
            return self.page(user, dt)
        if k < 0.90:
            return self.screen(user, dt)
        if k < 0.95:
            return self.group(user, dt)
        return self.alias(user, dt)


def generate(n: int, seed: int = 20240101) -> Iterator[str]:
    """The corpus's ``n`` lines (without newlines), in order."""
    generator = CorpusGenerator(seed)
    encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    for _ in range(n):
        yield encode(tidy(generator.message()))


def write(n: int, seed: int, out: Any) -> None:
    """Write the corpus of ``n`` messages to the text stream ``out``."""
    for line in generate(n, seed):
        out.write(line)
        out.write("\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="how many messages")
    parser.add_argument("--seed", type=int, default=20240101)
    args = parser.parse_args(argv)
    if not 0 <= args.n <= 10_000_000:
        parser.error("n must be between 0 and 10,000,000")
    try:
        write(args.n, args.seed, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:  # piped into `head`
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
