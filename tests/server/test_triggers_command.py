"""framework triggers create|list|revoke|firings, in-process."""

from __future__ import annotations

import json
import pathlib
import re

import pytest

from framework.cli import main
from framework.server.trigger_store import Firing, TriggerStore

MANIFESTS = str(pathlib.Path(__file__).parent / "ld_manifests")
HOOKS = '{"hooks": ["http://127.0.0.1:9/hook"]}'


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "serve.toml"
    path.write_text(f'[triggers]\nstore = "data/triggers.sqlite3"\nmanifests = [{MANIFESTS!r}]\n')
    return str(path)


def create(config, *extra, manifest="generic-trigger", settings=HOOKS):
    return main(["triggers", "create", manifest, "--integration", "webhooks",
                 "--settings", settings, "--config", config, *extra])


def test_create_prints_the_url_once_and_stores_its_hash(config, tmp_path, capsys):
    assert create(config) == 0
    out = capsys.readouterr().out
    token = re.search(r"^trigger url: /triggers/([A-Za-z0-9_-]{43,})$", out, re.M).group(1)
    assert "trigger id: 1 (generic-trigger -> webhooks)" in out
    with TriggerStore(tmp_path / "data" / "triggers.sqlite3") as store:
        trigger = store.find(token)
        assert trigger.settings == {"hooks": ["http://127.0.0.1:9/hook"]}
    assert token not in (tmp_path / "data" / "triggers.sqlite3").read_bytes().decode("latin-1")


def test_create_with_a_shared_secret_manifest_prints_the_secret(config, tmp_path, capsys):
    assert create(config, manifest="secret-trigger") == 0
    out = capsys.readouterr().out
    secret = re.search(r"^shared secret .*: (\S+)$", out, re.M).group(1)
    with TriggerStore(tmp_path / "data" / "triggers.sqlite3") as store:
        [trigger] = store.triggers()
        assert trigger.has_secret and store.check_secret(trigger, secret)


def test_settings_from_a_file(config, tmp_path, capsys):
    (tmp_path / "s.json").write_text(HOOKS)
    assert create(config, settings=f"@{tmp_path / 's.json'}") == 0


@pytest.mark.parametrize("args, message", [
    (dict(manifest="nope"), "MANIFEST: no manifest with the trigger capability has the key "
                            "'nope' (found: alert_relay, generic-trigger, secret-trigger)"),
    (dict(manifest="amp"), "no manifest with the trigger capability has the key 'amp'"),
    (dict(settings="{oops"), "--settings: not valid JSON at line 1 column 2"),
    (dict(settings="[1]"), "--settings: must be a JSON object of settings"),
])
def test_bad_input_exits_2_naming_the_problem(config, capsys, args, message):
    assert create(config, **args) == 2
    assert message in capsys.readouterr().err


def test_unknown_integration_exits_2(config, capsys):
    code = main(["triggers", "create", "generic-trigger", "--integration", "nope",
                 "--settings", "{}", "--config", config])
    assert code == 2
    assert "--integration: no integration installed under the slug 'nope'" in \
        capsys.readouterr().err


def test_a_bad_config_exits_2(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text("[triggers]\nstore = 5\n")
    assert create(str(path)) == 2
    assert "triggers.store" in capsys.readouterr().err


def test_list_revoke_and_firings(config, tmp_path, capsys):
    assert create(config) == 0 and create(config, manifest="secret-trigger") == 0
    with TriggerStore(tmp_path / "data" / "triggers.sqlite3") as store:
        store.record(Firing(1, 1_767_225_600.0, "CPU high", False, "queued"))
    capsys.readouterr()
    assert main(["triggers", "list", "--config", config]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "MANIFEST", "INTEGRATION", "CREATED", "STATUS", "FIRINGS",
                                "LAST", "FIRED"]
    assert lines[1].split()[:3] == ["1", "generic-trigger", "webhooks"]
    assert "active" in lines[1] and "2026-01-01 00:00:00Z" in lines[1]
    assert main(["triggers", "revoke", "2", "--config", config]) == 0
    assert main(["triggers", "revoke", "2", "--config", config]) == 1
    assert main(["triggers", "revoke", "9", "--config", config]) == 1
    err = capsys.readouterr().err
    assert "trigger 2 is already revoked" in err and "trigger 9 does not exist" in err
    assert main(["triggers", "list", "--json", "--config", config]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["id"], r["revoked_at"] is not None, r["firings"]) for r in records] == \
        [(1, False, 1), (2, True, 0)]
    assert records[1]["shared_secret"] is True
    assert main(["triggers", "firings", "1", "--config", config]) == 0
    assert "trigger 1  queued  CPU high" in capsys.readouterr().out
    assert main(["triggers", "firings", "7", "--config", config]) == 1


def test_list_masks_secret_settings(config, capsys):
    assert create(config, settings='{"hooks": ["http://127.0.0.1:9/"], '
                                   '"sharedSecret": "abcdef-secret"}') == 0
    capsys.readouterr()
    main(["triggers", "list", "--json", "--config", config])
    out = capsys.readouterr().out
    assert "abcdef" not in out and '"sharedSecret": "[REDACTED]"' in out


def test_triggers_list_does_not_import_the_web_stack(config):
    import subprocess
    import sys

    code = ("import sys; from framework import cli; "
            f"cli.main(['triggers', 'list', '--config', {config!r}]); "
            "print(sorted(m for m in ('starlette', 'uvicorn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
