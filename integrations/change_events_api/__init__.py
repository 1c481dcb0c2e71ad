"""A manifest integration: ``manifest.json`` declares it (see README.md).

Registered as ``change_events_api = integrations.change_events_api:Integration``
in the ``framework.integrations`` entry-point group.
"""

from pathlib import Path

from framework.manifest import load

__all__ = ["Integration"]

#: The integration ``manifest.json`` declares.
Integration = load(Path(__file__).parent, key="change_events_api", module=__name__)
