"""Harness FME mapper: pure functions from a message to what is sent.

* ``track``, ``page``, ``screen`` return ``{"records": [...], "notes": [...], "skipped": ...}``:
  the Events API records of the message (possibly none), lines describing data left out, and
  why nothing is sent when that is the case.
* ``identify`` and ``group`` return ``{"identities": [{"trafficType", "key", "values"}],
  "notes": [...], "skipped": ...}``: one Identities API PATCH each.

A message whose eventTypeId cannot be built raises :class:`framework.errors.RejectedError`.
"""

from __future__ import annotations

from typing import Any, Mapping

from facade import Facade, Page, Screen, to_millis
from framework import errors

from . import records as rec
from .attributes import attribute_values
from .settings import NAME, with_defaults

__all__ = ["track", "page", "screen", "identify", "group"]


def _nothing(kind: str, reason: str) -> dict[str, Any]:
    return {kind: [], "notes": [], "skipped": reason}


def _raw(msg: Facade, name: str) -> Any:
    return msg.raw(name)


def _identities(msg: Facade, settings: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """``(trafficType, identity value)`` for every mapping, in the configured order."""
    found = {"userId": msg.user_id(), "anonymousId": msg.anonymous_id()}
    return [(m["trafficType"], found.get(m["segmentIdentity"]))
            for m in settings["identityMappings"]]


def _records(msg: Facade, settings: Mapping[str, Any], event_type_id: str) -> dict[str, Any]:
    notes: list[str] = []
    raw_properties = _raw(msg, "properties")
    props = rec.properties(raw_properties, notes)
    value_path = settings["valuePath"]
    value = rec.number(msg.proxy(value_path)) if value_path else None
    timestamp = _millis(msg)
    targets = [(tt, ident, "identity") for tt, ident in _identities(msg, settings)
               if ident is not None]
    split = raw_properties.get("split") if isinstance(raw_properties, dict) else None
    if split is not None:
        targets.extend((tt, ident, "properties.split") for tt, ident in rec.split_pairs(split))
    records = []
    for traffic_type, ident, origin in targets:
        key = rec.identity_key(ident)
        if not isinstance(traffic_type, str) or not traffic_type or key is None:
            notes.append(f"{origin} {_short(traffic_type, ident)} left out: expected a "
                         f"traffic type name and a string key")
            continue
        if len(key) > rec.MAX_KEY_LENGTH:
            notes.append(f"record for traffic type {traffic_type!r} left out: its key has "
                         f"{len(key)} characters, more than {rec.MAX_KEY_LENGTH}")
            continue
        records.append({"eventTypeId": event_type_id, "trafficTypeName": traffic_type,
                        "key": key, "environmentName": settings["environment"],
                        "timestamp": timestamp, "value": value, "properties": props})
    skipped = None if records else "no mapped identity or properties.split key to send for"
    return {"records": records, "notes": notes, "skipped": skipped}


def _millis(msg: Facade) -> int:
    moment = msg.timestamp()
    if moment is None:
        raise errors.RejectedError(
            f"timestamp {_short(None, _raw(msg, 'timestamp'))} is not a date FME can store "
            f"(epoch milliseconds are required)", integration=NAME)
    return to_millis(moment)


def _short(traffic_type: Any, ident: Any) -> str:
    text = repr({traffic_type: ident}) if traffic_type is not None else repr(ident)
    return text if len(text) <= 80 else text[:77] + "..."


def track(msg: Facade, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The records of a track call (none when ``enableTrack`` is off)."""
    settings = with_defaults(settings)
    if not settings["enableTrack"]:
        return _nothing("records", "enableTrack is off")
    path = settings["eventTypeIdPath"]
    event_type_id = rec.event_type_id(msg.proxy(path), f'from "{path}"')
    return _records(msg, settings, event_type_id)


def _named(msg: Page, settings: Mapping[str, Any], toggle: str, fmt_key: str) -> dict[str, Any]:
    settings = with_defaults(settings)
    if not settings[toggle]:
        return _nothing("records", f"{toggle} is off")
    name = rec.identity_key(msg.name())
    if name is None or not name.strip():
        return _nothing("records", f"{msg.type()} has no name")
    fmt = settings[fmt_key]
    event_type_id = rec.event_type_id(fmt.replace("{name}", name),
                                      f'from {fmt_key} "{fmt}"')
    return _records(msg, settings, event_type_id)


def page(msg: Page, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The records of a named page call (``trackNamedPages``, ``pageEventFormat``)."""
    return _named(msg, settings, "trackNamedPages", "pageEventFormat")


def screen(msg: Screen, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The records of a named screen call (``trackNamedScreens``, ``screenEventFormat``)."""
    return _named(msg, settings, "trackNamedScreens", "screenEventFormat")


def identify(msg: Facade, settings: Mapping[str, Any]) -> dict[str, Any]:
    """One identity per mapped identity the message carries, valued with its traits."""
    settings = with_defaults(settings)
    if not settings["enableIdentify"]:
        return _nothing("identities", "enableIdentify is off")
    notes: list[str] = []
    values = attribute_values(_raw(msg, "traits"), notes)
    identities = []
    for traffic_type, ident in _identities(msg, settings):
        key = rec.identity_key(ident)
        if key is not None:
            identities.append({"trafficType": traffic_type, "key": key, "values": values})
        elif ident is not None:
            notes.append(f"identity {_short(traffic_type, ident)} left out: expected a "
                         f"string key")
    skipped = None if identities else "no mapped identity to send for"
    return {"identities": identities, "notes": notes, "skipped": skipped}


def group(msg: Facade, settings: Mapping[str, Any]) -> dict[str, Any]:
    """One identity per ``{trafficType: key}`` of ``traits.split``, valued with the other
    traits; nothing without ``traits.split``."""
    traits = _raw(msg, "traits")
    split = traits.get("split") if isinstance(traits, dict) else None
    if not split:
        return _nothing("identities", "group has no traits.split")
    notes: list[str] = []
    values = attribute_values(traits, notes)
    identities = []
    for traffic_type, ident in rec.split_pairs(split):
        key = rec.identity_key(ident)
        if not isinstance(traffic_type, str) or not traffic_type or key is None:
            notes.append(f"traits.split {_short(traffic_type, ident)} left out: expected a "
                         f"traffic type name and a string key")
            continue
        identities.append({"trafficType": traffic_type, "key": key, "values": values})
    skipped = None if identities else "traits.split has no usable {trafficType: key} pair"
    return {"identities": identities, "notes": notes, "skipped": skipped}
