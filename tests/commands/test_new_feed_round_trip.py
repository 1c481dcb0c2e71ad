"""``framework new --feed`` round trip: generate a feed into a copy of the repository and run
its generated tests and flake8 there, without any edit."""

import os
import shutil
import sys

from test_new_round_trip import REPO, repository_files, run

from framework.cli import main


def test_generated_feed_passes_its_tests_and_lint(tmp_path, capsys):
    copy = tmp_path / "repo"
    for name in repository_files():
        if name.startswith(("integrations/", "framework/", "facade/")) or "/" not in name:
            target = copy / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target)

    assert main(["new", "--feed", "Acme Audience", "--root", str(copy)]) == 0
    out = capsys.readouterr().out
    assert "created integrations/acme_audience/__init__.py" in out
    assert "framework serve --feed integrations.acme_audience:AcmeAudience" in out
    assert not (copy / "tests" / "fixtures").exists()

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHON"))}
    env["PYTHONPATH"] = str(copy)
    tests = run([sys.executable, "-m", "pytest", "-o", "addopts=", "-v", "-p", "no:cacheprovider",
                 "tests/acme_audience"], copy, env)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "TestAcmeAudienceSuite::test_fuzzed_identifiers PASSED" in tests.stdout
    assert "test_each_batch_is_posted_with_the_token PASSED" in tests.stdout
    assert "failed" not in tests.stdout and "skipped" not in tests.stdout

    lint = run([sys.executable, "-m", "flake8", "integrations/acme_audience",
                "tests/acme_audience"], copy, env)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_feed_scaffold_refuses_to_overwrite(tmp_path, capsys):
    (tmp_path / "integrations" / "acme_audience").mkdir(parents=True)
    assert main(["new", "--feed", "Acme Audience", "--root", str(tmp_path)]) == 1
    assert "refusing to overwrite integrations/acme_audience" in capsys.readouterr().err


def test_feed_scaffold_needs_a_repository(tmp_path, capsys):
    assert main(["new", "--feed", "Acme", "--root", str(tmp_path)]) == 1
    assert "no integrations/ folder" in capsys.readouterr().err
    (tmp_path / "integrations").mkdir()
    assert main(["new", "--feed", 'say "hi"', "--root", str(tmp_path)]) == 1
    assert "may not contain quotes" in capsys.readouterr().err
