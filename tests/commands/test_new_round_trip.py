"""``framework new`` round trip: generate into a copy of the repository, register the entry
point with setuptools, and run the generated tests and flake8 there, without any edit.

The copy is imported through PYTHONPATH and its setuptools metadata (``egg_info``) comes first
on sys.path, so the generated entry point and the ``pytest11`` plugin resolve to the copy's
code, as after ``make install``.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from framework import scaffold

REPO = Path(__file__).resolve().parents[2]


def repository_files():
    try:
        listed = subprocess.run(
            ["git", "-C", str(REPO), "ls-files", "--cached", "--others", "--exclude-standard"],
            check=True, capture_output=True, text=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError) as exc:  # pragma: no cover
        pytest.skip(f"git is needed to copy the repository: {exc}")
    return sorted({name for name in listed if (REPO / name).is_file()})


def run(argv, cwd, env):
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def copied_repository(tmp_path):
    """A copy of the repository and the environment that imports it."""
    copy = tmp_path / "repo"
    for name in repository_files():
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHON"))}
    env["PYTHONPATH"] = str(copy)
    return copy, env


def register_entry_points(copy, env):
    metadata = run([sys.executable, "-c", "from setuptools import setup; setup()", "-q",
                    "egg_info"], copy, env)
    assert metadata.returncode == 0, metadata.stderr


def test_generated_integration_passes_its_tests_and_lint(tmp_path):
    copy, env = copied_repository(tmp_path)
    written = scaffold.create("My Integration", copy)
    assert copy / "setup.cfg" in written

    register_entry_points(copy, env)
    entry_points = (copy / "cdp_framework.egg-info" / "entry_points.txt").read_text()
    assert "my-integration = integrations.my_integration:MyIntegration" in entry_points

    where = run([sys.executable, "-c", "import framework, integrations; "
                 "print(integrations.load('my-integration').__module__, framework.__file__)"],
                copy, env)
    assert where.stdout.split() == ["integrations.my_integration",
                                    str(copy / "framework" / "__init__.py")], where.stderr

    tests = run([sys.executable, "-m", "pytest", "-o", "addopts=", "-v", "-p", "no:cacheprovider",
                 "tests/my_integration", "tests/fixtures/my-integration"], copy, env)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "tests/fixtures/my-integration/track-basic.json::my-integration/track-basic " \
           "PASSED" in tests.stdout
    assert "TestMyIntegrationSuite::test_generated_messages PASSED" in tests.stdout
    assert " passed in " in tests.stdout and "failed" not in tests.stdout

    lint = run([sys.executable, "-m", "flake8", "integrations/my_integration",
                "tests/my_integration"], copy, env)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_generated_manifest_integration_validates_and_passes_its_tests(tmp_path):
    copy, env = copied_repository(tmp_path)
    written = scaffold.create("My Hook", copy, manifest=True)
    assert copy / "integrations" / "my_hook" / "manifest.json" in written
    register_entry_points(copy, env)
    entry_points = (copy / "cdp_framework.egg-info" / "entry_points.txt").read_text()
    assert "my_hook = integrations.my_hook:Integration" in entry_points

    validate = run([sys.executable, "-m", "framework.cli", "validate", "my_hook"], copy, env)
    assert (validate.returncode, validate.stdout) == (0, "my_hook: ok\n"), validate.stderr

    tests = run([sys.executable, "-m", "pytest", "-o", "addopts=", "-v", "-p", "no:cacheprovider",
                 "tests/my_hook", "integrations/my_hook/fixtures"], copy, env)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    for check in ("test_manifest", "test_fixture_per_method", "test_no_secret_leaks"):
        assert f"TestMyHookSuite::{check} PASSED" in tests.stdout
    assert "integrations/my_hook/fixtures/flag-basic.json::my_hook/flag-basic PASSED" \
        in tests.stdout
    assert "my_hook/flag-skipped-outside-production PASSED" in tests.stdout
    assert " passed in " in tests.stdout and "failed" not in tests.stdout

    preview = run([sys.executable, "-m", "framework.cli", "preview", "my_hook"], copy, env)
    assert preview.returncode == 0, preview.stderr
    assert "HEADER: Authorization: Bearer $APITOKEN" in preview.stdout

    lint = run([sys.executable, "-m", "flake8", "integrations/my_hook", "tests/my_hook"],
               copy, env)
    assert lint.returncode == 0, lint.stdout + lint.stderr
