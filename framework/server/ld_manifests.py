"""Finding the LaunchDarkly manifests the server serves, by integration key.

A manifest integration is a directory ``<integrationKey>/manifest.json`` (LaunchDarkly's own
layout). The server looks in the configured directories first (``synced_segments.manifests``
and ``--manifests DIR``), in order, then at the installed manifest integrations (entry points
of ``framework.integrations`` whose class :func:`framework.manifest.load` compiled: the key is
the entry point's name), then in the installed ``integrations`` package's directories, so a
directory of one's own can override a shipped manifest of the same key.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from ..errors import ManifestError, Problem

__all__ = ["ManifestFile", "installed_manifest_dirs", "registered_manifests", "find_manifests",
           "read_manifest", "capability"]

_FILE = "manifest.json"

log = logging.getLogger("framework.server")


@dataclass(frozen=True)
class ManifestFile:
    """One manifest found on disk.

    Attributes:
        key: The integration key: the directory's name.
        path: The ``manifest.json`` file.
    """

    key: str
    path: str


def installed_manifest_dirs() -> list[str]:
    """The directories of the installed ``integrations`` package."""
    try:
        import integrations
    except ImportError:  # pragma: no cover - the package ships with the framework
        return []
    return [os.fspath(path) for path in getattr(integrations, "__path__", [])]


def find_manifests(directories: Iterable[str], *,
                   installed: bool = True) -> dict[str, ManifestFile]:
    """Every ``<key>/manifest.json`` under ``directories`` (then the installed ones), by key;
    the first directory holding a key wins."""
    found: dict[str, ManifestFile] = {}
    _scan(directories, found)
    if installed:
        for key, manifest in registered_manifests().items():
            found.setdefault(key, manifest)
        _scan(installed_manifest_dirs(), found)
    return found


def _scan(directories: Iterable[str], found: dict[str, ManifestFile]) -> None:
    for directory in directories:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            path = os.path.join(directory, name, _FILE)
            if name not in found and os.path.isfile(path):
                found[name] = ManifestFile(name, path)


def registered_manifests() -> dict[str, ManifestFile]:
    """The manifest integrations installed as entry points, by entry point name."""
    from integrations import available

    found: dict[str, ManifestFile] = {}
    for name, entry_point in sorted(available().items()):
        try:
            cls = entry_point.load()
        except Exception:  # one broken plugin must not hide the others
            log.exception("integration %r cannot be loaded; its manifest is not served", name)
            continue
        directory = getattr(cls, "manifest_dir", None)
        if directory is not None:
            path = os.path.join(os.fspath(directory), _FILE)
            if os.path.isfile(path):
                found[name] = ManifestFile(name, path)
    return found


def read_manifest(manifest: ManifestFile) -> Mapping[str, Any]:
    """The manifest's JSON object.

    Raises:
        ManifestError: it cannot be read or is not a JSON object.
    """
    try:
        with open(manifest.path, "rb") as f:
            data = json.loads(f.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ManifestError(problems=[Problem(manifest.path, "", "json",
                                              f"cannot read the manifest: {exc}")]) from None
    if not isinstance(data, dict):
        raise ManifestError(problems=[Problem(manifest.path, "", "type",
                                              "must be a JSON object")])
    return data


def capability(manifest: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    """The manifest's ``capabilities.<name>`` object, or None."""
    capabilities = manifest.get("capabilities")
    if not isinstance(capabilities, Mapping):
        return None
    found = capabilities.get(name)
    return found if isinstance(found, Mapping) else None
