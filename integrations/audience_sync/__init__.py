"""A manifest integration: ``manifest.json`` declares it (see README.md).

Registered as ``audience_sync = integrations.audience_sync:Integration``
in the ``framework.integrations`` entry-point group.
"""

from pathlib import Path

from framework.manifest import load

__all__ = ["Integration"]

#: The integration ``manifest.json`` declares.
Integration = load(Path(__file__).parent, key="audience_sync", module=__name__)
