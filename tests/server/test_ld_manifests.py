"""framework.server.ld_manifests: manifests by key from directories and entry points."""

from __future__ import annotations

import json

import pytest

from framework import errors
from framework.server import ld_manifests
from framework.server.ld_manifests import ManifestFile, capability, find_manifests, read_manifest


def write(directory, key, document):
    (directory / key).mkdir(parents=True)
    (directory / key / "manifest.json").write_text(json.dumps(document))
    return str(directory / key / "manifest.json")


class FakeEntryPoint:
    def __init__(self, loaded):
        self.loaded = loaded

    def load(self):
        if isinstance(self.loaded, Exception):
            raise self.loaded
        return self.loaded


def test_the_first_directory_holding_a_key_wins(tmp_path):
    first = write(tmp_path / "a", "amp", {"n": 1})
    write(tmp_path / "b", "amp", {"n": 2})
    other = write(tmp_path / "b", "other", {"n": 3})
    (tmp_path / "b" / "no-manifest").mkdir()
    found = find_manifests([str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "nope")],
                           installed=False)
    assert found == {"amp": ManifestFile("amp", first), "other": ManifestFile("other", other)}


def test_registered_manifest_integrations_are_found_by_entry_point_name(tmp_path, monkeypatch):
    import integrations

    path = write(tmp_path, "audit_log_dir", {"n": 1})

    class Compiled:
        manifest_dir = tmp_path / "audit_log_dir"

    class Plain:
        pass

    monkeypatch.setattr(integrations, "available", lambda: {
        "audit-log": FakeEntryPoint(Compiled), "plain": FakeEntryPoint(Plain),
        "broken": FakeEntryPoint(ImportError("missing dependency"))})
    assert ld_manifests.registered_manifests() == {"audit-log": ManifestFile("audit-log", path)}
    mine = write(tmp_path / "mine", "audit-log", {"n": 2})
    found = find_manifests([str(tmp_path / "mine")])
    assert found["audit-log"] == ManifestFile("audit-log", mine), "configured directories first"


def test_read_manifest_errors_name_the_file(tmp_path):
    path = write(tmp_path, "bad", {})
    (tmp_path / "bad" / "manifest.json").write_text("{nope")
    with pytest.raises(errors.ManifestError) as caught:
        read_manifest(ManifestFile("bad", path))
    assert caught.value.problems[0].source == path
    (tmp_path / "bad" / "manifest.json").write_text("[1]")
    with pytest.raises(errors.ManifestError, match="must be a JSON object"):
        read_manifest(ManifestFile("bad", path))


def test_capability():
    assert capability({"capabilities": {"trigger": {"a": 1}}}, "trigger") == {"a": 1}
    assert capability({"capabilities": {"trigger": "x"}}, "trigger") is None
    assert capability({"capabilities": []}, "trigger") is None
    assert capability({}, "syncedSegment") is None
