"""``framework new``: names, the setup.cfg edit, and refusing what would go wrong."""

import pytest

from framework.scaffold import Names, ScaffoldError, create, names_for, register

SETUP = """[metadata]
name = x

[options.entry_points]
console_scripts =
    framework = framework.cli:main
framework.integrations =
    webhooks = integrations.webhooks:Webhooks
    other = integrations.other:Other
pytest11 =
    framework = framework.testing.plugin

[flake8]
max-line-length = 100
"""
ACME = Names("Acme CRM", "acme-crm", "acme_crm", "AcmeCRM")


@pytest.mark.parametrize("name, names", [
    ("My Integration", ("my-integration", "my_integration", "MyIntegration")),
    ("  Acme.io   CRM ", ("acmeio-crm", "acmeio_crm", "AcmeIoCRM")),
    ("Zoë Analytics", ("zo-analytics", "zo_analytics", "ZoAnalytics")),
    ("a - b", ("a---b", "a_b", "AB")),
])
def test_names(name, names):
    derived = names_for(name)
    assert (derived.slug, derived.package, derived.cls) == names


@pytest.mark.parametrize("name, message", [
    ("   ", "needs a name"),
    ('My "Best"', "may not contain quotes"),
    ("a\\b", "may not contain quotes, backslashes"),
    ("!!!", "gives an empty slug"),
    ("- -", "gives an empty slug"),
    ("3D Stats", "gives the package name '3d_stats', which is not a Python identifier"),
    ("class", "gives the package name 'class'"),
])
def test_unusable_names(name, message):
    with pytest.raises(ScaffoldError, match=message):
        names_for(name)


def test_register_appends_to_the_group():
    updated = register(SETUP, ACME)
    assert "    other = integrations.other:Other\n" \
           "    acme-crm = integrations.acme_crm:AcmeCRM\npytest11 =" in updated
    assert updated.replace("    acme-crm = integrations.acme_crm:AcmeCRM\n", "") == SETUP


def test_register_adds_a_missing_group_and_a_missing_newline():
    text = "[options.entry_points]\nconsole_scripts =\n    framework = framework.cli:main"
    assert register(text, ACME) == ("[options.entry_points]\nframework.integrations =\n"
                                    "    acme-crm = integrations.acme_crm:AcmeCRM\n"
                                    "console_scripts =\n    framework = framework.cli:main")
    last = "[options.entry_points]\n# c\nframework.integrations =\n    a = b:C"
    assert register(last, ACME).endswith("    a = b:C\n    acme-crm = "
                                         "integrations.acme_crm:AcmeCRM\n")


@pytest.mark.parametrize("text, message", [
    ("[metadata]\nname = x\n", "no \\[options.entry_points\\] section"),
    (SETUP.replace("other =", "acme-crm ="), "'acme-crm' is already registered"),
    ("[options.entry_points]\nframework.integrations = a = b:C\n", "one per indented line"),
])
def test_register_refuses(text, message):
    with pytest.raises(ScaffoldError, match=message):
        register(text, ACME)


def test_create_writes_every_file_and_registers(tmp_path):
    (tmp_path / "setup.cfg").write_text(SETUP)
    written = create("Acme CRM", tmp_path)
    relative = [str(p.relative_to(tmp_path)) for p in written]
    assert relative[:4] == ["integrations/acme_crm/__init__.py",
                            "integrations/acme_crm/mapper.py",
                            "integrations/acme_crm/README.md",
                            "tests/acme_crm/test_acme_crm.py"]
    assert relative[4:-1] == [f"tests/fixtures/acme-crm/{m}-basic.json" for m in
                              ("identify", "track", "page", "screen", "group", "alias")]
    assert relative[-1] == "setup.cfg"
    assert "acme-crm = integrations.acme_crm:AcmeCRM" in (tmp_path / "setup.cfg").read_text()
    source = (tmp_path / "integrations/acme_crm/__init__.py").read_text()
    assert 'class AcmeCRM(\n        integration("Acme CRM")' in source
    compile(source, "__init__.py", "exec")
    with pytest.raises(ScaffoldError, match="refusing to overwrite integrations/acme_crm"):
        create("Acme CRM", tmp_path)


def test_create_refuses_before_writing_anything(tmp_path):
    with pytest.raises(ScaffoldError, match="no setup.cfg in"):
        create("Acme CRM", tmp_path)
    (tmp_path / "setup.cfg").write_text(SETUP)
    with pytest.raises(ScaffoldError, match="the slug 'webhooks' is taken by an installed "
                                            "integration \\(integrations.webhooks:Webhooks\\)"):
        create("Webhooks", tmp_path)
    (tmp_path / "tests" / "fixtures" / "acme-crm").mkdir(parents=True)
    with pytest.raises(ScaffoldError, match="refusing to overwrite tests/fixtures/acme-crm"):
        create("Acme CRM", tmp_path)
    (tmp_path / "setup.cfg").write_text("[metadata]\n")
    with pytest.raises(ScaffoldError, match="no \\[options.entry_points\\]"):
        create("Other One", tmp_path)
    assert not (tmp_path / "integrations").exists()


def test_the_command(command, tmp_path):
    (tmp_path / "setup.cfg").write_text(SETUP)
    code, out, err = command("new", "Acme CRM", "--root", tmp_path)
    assert code == 0 and err == ""
    assert out.startswith("created integrations/acme_crm/__init__.py\n")
    assert "updated setup.cfg\n\nNext: `make install` (registers the 'acme-crm' entry point)" \
        in out
    code, out, err = command("new", "Acme CRM", "--root", tmp_path)
    assert (code, out) == (1, "")
    assert err == "framework new: refusing to overwrite integrations/acme_crm: it already " \
                  "exists\n"


def test_create_a_manifest_integration(tmp_path):
    import json

    from framework.manifest import load
    from framework.manifest.checks import manifest_problems

    (tmp_path / "setup.cfg").write_text(SETUP)
    written = create("Acme CRM", tmp_path, manifest=True)
    package = tmp_path / "integrations" / "acme_crm"
    assert written[-1] == tmp_path / "setup.cfg"
    assert "    acme_crm = integrations.acme_crm:Integration\n" in \
        (tmp_path / "setup.cfg").read_text()
    assert manifest_problems(package / "manifest.json") == []
    hook = load(package)
    assert hook.slug() == "acme_crm" and hook.implemented() == ["default", "flag"]
    fixtures = {p.stem: json.loads(p.read_text()) for p in (package / "fixtures").glob("*")}
    assert sorted(fixtures) == ["default-basic", "flag-basic", "flag-skipped-outside-production"]
    assert fixtures["flag-basic"]["request"]["body"]["flag"] == "express-checkout"
    assert fixtures["flag-skipped-outside-production"]["error"] == {"code": "MESSAGE_SKIPPED"}
    with pytest.raises(ScaffoldError, match="refusing to overwrite integrations/acme_crm"):
        create("Acme CRM", tmp_path, manifest=True)
