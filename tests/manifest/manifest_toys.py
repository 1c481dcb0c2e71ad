"""Manifest integrations for the tests, as an integration package would register them."""

from pathlib import Path

from framework.manifest import load

#: The development manifest, registered as ``signed_webhook`` (its folder's name).
SignedWebhook = load(Path(__file__).parent / "data" / "signed_webhook", module=__name__)
