"""Declarative integrations: ``manifest.json`` (LaunchDarkly's format) compiled onto the builder.

    from framework.manifest import load
    Webhook = load("integrations/audit_log_webhook")      # a directory, or its manifest.json
    Webhook({"url": "https://example.test/hook"}).process(audit_log_event)

:func:`load` returns an ordinary :class:`framework.Integration` subclass (see
:mod:`framework.manifest.compile` for how each field becomes a builder declaration), so every
command and test helper works on it unchanged. ``framework validate`` checks manifests with
:mod:`framework.manifest.schema` and :mod:`framework.manifest.checks`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .. import errors

if TYPE_CHECKING:  # pragma: no cover
    from ..integration import Integration
    from .synced_segment import parse_synced_segment

__all__ = ["load", "parse_synced_segment", "manifest_file"]

#: The file a manifest integration's directory holds.
MANIFEST = "manifest.json"


def manifest_file(path: str | Path) -> Path:
    """The ``manifest.json`` of ``path`` (a directory holding one, or the file itself)."""
    path = Path(path)
    return path / MANIFEST if path.is_dir() else path


def load(path: str | Path, *, key: str | None = None,
         module: str | None = None) -> "type[Integration]":
    """The integration class the manifest at ``path`` declares.

    Args:
        path: An integration directory holding ``manifest.json``, or the file itself.
        key: The integration key (its slug); by default the directory's name, as in
            LaunchDarkly. An entry point passes its own name.
        module: The module to report the class in (an integration package passes
            ``__name__``, so its ``fixtures/`` folder is found).

    Raises:
        errors.ManifestError: The manifest cannot be read or is malformed; ``problems``
            lists every schema problem in it.
    """
    from .compile import compile_manifest, problems_error
    from .schema import read_manifest

    file = manifest_file(path)
    directory = file.parent
    document, problems = read_manifest(file)
    if problems:
        raise problems_error(file, problems)
    chosen = key if key is not None else directory.resolve().name
    try:
        return cast("type[Integration]", compile_manifest(document, directory, chosen, module))
    except (KeyError, TypeError, ValueError, AttributeError, errors.ConfigError) as exc:
        from .schema import schema_problems

        # The schema explains a malformed document; `framework validate` runs the rest.
        found = schema_problems(document) or [errors.Problem(
            "manifest.json", "", "compile", f"{type(exc).__name__}: {exc}")]
        raise problems_error(file, found) from None


def __getattr__(name: str) -> Any:
    # The synced-segment parser is imported on first use (PEP 562), so importing this package
    # (`framework list` loads every manifest integration) does not import jsonpointer.
    if name == "parse_synced_segment":
        from .synced_segment import parse_synced_segment

        return parse_synced_segment
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
