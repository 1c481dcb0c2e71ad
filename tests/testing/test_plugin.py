"""The pytest plugin, run in a throwaway project with pytester (in-process, no network)."""

import json
from importlib.metadata import EntryPoint

import pytest

import integrations

pytest_plugins = ["pytester"]

TOY = '''
from framework import integration


class Toy(integration("Toy").endpoint("https://toy.test")):
    def track(self, msg):
        return self.post("/t").send({"event": msg.event()}).end()
'''


def fixture(**extra):
    return json.dumps(dict({"input": {"type": "track", "event": "E"}}, **extra))


@pytest.fixture
def project(pytester, monkeypatch):
    """A project with one installed integration, ``toy``, and its fixtures."""
    pytester.makepyfile(toy_integration=TOY)
    pytester.syspathinsert()
    found = {"toy": EntryPoint("toy", "toy_integration:Toy", integrations.GROUP)}
    monkeypatch.setattr(integrations, "available", lambda: dict(found))
    folder = pytester.mkdir("tests").joinpath("fixtures")
    (folder / "toy").mkdir(parents=True)
    (folder / "toy" / "track-basic.json").write_text(fixture(
        request={"method": "POST", "url": "https://toy.test/t", "body": {"event": "E"}}))
    (folder / "toy" / "track-wrong.json").write_text(fixture(
        request={"method": "POST", "url": "https://toy.test/t", "body": {"event": "F"}}))
    (folder / "toy" / "broken.json").write_text('{"input": ')
    pytester.found = found
    return pytester


def test_each_fixture_is_an_item_named_slug_slash_name(project):
    result = project.runpytest_inprocess("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*tests/fixtures/toy/broken.json::toy/broken FAILED*",
        "*tests/fixtures/toy/track-basic.json::toy/track-basic PASSED*",
        "*tests/fixtures/toy/track-wrong.json::toy/track-wrong FAILED*",
    ])
    result.stdout.fnmatch_lines([
        "*broken fixture: */tests/fixtures/toy/broken.json: invalid JSON at line 1 column 11*",
    ])
    result.stdout.fnmatch_lines([
        "*/tests/fixtures/toy/track-wrong.json",
        "Toy track: 1 assertion(s) failed",
        "  - request 0 (POST https://toy.test/t): expected JSON body {\"event\":\"F\"} but got "
        "{\"event\":\"E\"}",
    ])
    assert "Traceback" not in result.stdout.str()


def test_fixtures_of_an_unregistered_slug_fail_loudly(project):
    # issue 14: they used to be skipped silently ("collected 0 items", exit 5)
    folder = project.path / "tests" / "fixtures" / "acme"
    folder.mkdir()
    (folder / "track-basic.json").write_text(fixture())
    result = project.runpytest_inprocess("-v", "-p", "no:cacheprovider",
                                         "tests/fixtures/acme")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*tests/fixtures/acme/track-basic.json::acme/track-basic FAILED*",
        "*tests/fixtures/acme/ matches no installed integration (installed: toy)*"
        "framework.integrations*framework new*pip install -e .*",
    ])
    assert "Traceback" not in result.stdout.str()
    whole = project.runpytest_inprocess("-p", "no:cacheprovider")
    whole.assert_outcomes(passed=1, failed=3)  # toy's broken and wrong ones, and acme's


def test_an_integration_that_cannot_load_fails_its_items(project):
    project.found["toy"] = EntryPoint("toy", "no_such_module:Toy", integrations.GROUP)
    result = project.runpytest_inprocess("-p", "no:cacheprovider", "-k", "basic")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*cannot load the integration 'toy' (no_such_module:Toy): "
                                 "ModuleNotFoundError*"])


def test_package_fixtures_are_added_once_without_explicit_paths(project):
    package = project.mkpydir("toy_pkg")
    package.joinpath("__init__.py").write_text(TOY)
    package.joinpath("fixtures").mkdir()
    package.joinpath("fixtures", "shipped.json").write_text(fixture())
    project.found["toy"] = EntryPoint("toy", "toy_pkg:Toy", integrations.GROUP)
    # the package is inside the project: collected where it lies, and not added again
    result = project.runpytest_inprocess("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=2, failed=2)
    assert result.stdout.str().count("toy/shipped") == 1
    # only the tests folder is collected: the package's fixtures are added
    project.makeini("[pytest]\ntestpaths = tests\n")
    result = project.runpytest_inprocess("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=2, failed=2)
    assert result.stdout.str().count("toy/shipped PASSED") == 1
    # an explicit path is respected
    result = project.runpytest_inprocess("-p", "no:cacheprovider", "tests/fixtures/toy/"
                                         "track-basic.json")
    result.assert_outcomes(passed=1)


def test_the_integration_tester_fixture(project):
    project.makepyfile(test_toy='''
        from toy_integration import Toy

        def test_it(integration_tester):
            tester = integration_tester(Toy)
            assert tester.fixture("track-basic")["input"]["event"] == "E"
            tester.track({"event": "E"}).sends({"event": "E"}).end()
            other = integration_tester(Toy(), fixtures="elsewhere")
            assert [p.name for p in other.fixture_dirs()] == ["elsewhere"]
    ''')
    result = project.runpytest_inprocess("-p", "no:cacheprovider", "test_toy.py")
    result.assert_outcomes(passed=1)
