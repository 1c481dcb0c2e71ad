r"""The raw-Python baseline of the benchmarks: the Acme mapping with plain dict access and no
framework, and plain senders for a loopback sink.

It is the ceiling our pipeline is measured against (``bench_map``'s ``vs_raw``,
``bench_send``'s ``python-raw`` lines): what the same work costs in straight Python. Its
``map`` output must be byte-identical to the Acme integration's (``bench/acme.py``, facade
accessors only) on the corpus; ``bench_map`` checks every line.

    from bench import raw_baseline
    payload = raw_baseline.dumps(raw_baseline.MAPPERS[m["type"]](m))

The helpers mirror the facade accessors the Acme mapper reads: ``is_email`` (a loose
``.+@.+\..+``), ``ts_fields`` (epoch milliseconds and the UTC ISO string of a timestamp),
``currency`` (numbers pass, ``"$12.34"`` is parsed), and compacting away ``None``.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime, timezone
from typing import Any

#: A message or payload: a JSON object.
Payload = dict[str, Any]

__all__ = ["MAPPERS", "PATHS", "HEADERS", "SETTINGS", "dumps", "pass_map", "make_poster"]

SETTINGS = {"apiKey": "bench-api-key"}
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
UTC = timezone.utc
EMAIL_RE = re.compile(r".+@.+\..+")  # is-email 0.1.0
ORDER_COMPLETED_RE = re.compile(
    r"^[ _]?completed[ _]?order[ _]?|^[ _]?order[ _]?completed[ _]?$", re.I)
LEADING_FLOAT_RE = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def is_email(v: Any) -> bool:
    return isinstance(v, str) and EMAIL_RE.search(v) is not None


def ts_fields(value: str) -> tuple[int, str]:
    """(epoch ms, UTC ISO string with ms) like Date#getTime/#toISOString."""
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    d = dt - EPOCH
    ms = d.days * 86400000 + d.seconds * 1000 + d.microseconds // 1000
    u = dt.astimezone(UTC)
    iso = "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
        u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond // 1000)
    return ms, iso


def currency(val: Any) -> Any:
    """Track#revenue()'s currency(): numbers pass, "$12.34" is parsed."""
    if not val or isinstance(val, bool):
        return None
    if isinstance(val, (int, float)):
        return val
    if not isinstance(val, str):
        return None
    m = LEADING_FLOAT_RE.match(val.replace("$", ""))
    if not m:
        return None
    f = float(m.group(0))
    return int(f) if f.is_integer() else f


def compact(d: Payload) -> Payload:
    return {k: v for k, v in d.items() if v is not None}


def sub(d: Payload, key: str) -> Payload:
    v = d.get(key)
    return v if isinstance(v, dict) else {}


def address_part(traits: Payload, props: Payload, key: str) -> Any:
    return (sub(traits, "address").get(key) or traits.get(key)
            or sub(props, "address").get(key) or props.get(key) or None)


def common(m: Payload, ctx: Payload, type_: str, uid: Any) -> Payload:
    anon = m.get("anonymousId") or m.get("sessionId")
    ms, iso = ts_fields(m["timestamp"])
    lib = ctx.get("library")
    if not lib:
        lib_name = "unknown"
    elif isinstance(lib, str):
        lib_name = lib
    else:
        lib_name = lib.get("name")
    return {
        "type": type_,
        "token": SETTINGS["apiKey"],
        "distinct_id": uid or anon,
        "user_id": uid,
        "anonymous_id": anon,
        "insert_id": m.get("messageId"),
        "time": ms,
        "timestamp": iso,
        "ip": ctx.get("ip"),
        "user_agent": ctx.get("userAgent"),
        "library": lib_name,
        "locale": ctx.get("locale"),
    }


def referrer(ctx: Payload, props: Payload) -> Any:
    return (sub(ctx, "referrer").get("url") or sub(ctx, "page").get("referrer")
            or props.get("referrer"))


# -- the mapper -------------------------------------------------------------

def map_track(m: Payload) -> Payload:
    ctx = m.get("context") or {}
    uid = m.get("userId")
    p = common(m, ctx, "track", uid)
    props = m.get("properties") or {}
    ctraits = sub(ctx, "traits")
    event = m.get("event")
    rev = props.get("revenue")
    if not rev and event and ORDER_COMPLETED_RE.search(event):
        rev = props.get("total")
    revenue = currency(rev)
    p["event"] = event
    p["email"] = (ctraits.get("email") or props.get("email")
                  or (uid if is_email(uid) else None))
    p["url"] = sub(ctx, "page").get("url")
    p["referrer"] = referrer(ctx, props)
    if revenue:
        p["revenue"] = revenue
        p["currency"] = props.get("currency") or "USD"
    p["price"] = props.get("price")
    p["quantity"] = props.get("quantity") or 1
    p["order_id"] = props.get("id") or props.get("order_id") or props.get("orderId")
    products = props.get("products")
    if isinstance(products, list) and products:
        fields = (("id", "product_id"), ("sku", "sku"), ("price", "price"),
                  ("quantity", "quantity"))
        p["items"] = [{k: x[s] for k, s in fields if s in x} for x in products]
    p["properties"] = props
    traits = dict(ctraits)
    if uid:
        traits["id"] = uid
    p["traits"] = traits
    return compact(p)


def first_name(t: Payload) -> str | None:
    v = t.get("firstName")
    if isinstance(v, str):
        return v.strip()
    n = t.get("name")
    if isinstance(n, str):
        return n.strip().split(" ")[0]
    return None


