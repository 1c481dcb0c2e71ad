"""A manifest integration: ``manifest.json`` declares it (see README.md).

Registered as ``audit_log_webhook = integrations.audit_log_webhook:Integration``
in the ``framework.integrations`` entry-point group.
"""

from pathlib import Path

from framework.manifest import load

__all__ = ["Integration"]

#: The integration ``manifest.json`` declares.
Integration = load(Path(__file__).parent, key="audit_log_webhook", module=__name__)
