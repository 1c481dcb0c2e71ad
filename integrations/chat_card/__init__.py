"""A manifest integration: ``manifest.json`` declares it (see README.md).

Registered as ``chat_card = integrations.chat_card:Integration``
in the ``framework.integrations`` entry-point group.
"""

from pathlib import Path

from framework.manifest import load

__all__ = ["Integration"]

#: The integration ``manifest.json`` declares.
Integration = load(Path(__file__).parent, key="chat_card", module=__name__)