def last_name(t: Payload) -> str | None:
    v = t.get("lastName")
    if isinstance(v, str):
        return v.strip()
    n = t.get("name")
    if not isinstance(n, str):
        return None
    sp = n.strip().find(" ")
    if sp == -1:
        return None
    return n[sp + 1:].strip()


def map_identify(m: Payload) -> Payload:
    ctx = m.get("context") or {}
    uid = m.get("userId")
    p = common(m, ctx, "identify", uid)
    t = dict(m.get("traits") or {})
    if uid:
        t["id"] = uid
    fn, ln = first_name(t), last_name(t)
    name = t.get("name")
    if isinstance(name, str):
        name = name.strip()
    elif fn and ln:
        name = (fn + " " + ln).strip()
    else:
        name = None
    phones = t.get("phones")
    p["email"] = t.get("email") or (uid if is_email(uid) else None)
    p["name"] = name
    p["first_name"] = fn
    p["last_name"] = ln
    p["phone"] = t.get("phone") or (phones[0] if isinstance(phones, list) and phones else None)
    p["company"] = sub(t, "company").get("name")
    p["city"] = address_part(t, {}, "city")
    p["country"] = address_part(t, {}, "country")
    p["created"] = t.get("created") or t.get("createdAt")
    p["traits"] = t
    return compact(p)


def _page_like(m: Payload, kind: str) -> Payload:
    ctx = m.get("context") or {}
    uid = m.get("userId")
    p = common(m, ctx, kind, uid)
    name = m.get("name")
    cat = m.get("category")
    props = dict(m.get("properties") or {})
    if cat:
        props["category"] = cat
    if name:
        props["name"] = name
    full = cat + " " + name if name and cat else name
    if kind == "page":
        p["event"] = "Viewed " + full + " Page" if full else "Loaded a Page"
    else:
        p["event"] = "Viewed " + full + " Screen" if full else "Loaded a Screen"
    p["name"] = name
    p["category"] = cat
    p["url"] = props.get("url")
    p["path"] = props.get("path")
    p["title"] = props.get("title")
    p["referrer"] = referrer(ctx, props)
    p["email"] = (sub(ctx, "traits").get("email") or props.get("email")
                  or (uid if is_email(uid) else None))
    p["properties"] = props
    return compact(p)


def map_page(m: Payload) -> Payload:
    return _page_like(m, "page")


def map_screen(m: Payload) -> Payload:
    return _page_like(m, "screen")


def map_group(m: Payload) -> Payload:
    ctx = m.get("context") or {}
    uid = m.get("userId")
    p = common(m, ctx, "group", uid)
    gid = m.get("groupId")
    t = dict(m.get("traits") or m.get("properties") or {})
    if gid:
        t["id"] = gid
    p["group_id"] = gid
    p["name"] = t.get("name")
    p["industry"] = t.get("industry")
    p["employees"] = t.get("employees")
    p["email"] = t.get("email") or (gid if is_email(gid) else None)
    p["created"] = t.get("createdAt") or t.get("created")
    p["city"] = address_part(t, t, "city")
    p["traits"] = t
    return compact(p)


def map_alias(m: Payload) -> Payload:
    ctx = m.get("context") or {}
    uid = m.get("userId") or m.get("to")
    p = common(m, ctx, "alias", uid)
    p["previous_id"] = m.get("previousId") or m.get("from")
    p["alias"] = uid
    return compact(p)


MAPPERS = {"track": map_track, "identify": map_identify, "page": map_page,
           "screen": map_screen, "group": map_group, "alias": map_alias}
PATHS = {"track": "/track", "page": "/track", "screen": "/track",
         "identify": "/engage", "group": "/groups", "alias": "/alias"}


def pass_map(objs: list[Payload]) -> int:
    """Map and serialise every message of ``objs``; returns the characters produced."""
    chars = 0
    mappers = MAPPERS
    for m in objs:
        chars += len(dumps(mappers[m["type"]](m)))
    return chars


HEADERS = {"Content-Type": "application/json", "User-Agent": "Segment.io/1.0",
           "Authorization": "Basic YmVuY2gtYXBpLWtleTo="}  # base64("bench-api-key:")


def make_poster(kind: str, port: int, workers: int) -> tuple[Any, str, Any]:
    """-> (post(path, body) -> status or None, describe, close).

    requests:    one requests.Session shared by all threads, pool of `workers`.
    http.client: one keep-alive http.client.HTTPConnection per thread.
    Both talk to 127.0.0.1:port only and never consult proxy settings.
    """
    base = "http://127.0.0.1:%d/v1" % port
    if kind == "requests":
        import requests
        from requests.adapters import HTTPAdapter
        session = requests.Session()
        session.trust_env = False  # never route loopback traffic via a proxy
        session.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=max(1, workers),
                                             pool_block=True, max_retries=0))

        def post(path: str, body: bytes) -> int | None:
            try:
                r = session.post(base + path, data=body, headers=HEADERS, timeout=10)
                r.content  # drain so the connection goes back to the pool
                return r.status_code
            except requests.RequestException:
                return None
        return post, "requests " + getattr(requests, "__version__", "?"), session.close

    import http.client
    local = threading.local()
    conns = []

    def post_stdlib(path: str, body: bytes) -> int | None:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conns.append(conn)
        try:
            conn.request("POST", "/v1" + path, body=body, headers=HEADERS)
            r = conn.getresponse()
            r.read()
            return r.status
        except (OSError, http.client.HTTPException):
            conn.close()
            local.conn = None
            return None

    def close() -> None:
        for c in conns:
            c.close()
    return post_stdlib, "http.client (stdlib)", close
