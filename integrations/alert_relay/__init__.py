"""A manifest integration: ``manifest.json`` declares it (see README.md).

Registered as ``alert_relay = integrations.alert_relay:Integration``
in the ``framework.integrations`` entry-point group.
"""

from pathlib import Path

from framework.manifest import load

__all__ = ["Integration"]

#: The integration ``manifest.json`` declares.
Integration = load(Path(__file__).parent, key="alert_relay", module=__name__)
