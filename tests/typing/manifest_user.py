"""How a user loads, runs and validates a manifest integration with types;
`mypy --strict tests/typing/manifest_user.py` must pass (tests/manifest/test_load.py imports
it)."""

from __future__ import annotations

from pathlib import Path

from framework import errors
from framework.manifest import load
from framework.manifest.checks import manifest_problems

FOLDER = Path(__file__).parents[1] / "manifest" / "data" / "signed_webhook"


def deliver(event: dict[str, object]) -> int:
    """Send one audit-log event; the number of responses, or -1 when it was skipped."""
    Hook = load(FOLDER)
    hook = Hook({"url": "https://hooks.example.test/ld", "apiToken": "tok-1",
                 "signingSecret": "sig-1"})
    try:
        return len(hook.process(event))
    except errors.Skipped:
        return -1
    except errors.ManifestError as error:
        raise SystemExit("\n".join(str(p) for p in error.problems)) from error


def problems() -> list[str]:
    """What `framework validate` would say about the folder."""
    return [f"{p.pointer} [{p.rule}]" for p in manifest_problems(FOLDER / "manifest.json")]
