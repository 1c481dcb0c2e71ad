"""Audit-log events for ``framework preview`` and ``curl`` on template integrations.

* **The event.** ``--event PATH`` reads a JSON file; ``--event kind/name`` takes one of the
  product's sample events (``flag/toggle``, ``project/update``...); by default, the sample
  flag targeting-rule update, as LaunchDarkly's preview does. A sample's ``timestamp`` is set
  to now (some services refuse old events); a file is sent as written.
* **Stand-in mode.** Without ``--settings`` (and without a fixture that has settings), every
  setting gets a stand-in value (``$APITOKEN`` for ``apiToken``; ``true`` for booleans) and
  the request is rendered strictly and shown, never validated nor sent (the policy is not
  applied either). With real settings, the run goes through the whole pipeline in the
  sandbox instead, like any other integration.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .. import errors

if TYPE_CHECKING:  # pragma: no cover
    from ..integration import Integration

__all__ = ["load_event", "default_event", "stand_in_settings", "stand_in_wires",
           "with_timestamp"]


def with_timestamp(event: dict[str, Any], now: float) -> dict[str, Any]:
    """``event`` with its ``timestamp`` set to ``now`` (seconds since the epoch)."""
    moment = _dt.datetime.fromtimestamp(now, _dt.timezone.utc)
    millis = int(now * 1000)
    event["timestamp"] = {
        "milliseconds": millis,
        "seconds": millis // 1000,
        "rfc3339": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "simple": moment.strftime("%Y-%m-%d %H:%M:%S"),
    }
    return event


def _sample(name: str) -> dict[str, Any]:
    from ..samples.audit_log import sample_event

    event: dict[str, Any] = sample_event(name)
    return event


def load_event(value: str, now: float, error: Callable[[str], Exception]) -> dict[str, Any]:
    """The event ``--event`` names: a JSON file, or a sample ``kind/name``.

    Raises:
        The exception ``error(reason)`` builds, when nothing usable has that name.
    """
    path = Path(value)
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise error(f"cannot read the event file {value!r}: {exc}") from None
        except json.JSONDecodeError as exc:
            raise error(f"--event {value} is not valid JSON: {exc.msg} at line "
                        f"{exc.lineno} column {exc.colno}") from None
        if not isinstance(data, dict):
            raise error(f"the event must be a JSON object, got {type(data).__name__}")
        return data
    try:
        return with_timestamp(_sample(value), now)
    except (LookupError, OSError, ValueError):
        raise error(f"--event {value!r} is neither a file nor a sample event "
                    "(kind/name, such as flag/toggle or project/update)") from None


def default_event(validation: bool, now: float) -> tuple[dict[str, Any], str]:
    """The event previewed when none is named, and its label."""
    from ..manifest.standins import PREVIEW_SAMPLE, SAMPLE_FOR_TEMPLATE

    name = SAMPLE_FOR_TEMPLATE["validation"] if validation else PREVIEW_SAMPLE
    return with_timestamp(_sample(name), now), name


def stand_in_settings(integration: "type[Integration]") -> dict[str, Any]:
    """Stand-in settings: from a manifest's form variables, else from the typed settings."""
    from ..manifest.standins import preview_stand_ins, upper_key

    manifest = getattr(integration, "manifest", None)
    if isinstance(manifest, dict):
        return preview_stand_ins(manifest)
    values: dict[str, Any] = {}
    for setting in getattr(integration, "_settings", ()):
        kind = getattr(setting, "type", "string")
        path = str(setting.key).split(".")
        target = values
        for part in path[:-1]:
            target = target.setdefault(part, {})
        if kind == "boolean":
            target[path[-1]] = True
        elif kind in ("string", "uri", "enum"):
            target[path[-1]] = upper_key(path[-1])
    return values


def stand_in_wires(integration: "type[Integration]", event: dict[str, Any],
                   validation: bool) -> Any:
    """Render the request for ``event`` with stand-in settings: ``(settings, route, wires)``.

    Raises:
        errors.IntegrationError: The event has no route, or a template does not render.
    """
    import facade

    from ..templated import build_request, render_request
    from .wire import from_request

    settings = stand_in_settings(integration)
    instance = integration(settings)
    route = "validation" if validation else instance.route(facade.create(event))
    if validation and "validation" not in (integration._templates or {}):
        raise errors.NotSupported(f"{integration.name} has no validation template",
                                  integration=integration.name)
    rendered = render_request(instance, route, event, strict=True)
    return settings, route, [from_request(build_request(instance, rendered))]
