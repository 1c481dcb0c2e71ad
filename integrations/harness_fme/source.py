"""Harness FME impressions as a Segment source: ``get_treatment`` track messages.

FME's impressions webhook posts gzipped JSON arrays of impressions (``key``, ``split``,
``environmentId``, ``environmentName``, ``treatment``, ``time``, ``bucketingKey``, ``label``,
``splitVersionNumber``, ...). :func:`read_impressions` reads such a body and
:func:`convert_impressions` turns each impression into the track message FME's own Segment
source sends::

    {"type": "track", "event": "get_treatment", "userId": "<key>",
     "properties": {"split", "treatment", "label", "environmentName", "environmentId",
                    "changeNumber", "bucketingKey"},
     "timestamp": "<time as ISO-8601>", "messageId": "<stable id>"}

Options (all optional; :data:`DEFAULT_OPTIONS` shows the defaults):

* ``identities``: traffic type -> ``"userId"`` | ``"anonymousId"``; the identity the key is
  sent as. Default ``{"user": "userId", "anonymous": "anonymousId"}``.
* ``splitTrafficTypes``: feature flag name -> traffic type, for impressions that carry no
  traffic type (the webhook's do not). Default ``{}``.
* ``defaultTrafficType``: the traffic type of any other impression. Default ``"user"``.
* ``defaultIdentity``: the identity of a traffic type missing from ``identities``.
  Default ``"userId"``.

An impression's own ``trafficTypeName`` (or ``trafficType``) wins over the two fallbacks.

The ``messageId`` is a UUID-5 over the key, flag, environment id, treatment, time and change
number, so sending the same impressions again never creates duplicates in Segment (which
deduplicates by ``messageId``). :func:`register` makes it the runner's
``--from harness-fme-impressions``.
"""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, Mapping

import facade

__all__ = ["EVENT", "CONVERTER", "DEFAULT_OPTIONS", "NAMESPACE", "read_impressions",
           "convert_impressions", "convert_impression", "message_id", "register"]

EVENT = "get_treatment"
CONVERTER = "harness-fme-impressions"
#: The namespace of the messageIds (a UUID-5 of the converter's name).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:cdp-framework:harness-fme-impressions")
DEFAULT_OPTIONS: dict[str, Any] = {
    "identities": {"user": "userId", "anonymous": "anonymousId"},
    "splitTrafficTypes": {},
    "defaultTrafficType": "user",
    "defaultIdentity": "userId",
}
_IDENTITIES = ("userId", "anonymousId")
#: Field -> the names it may arrive under (webhook name first, then SDK DTO names).
_FIELDS: dict[str, tuple[str, ...]] = {
    "key": ("key", "keyName", "k"),
    "split": ("split", "feature", "f"),
    "treatment": ("treatment", "t"),
    "time": ("time", "m"),
    "label": ("label", "r"),
    "changeNumber": ("splitVersionNumber", "changeNumber", "c"),
    "bucketingKey": ("bucketingKey", "b"),
    "environmentName": ("environmentName",),
    "environmentId": ("environmentId",),
    "trafficType": ("trafficTypeName", "trafficType"),
}


def read_impressions(data: bytes) -> list[dict[str, Any]]:
    """The impressions of a webhook body: a JSON array (or one object), gzipped or not.

    Raises:
        ValueError: The data is not gzip/JSON, or not an array of objects.
    """
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ValueError(f"impressions look gzipped but cannot be decompressed: {exc}") \
                from None
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"impressions are not valid JSON: {exc}") from None
    items = value if isinstance(value, list) else [value]
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError(f"impression {index} must be a JSON object, got "
                             f"{type(item).__name__}")
    return items


def _get(record: Mapping[str, Any], name: str) -> Any:
    for field in _FIELDS[name]:
        value = record.get(field)
        if value is not None:
            return value
    return None


