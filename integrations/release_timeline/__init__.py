"""A manifest integration: ``manifest.json`` declares it (see README.md).

Registered as ``release_timeline = integrations.release_timeline:Integration``
in the ``framework.integrations`` entry-point group.
"""

from pathlib import Path

from framework.manifest import load

__all__ = ["Integration"]

#: The integration ``manifest.json`` declares.
Integration = load(Path(__file__).parent, key="release_timeline", module=__name__)
