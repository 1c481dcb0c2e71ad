"""``framework validate``: every problem at once, with pointer and rule; exit 0, 1 or 2."""

import json
import shutil
from pathlib import Path

from framework.cli import main

DATA = Path(__file__).parents[1] / "manifest" / "data"


def run(capsys, *argv):
    code = main(["validate", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def broken_copy(tmp_path):
    shutil.copytree(DATA / "signed_webhook", tmp_path / "hook")
    path = tmp_path / "hook" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["overview"] = "No period at the end"
    manifest["version"] = "one"
    manifest["formVariables"][1]["isSecret"] = "yes"
    (tmp_path / "hook" / "templates" / "flag.json.hbs").write_text('{"x": "{{nope}}"}')
    path.write_text(json.dumps(manifest))
    return tmp_path / "hook"


def test_a_valid_manifest_exits_0(capsys):
    code, out, err = run(capsys, DATA / "signed_webhook", DATA / "plain_hook" / "manifest.json")
    assert code == 0 and err == ""
    assert out.splitlines() == [f"{DATA / 'signed_webhook'}: ok",
                                f"{DATA / 'plain_hook' / 'manifest.json'}: ok"]


def test_every_problem_is_reported_with_its_pointer_and_rule(capsys, tmp_path):
    folder = broken_copy(tmp_path)
    code, out, err = run(capsys, folder)
    assert code == 1
    assert f"{folder}: 5 problems" in out
    assert "  manifest.json /version: must be at least 5 characters, got \"one\" [minLength]" \
        in out
    assert "  manifest.json /version: must match ^(0|[1-9]" in out
    assert "  manifest.json /formVariables/1/isSecret: must be of type boolean, got \"yes\" " \
        "[type]" in out
    assert "  manifest.json /overview: must end with a period (.) [overview-period]" in out
    assert "/capabilities/auditLogEventsHook/templates/flag: templates/flag.json.hbs does " \
        "not render against the sample event flag/update-all-environments" in out
    assert "[template-renders]" in out
    assert "framework validate: 1 of 1 manifest(s) invalid" in err


def test_json_output(capsys, tmp_path):
    folder = broken_copy(tmp_path)
    code, out, _ = run(capsys, "--json", folder)
    assert code == 1
    problems = json.loads(out)[str(folder)]
    assert {"source": "manifest.json", "pointer": "/overview", "rule": "overview-period",
            "message": "must end with a period (.)"} in problems


def test_invalid_json_is_a_report_not_a_traceback(capsys, tmp_path):
    (tmp_path / "manifest.json").write_text('{"name": "Broken",\n  "version": }')
    code, out, _ = run(capsys, tmp_path)
    assert code == 1
    assert "manifest.json: invalid JSON at line 2 column 14: Expecting value [json]" in out


def test_an_unknown_target_is_a_usage_error(capsys, tmp_path):
    code, out, err = run(capsys, "no-such-integration")
    assert code == 2 and out == ""
    assert "framework validate: 'no-such-integration' is neither a manifest file or folder " \
        "nor an installed manifest integration" in err
    code, _, err = run(capsys, tmp_path)
    assert code == 2 and "no manifest.json in this folder" in err


def test_without_targets_every_installed_manifest_integration_is_checked(capsys):
    from integrations import available

    code, out, err = run(capsys)
    manifests = [slug for slug, ep in available().items()
                 if getattr(ep.load(), "manifest_dir", None) is not None]
    assert code == 0, out + err
    for slug in manifests:
        assert f"{slug}: ok" in out
    if not manifests:
        assert "no manifest integration installed" in out
