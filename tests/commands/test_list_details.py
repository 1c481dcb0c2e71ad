"""``framework list --details SLUG`` and the README settings tables of shipped integrations."""

import importlib
import re
from pathlib import Path

import pytest

import integrations
from command_toys import install
from framework.commands.list import markdown_table

ROOT = Path(__file__).resolve().parents[2]


def test_details_prints_the_settings_table(command, monkeypatch):
    install(monkeypatch, typed="command_toys:Typed")
    code, out, err = command("list", "--details", "typed")
    assert code == 0 and err == ""
    assert out.startswith("typed  Typed\n  methods   track\n")
    assert "  settings  hush, token; optional: region, account.user\n" in out
    lines = out.split("Settings\n")[1].splitlines()
    assert re.split(r"\s{2,}", lines[0].strip()) == [
        "Setting", "Type", "Required", "Default", "Secret", "Description"]
    assert re.split(r"\s{2,}", lines[1].strip()) == [
        "hush", "string", "yes", "-", "yes", "A secret | with a pipe"]
    assert re.split(r"\s{2,}", lines[2].strip()) == [
        "region", "enum (us, eu)", "no", "us", "no", "Where the data lives"]
    assert re.split(r"\s{2,}", lines[3].strip()) == [
        "account.user", "string", "no", "-", "no", "Nested user"]


def test_details_as_markdown_escapes_pipes(command, monkeypatch):
    install(monkeypatch, typed="command_toys:Typed")
    code, out, _ = command("list", "--details", "typed", "--markdown")
    assert code == 0
    assert out.splitlines()[:3] == [
        "| Setting | Type | Required | Default | Secret | Description |",
        "|---|---|---|---|---|---|",
        "| `hush` | string | yes | - | yes | A secret \\| with a pipe |"]
    assert "| `region` | enum (us, eu) | no | `us` | no | Where the data lives |" in out


def test_details_of_an_integration_without_typed_settings(command, monkeypatch):
    install(monkeypatch)
    code, out, _ = command("list", "--details", "acme")
    assert code == 0 and "  settings  apiKey\n" in out
    assert "(no typed settings declared)" in out


def test_details_of_an_unknown_or_broken_slug(command, monkeypatch):
    install(monkeypatch, broken="no_such_module:X")
    code, _, err = command("list", "--details", "nope")
    assert code == 2
    assert err == ("framework list: no integration installed under the slug 'nope' "
                   "(installed: acme, broken)\n")
    code, _, err = command("list", "--details", "broken")
    assert code == 1 and "ModuleNotFoundError" in err
    code, _, err = command("list", "--markdown")
    assert code == 2 and "--markdown needs --details SLUG" in err


def test_list_without_details_shows_required_then_optional_settings(command, monkeypatch):
    install(monkeypatch, typed="command_toys:Typed")
    code, out, _ = command("list")
    assert code == 0 and "typed  Typed\n" in out
    assert "  settings  hush, token; optional: region, account.user\n" in out
    assert "Setting" not in out


# -- each shipped integration's README carries its settings table -----------------------------

def shipped():
    """The integrations registered from this repository's ``integrations/`` package with
    typed settings (the table is generated from them)."""
    found = []
    for slug, entry_point in sorted(integrations.available().items()):
        if not entry_point.value.startswith("integrations."):
            continue
        cls = entry_point.load()
        if cls._settings:
            found.append(pytest.param(cls, id=slug))
    return found


def readme_table(text):
    lines = text.splitlines()
    start = lines.index("## Settings")
    table = []
    for line in lines[start + 1:]:
        if line.startswith("## "):
            break
        if line.startswith("|"):
            table.append(line)
        elif table:
            break
    return "\n".join(table) + "\n"


@pytest.mark.parametrize("cls", shipped())
def test_the_readme_settings_table_matches_the_declarations(cls):
    readme = Path(importlib.import_module(cls.__module__).__file__).parent / "README.md"
    assert readme.is_file(), f"{cls.name} has no README.md"
    text = readme.read_text(encoding="utf-8")
    assert "## Settings" in text, f"{readme} has no '## Settings' section"
    expected = markdown_table(cls.spec())
    assert readme_table(text) == expected, (
        f"the settings table of {readme.relative_to(ROOT)} does not match {cls.name}'s "
        f"declarations; regenerate it with `framework list --details {cls.slug()} "
        f"--markdown`:\n{expected}")


def test_the_three_builder_integrations_are_checked():
    ids = {p.id for p in shipped()}
    assert {"webhooks", "segment", "harness-fme"} <= ids


def test_listing_never_imports_jsonschema():
    import subprocess
    import sys

    code = ("import sys\nfrom framework.cli import main\n"
            "assert main(['list']) == 0 and main(['list', '--details', 'webhooks']) == 0\n"
            "assert 'jsonschema' not in sys.modules, 'framework list imported jsonschema'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
