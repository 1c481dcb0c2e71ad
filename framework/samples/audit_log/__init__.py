"""The product's sample LaunchDarkly audit-log events, as package data.

One JSON file per event, ``<kind>/<name>.json``, in the shape LaunchDarkly sends to audit-log
hooks (``_links``, ``_id``, ``timestamp{milliseconds,seconds,rfc3339,simple}``, ``kind``,
``name``, ``details``, ``comment``, ``project{key,tags,environment{key,tags}}``, ``key``,
``tags``, ``customProperties``, ``member``, ``titleVerb``, ``verbKind``, ``title``,
``target``), written for this project (an imaginary *Checkout* project)::

    flag/targeting-rule-update     production, verbKind updateRules, tags payments+security,
                                   a comment with quotes and "&" (what preview renders)
    flag/update-all-environments   environment "~" (all environments), updateTags
    flag/toggle  flag/create  flag/archive  flag/copy
    project/create  project/update  project/delete
    environment/create  environment/update  environment/delete
    member/update                  no key and no project, as LaunchDarkly sends member events
    other/segment.create  other/segment.update  other/metric.create  other/webhook.enable

    from framework.samples.audit_log import sample_event, sample_names
    event = sample_event("flag/targeting-rule-update")   # a fresh dict each call
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

__all__ = ["sample_event", "sample_events", "sample_names", "load_sample"]


def _root() -> Any:
    return resources.files(__name__)


def sample_names() -> list[str]:
    """The names of every sample event (``kind/name``), sorted."""
    names: list[str] = []
    for kind in _root().iterdir():
        if kind.is_dir() and not kind.name.startswith(("_", ".")):
            names.extend(f"{kind.name}/{item.name[:-5]}" for item in kind.iterdir()
                         if item.name.endswith(".json"))
    return sorted(names)


def sample_event(name: str) -> dict[str, Any]:
    """The sample event ``name`` (``flag/targeting-rule-update``; ``.json`` optional), as a
    new dict the caller may change.

    Raises:
        LookupError: No sample has that name; the message lists the ones that exist.
    """
    name = name[:-5] if name.endswith(".json") else name
    kind, _, leaf = name.partition("/")
    item = _root().joinpath(kind, leaf + ".json") if kind and leaf and "/" not in leaf else None
    if item is None or ".." in name or not item.is_file():
        raise LookupError(f"no sample audit-log event {name!r}; the samples are: "
                          + ", ".join(sample_names()))
    event: dict[str, Any] = json.loads(item.read_text(encoding="utf-8"))
    return event


load_sample = sample_event
"""The same as :func:`sample_event` (the name the manifest checks use)."""


def sample_events() -> dict[str, dict[str, Any]]:
    """Every sample event by name (new dicts)."""
    return {name: sample_event(name) for name in sample_names()}