def _options(options: Mapping[str, Any] | None) -> dict[str, Any]:
    merged = dict(DEFAULT_OPTIONS)
    merged.update({k: v for k, v in (options or {}).items() if v is not None})
    unknown = sorted(set(merged) - set(DEFAULT_OPTIONS))
    if unknown:
        raise ValueError(f"unknown impressions option(s) {', '.join(unknown)}; known: "
                         f"{', '.join(DEFAULT_OPTIONS)}")
    for name in ("identities", "splitTrafficTypes"):
        if not isinstance(merged[name], Mapping):
            raise ValueError(f'impressions option "{name}" must be an object')
    for traffic_type, identity in merged["identities"].items():
        if identity not in _IDENTITIES:
            raise ValueError(f'impressions option "identities": traffic type {traffic_type!r} '
                             f'must map to "userId" or "anonymousId", got {identity!r}')
    if merged["defaultIdentity"] not in _IDENTITIES:
        raise ValueError('impressions option "defaultIdentity" must be "userId" or '
                         f'"anonymousId", got {merged["defaultIdentity"]!r}')
    return merged


def message_id(key: str, split: str, environment_id: Any, treatment: str, time: int,
               change_number: Any) -> str:
    """The stable messageId of an impression."""
    parts = [key, split, environment_id, treatment, time, change_number]
    return str(uuid.uuid5(NAMESPACE, json.dumps(parts, separators=(",", ":"))))


def _required_text(record: Mapping[str, Any], name: str) -> str:
    value = _get(record, name)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = facade.dumps(value)
    if not isinstance(value, str) or not value:
        raise ValueError(f'impression needs a non-empty string "{_FIELDS[name][0]}"')
    return value


def convert_impression(record: Any, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One impression as a ``get_treatment`` track message (see the module docstring).

    Raises:
        ValueError: The record is not an object or lacks ``key``, ``split``, ``treatment``
            or a numeric ``time`` (epoch milliseconds).
    """
    return _convert(record, _options(options))


def _convert(record: Any, opts: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(record, Mapping):
        raise ValueError(f"an impression must be a JSON object, got {type(record).__name__}")
    key = _required_text(record, "key")
    split = _required_text(record, "split")
    treatment = _required_text(record, "treatment")
    time = _get(record, "time")
    if isinstance(time, bool) or not isinstance(time, (int, float)):
        raise ValueError('impression needs a numeric "time" (epoch milliseconds)')
    time = int(time)
    traffic_type = (_get(record, "trafficType") or opts["splitTrafficTypes"].get(split)
                    or opts["defaultTrafficType"])
    identity = opts["identities"].get(traffic_type, opts["defaultIdentity"])
    properties = {"split": split, "treatment": treatment}
    for name in ("label", "environmentName", "environmentId", "changeNumber", "bucketingKey"):
        value = _get(record, name)
        if value is not None:
            properties[name] = value
    moment = datetime.fromtimestamp(time / 1000, timezone.utc)
    return {
        "type": "track",
        "event": EVENT,
        identity: key,
        "properties": properties,
        "timestamp": facade.format_iso(moment),
        "messageId": message_id(key, split, properties.get("environmentId"), treatment, time,
                                properties.get("changeNumber")),
        "context": {"library": {"name": CONVERTER, "version": "1"}},
    }


def convert_impressions(records: Iterable[Any],
                        options: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """The ``get_treatment`` messages of ``records``, in order.

    A record may also be a list of impressions (one webhook body per NDJSON line).

    Raises:
        ValueError: A record is not an impression (the message names the rule).
    """
    opts = _options(options)
    for record in records:
        for item in record if isinstance(record, list) else [record]:
            yield _convert(item, opts)


def register(replace: bool = False) -> None:
    """Make :func:`convert_impressions` the runner's ``--from harness-fme-impressions``.

    Called by whoever wires converters (the runner); importing this module has no side effect.
    """
    from framework.runner.converters import register_converter

    register_converter(CONVERTER, convert_impressions, replace=replace)
