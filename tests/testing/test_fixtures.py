"""The fixture format: what is accepted, what is refused and how it is said, and where
fixtures are found."""

import json

import pytest

from framework.testing import Fixture, FixtureError, fixture_dirs, load_fixture, parse_fixture
from framework.testing.fixtures import fixture_paths, package_fixture_dir

INPUT = {"type": "track", "event": "E"}
REQUEST = {"method": "POST", "url": "https://a.test"}


@pytest.mark.parametrize("document, problem", [
    ([], "a fixture must be a JSON object, got list"),
    ({"input": INPUT, "ouput": {}}, "unknown key\\(s\\) 'ouput'; a fixture may have "),
    ({}, '"input" \\(the message\\) is required'),
    ({"input": []}, '"input" must be an object'),
    ({"input": {"event": "E"}}, '"input.type" must be specified'),
    ({"input": {"type": ""}}, '"input.type" must be specified'),
    ({"input": INPUT, "settings": []}, '"settings" must be an object'),
    ({"input": INPUT, "request": "x"}, '"request" must be an object'),
    ({"input": INPUT, "request": {"url": "u"}}, '"request" needs "method"'),
    ({"input": INPUT, "request": [REQUEST, {"method": "GET"}]}, '"request"\\[1\\] needs "url"'),
    ({"input": INPUT, "request": dict(REQUEST, header={})}, '"request" has unknown key'),
    ({"input": INPUT, "request": dict(REQUEST, headers={"a": 1})},
     '"request".headers must be an object of header names to strings'),
    ({"input": INPUT, "requests": REQUEST}, '"requests" must be a list'),
    ({"input": INPUT, "request": [REQUEST], "requests": []},
     '"request" and "requests" list different numbers'),
    ({"input": INPUT, "response": {}}, '"response.status" must be an HTTP status'),
    ({"input": INPUT, "response": {"status": True}}, '"response.status" must be'),
    ({"input": INPUT, "response": {"status": 200, "headers": []}}, '"response.headers"'),
    ({"input": INPUT, "response": []}, '"response" must be an object'),
    ({"input": INPUT, "error": {}}, '"error.code" must be an error code'),
    ({"input": INPUT, "error": {"code": "X", "status": "500"}}, '"error.status" must be'),
    ({"input": INPUT, "error": {"code": "X", "message": 1}}, '"error.message" must be'),
    ({"input": INPUT, "error": {"code": "X", "why": 1}}, "\"error\" has unknown key"),
])
def test_malformed_fixtures_are_refused_with_the_reason(document, problem):
    with pytest.raises(FixtureError, match="^bad.json: " + problem):
        parse_fixture(document, "bad.json")


def test_a_full_fixture():
    fixture = parse_fixture({
        "description": "d", "settings": {"k": "v"}, "input": INPUT, "output": {"o": 1},
        "request": dict(REQUEST, headers={"A": "1"}, body={"b": 1}),
        "requests": [REQUEST, REQUEST], "response": {"status": 200, "headers": {"H": "v"}},
        "error": {"code": "HTTP_ERROR", "status": None}}, "dir/name.json")
    assert isinstance(fixture, Fixture) and fixture.name == "name"
    assert fixture.input == INPUT and fixture.settings == {"k": "v"}
    assert fixture.has_output and fixture.output == {"o": 1} and fixture.checks_wire
    assert [i for i, _ in fixture.requests] == [0, 0, 1] and fixture.request_count == 2
    assert fixture.response["status"] == 200 and fixture.error["code"] == "HTTP_ERROR"
    copy = fixture.input
    copy["event"] = "changed"
    assert fixture.input["event"] == "E"


def test_a_minimal_fixture():
    fixture = parse_fixture({"input": INPUT, "output": None})
    assert fixture.settings is None and fixture.response is None and fixture.error is None
    assert fixture.requests == [] and fixture.request_count is None
    assert not fixture.checks_wire
    assert parse_fixture({"input": INPUT}).checks_wire


def test_load_fixture_reports_json_errors_with_their_place(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"input": {"type": "track"},\n  oops}')
    with pytest.raises(FixtureError, match=r"broken.json: invalid JSON at line 2 column 3"):
        load_fixture(path)
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(FixtureError, match="not UTF-8"):
        load_fixture(path)
    with pytest.raises(FixtureError, match="cannot read the fixture"):
        load_fixture(tmp_path / "missing.json")
    path.write_text(json.dumps({"input": INPUT}))
    assert load_fixture(path).path == path


def test_fixture_dirs_repo_then_package(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / "tests" / "fixtures" / "toy").mkdir(parents=True)
    package = tmp_path / "site" / "toy_pkg"
    (package / "fixtures").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "fixtures" / "b.json").write_text("{}")
    (repo / "tests" / "fixtures" / "toy" / "a.json").write_text("{}")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert package_fixture_dir("toy_pkg") == package / "fixtures"
    assert package_fixture_dir("no_such_module_here") is None
    assert package_fixture_dir("json.decoder") is None  # a module, not a package
    dirs = fixture_dirs("toy", "toy_pkg", root=repo)
    assert dirs == [repo / "tests" / "fixtures" / "toy", package / "fixtures"]
    assert [p.name for p in fixture_paths(dirs)] == ["a.json", "b.json"]
    assert fixture_dirs("toy", None, root=tmp_path) == []
    monkeypatch.chdir(repo / "tests")
    assert fixture_dirs("toy") == [repo / "tests" / "fixtures" / "toy"]
    same = fixture_dirs("toy", "toy_pkg", root=package.parent.parent / "none")
    assert same == [package / "fixtures"]


def test_package_without_fixtures_folder(tmp_path, monkeypatch):
    (tmp_path / "bare_pkg").mkdir()
    (tmp_path / "bare_pkg" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert package_fixture_dir("bare_pkg") is None
