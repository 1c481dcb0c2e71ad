"""The ``[synced_segments]`` config table and the synced-segment manifests it serves.

:func:`parse_section` reads the table; :func:`load_manifests` finds the manifests with the
``syncedSegment`` capability and checks each one before the server starts: its
``requestParser`` must run, and its ``jsonResponseBody`` must render to JSON for a success and
for an error.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from ..errors import IntegrationError, ManifestError, Problem
from .ld_manifests import capability, find_manifests, read_manifest
from .segment_store import DEFAULT_SEGMENT_STORE_PATH
from .synced_segment_bodies import render, response_context

if TYPE_CHECKING:  # pragma: no cover
    from .config import SectionContext
    from .table import Table

__all__ = ["SyncedSegmentsConfig", "SyncedSegmentManifest", "parse_section", "load_manifests"]


@dataclass(frozen=True)
class SyncedSegmentsConfig:
    """The ``[synced_segments]`` table.

    Attributes:
        manifests: Directories holding ``<integrationKey>/manifest.json`` (then the installed
            manifests).
        rate_limit_per_minute: Requests per integration key in any 60 seconds.
        tokens: The ``Authorization`` token expected for each integration key.
        store: The membership store's SQLite file.
        max_body_bytes: The largest request body accepted.
    """

    manifests: tuple[str, ...] = ()
    rate_limit_per_minute: int = 600
    tokens: Mapping[str, str] | None = None
    store: str = DEFAULT_SEGMENT_STORE_PATH
    max_body_bytes: int = 5_000_000


@dataclass(frozen=True)
class SyncedSegmentManifest:
    """A manifest with the ``syncedSegment`` capability.

    Attributes:
        key: Its integration key.
        path: Its ``manifest.json``.
        request_parser: ``capabilities.syncedSegment.requestParser``.
        json_response_body: ``capabilities.syncedSegment.jsonResponseBody``, or None.
    """

    key: str
    path: str
    request_parser: Mapping[str, Any]
    json_response_body: str | None = None


def parse_section(table: "Table", context: "SectionContext") -> SyncedSegmentsConfig:
    """The ``[synced_segments]`` table, checked: every problem goes to ``context.problems``.

    Besides types, it checks that each key of ``tokens`` names a synced-segment manifest that
    is found and valid (its ``requestParser`` runs, its ``jsonResponseBody`` renders to JSON).
    """
    defaults = SyncedSegmentsConfig()
    manifests = _path_list(table, "manifests")
    manifests += [str(extra) for extra in context.options.get("manifests", ()) or ()]
    rate = table.integer("rate_limit_per_minute", defaults.rate_limit_per_minute, minimum=1)
    max_body = table.integer("max_body_bytes", defaults.max_body_bytes, minimum=1024)
    store = table.path_value("store", defaults.store) or defaults.store
    tokens_table = table.table("tokens")
    tokens: dict[str, str] = {}
    for key in list(tokens_table.data):
        token = tokens_table.string(key)
        if token is not None:
            tokens[key] = token
    tokens_table.finish()
    if tokens:
        found = load_manifests(manifests)
        for key in tokens:
            where = tokens_table.at(key)
            entry = found.get(key)
            if entry is None:
                table.problems.add(where, "manifest",
                                   f"no synced-segment manifest with the integration key "
                                   f"{key!r} was found (looked in: "
                                   f"{', '.join(manifests) or 'the installed manifests only'})")
            elif isinstance(entry, ManifestError):
                for problem in entry.problems:
                    table.problems.add(where, problem.rule, str(problem))
    return SyncedSegmentsConfig(manifests=tuple(manifests), rate_limit_per_minute=rate,
                                tokens=tokens, store=store, max_body_bytes=max_body)


def _path_list(table: "Table", key: str) -> list[str]:
    value = table.raw(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        table.problems.add(table.at(key), "type", "must be an array of directory paths")
        return []
    return [os.path.normpath(os.path.join(table.base_dir, os.path.expanduser(v))) for v in value]


def load_manifests(
        directories: Sequence[str]) -> dict[str, SyncedSegmentManifest | ManifestError]:
    """Every synced-segment manifest found, by key; a broken one maps to its error."""
    from ..manifest.synced_segment import check_request_parser

    found: dict[str, SyncedSegmentManifest | ManifestError] = {}
    for key, manifest_file in find_manifests(directories).items():
        try:
            manifest = read_manifest(manifest_file)
        except ManifestError as exc:
            found[key] = exc
            continue
        synced = capability(manifest, "syncedSegment")
        if synced is None:
            continue
        problems = [Problem(manifest_file.path, p.pointer, p.rule, p.message)
                    for p in check_request_parser(synced.get("requestParser"))]
        template = synced.get("jsonResponseBody")
        if template is not None:
            problems += _check_template(template, manifest_file.path)
        if problems:
            found[key] = ManifestError(problems=problems)
        else:
            found[key] = SyncedSegmentManifest(key, manifest_file.path, synced["requestParser"],
                                               template)
    return found


def _check_template(template: Any, path: str) -> list[Problem]:
    """Problems of a ``jsonResponseBody``: it must render to JSON for a success and an error."""
    where = "/capabilities/syncedSegment/jsonResponseBody"
    if not isinstance(template, str):
        return [Problem(path, where, "type", "must be a string")]
    samples = [response_context({"environmentId": "env"}, 200, "", "env", "key-cohort"),
               response_context({}, 400, "could not find path /batch in request payload", "", "")]
    for sample in samples:
        try:
            json.loads(render(template, sample))
        except IntegrationError as exc:
            return [Problem(path, where, "template", f"does not render: {exc}")]
        except ValueError as exc:
            return [Problem(path, where, "json",
                            f"does not render to JSON (status {sample['statusCode']}): {exc}")]
    return []
