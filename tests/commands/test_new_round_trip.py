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


def test_generated_integration_passes_its_tests_and_lint(tmp_path):
    copy = tmp_path / "repo"
    for name in repository_files():
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)

    written = scaffold.create("My Integration", copy)
    assert copy / "setup.cfg" in written

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHON"))}
    env["PYTHONPATH"] = str(copy)
    metadata = run([sys.executable, "-c", "from setuptools import setup; setup()", "-q",
                    "egg_info"], copy, env)
    assert metadata.returncode == 0, metadata.stderr
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
