"""``IntegrationSuite``: the standard checks every integration's test module inherits.

    class TestAcme(IntegrationSuite):
        integration = Acme
        settings = {"apiKey": "k"}
        skip_checks = {"generated_messages"}      # skip single checks by name

Checks (by name):

* ``spec``: ``spec()`` is readable JSON, with a name, a slug and at least one method;
* ``unique_slug``: no other installed integration has the slug, and the entry point (if any)
  is named after it;
* ``fixture_per_method``: every implemented method has at least one fixture;
* ``required_settings``: the settings given are valid, and removing any ``ensure``'d or
  required typed setting makes validation fail;
* ``generated_messages``: hypothesis-generated Segment messages, answered with assorted
  statuses, raise nothing but ``framework.errors`` exceptions and never reach the network;
* ``no_secret_leaks``: no secret setting's value (a secret-looking key at any depth, such as
  ``apiKey`` or ``headers.Authorization``) appears in ``repr()``, errors or logs;
* ``manifest``: for a manifest integration, ``framework validate`` finds no problem in its
  ``manifest.json`` (schema, templates against the sample events, policies...); passes for
  integrations written in Python.
"""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any, ClassVar, Iterable

import facade
import pytest

from .. import errors
from ..builder import slugify
from .fixtures import FixtureError, fixture_dirs, fixture_paths, load_fixture
from .samples import sample_message
from .sandbox import Reply, Sandbox

__all__ = ["IntegrationSuite", "CHECKS"]

CHECKS = ("spec", "unique_slug", "fixture_per_method", "required_settings",
          "generated_messages", "no_secret_leaks", "manifest")
_STATUSES = (200, 201, 202, 204, 400, 401, 403, 404, 408, 429, 500, 502, 503)


def _no_sleep(seconds: float) -> None:
    """Retries wait for nothing inside the suite."""


def _drop(settings: dict[str, Any], path: tuple[str, ...]) -> None:
    """Remove the setting at ``path`` (a dotted key as given, or nested objects)."""
    settings.pop(".".join(path), None)
    node: Any = settings
    for part in path[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(path[-1], None)


class IntegrationSuite:
    """Subclass it in a test module (``class TestAcme(IntegrationSuite)``) and set:

    Attributes:
        integration: The built integration class under test.
        settings: Valid settings for it (copied for every check).
        skip_checks: Names of checks to skip (see :data:`CHECKS`; ``test_`` prefix optional).
        fixtures: A folder (or list of folders) of fixtures; by default the rootdir's
            ``tests/fixtures/<slug>/`` and the package's ``fixtures/``.
        hypothesis_settings: Keyword arguments for ``hypothesis.settings`` in
            ``generated_messages``.
    """

    integration: ClassVar[Any] = None
    settings: ClassVar[dict[str, Any]] = {}
    skip_checks: ClassVar[Iterable[str]] = ()
    fixtures: ClassVar[Any] = None
    hypothesis_settings: ClassVar[dict[str, Any]] = {"max_examples": 30, "deadline": None}

    @pytest.fixture(autouse=True)
    def _standard_check(self, request: pytest.FixtureRequest) -> None:
        """Fail on an unknown name in ``skip_checks``; skip the checks it names."""
        names = {str(n).removeprefix("test_") for n in self.skip_checks}
        unknown = sorted(names - set(CHECKS))
        if unknown:
            pytest.fail(f"{type(self).__name__}.skip_checks names unknown check(s) "
                        f"{', '.join(unknown)}; the checks are {', '.join(CHECKS)}",
                        pytrace=False)
        check = request.function.__name__.removeprefix("test_")
        if check in CHECKS and check in names:
            pytest.skip(f"standard check {check!r} is in skip_checks")
        if check in CHECKS and self.integration is None:
            pytest.fail(f"set `integration = YourIntegration` on {type(self).__name__}",
                        pytrace=False)

    # -- helpers -----------------------------------------------------------------------------

    def _settings(self) -> dict[str, Any]:
        return copy.deepcopy(dict(self.settings))

    def _instance(self, settings: dict[str, Any] | None = None) -> Any:
        chosen = self._settings() if settings is None else settings
        return self.integration(chosen, sleep=_no_sleep)

    def _fixture_dirs(self, request: pytest.FixtureRequest) -> list[Path]:
        if self.fixtures is not None:
            given = self.fixtures
            return [Path(given)] if isinstance(given, (str, Path)) else [Path(f) for f in given]
        cls = self.integration
        return fixture_dirs(cls.slug(), cls.__module__, root=request.config.rootpath)

    def _sample_messages(self, request: pytest.FixtureRequest) -> list[dict[str, Any]]:
        messages = [sample_message(kind) for kind in self.integration.implemented()
                    if kind in facade.TYPES]
        for path in fixture_paths(self._fixture_dirs(request)):
            try:
                messages.extend(load_fixture(path).inputs)
            except FixtureError:
                continue  # the fixture's own item reports it
        return messages

    # -- the checks ----------------------------------------------------------------------

    def test_spec(self) -> None:
        """``spec()`` is JSON with a name, a matching slug and at least one method."""
        cls = self.integration
        spec = cls.spec()
        json.dumps(spec)
        assert spec["name"], "the integration has no name: integration('Name')"
        expected = cls.key or slugify(spec["name"])
        assert spec["slug"] == expected != "", \
            f"slug {spec['slug']!r} does not follow the name {spec['name']!r}"
        assert spec["methods"], \
            f"{spec['name']} implements no method (identify, track, page, ...)"

    def test_unique_slug(self) -> None:
        """No other installed integration uses the slug; the entry point is named after it."""
        from integrations import available

        cls = self.integration
        slug = cls.slug()
        for name, entry_point in sorted(available().items()):
            try:
                other = entry_point.load()
            except Exception:  # noqa: BLE001 - another integration's problem, tested there
                continue
            if other is cls:
                assert name == slug, \
                    f"{cls.name} is registered as {name!r} but its slug is {slug!r}"
            elif name == slug or getattr(other, "slug", lambda: None)() == slug:
                raise AssertionError(f"slug {slug!r} is also used by {entry_point.value} "
                                     f"(entry point {name!r})")

    def test_fixture_per_method(self, request: pytest.FixtureRequest) -> None:
        """Every implemented method has at least one fixture whose input routes to it."""
        cls = self.integration
        dirs = self._fixture_dirs(request)
        probe = self._instance()
        covered = set()
        for path in fixture_paths(dirs):
            try:
                inputs = load_fixture(path).inputs
            except FixtureError:
                continue
            for message in inputs:
                try:
                    covered.add(probe.route(facade.create(message)))
                except errors.NotSupported:
                    continue
        missing = [m for m in cls.implemented() if m not in covered]
        where = ", ".join(str(d) for d in dirs) or f"tests/fixtures/{cls.slug()}/ (missing)"
        assert not missing, f"no fixture for {', '.join(missing)} in {where}; add e.g. " \
            f"{missing[0]}-basic.json with an input of that type"

    def test_required_settings(self) -> None:
        """The given settings are valid; dropping each ``ensure``'d or required typed setting
        is not."""
        cls = self.integration
        rules = [v for v in cls._validations if v.kind == "settings"]
        for declared in getattr(cls, "_settings", ()):
            if declared.required:
                settings = self._settings()
                _drop(settings, declared.path)
                try:
                    cls.validate_settings(settings)
                except errors.ValidationError:
                    continue
                raise AssertionError(f"validate_settings() accepted settings without the "
                                     f"required setting {declared.key!r}")
        for kind in cls.implemented() or ["track"]:
            message = facade.create(sample_message(kind if kind in facade.TYPES else "track"))
            try:
                cls.validate(message, self._settings())
            except errors.ValidationError as error:
                raise AssertionError(f"the suite's settings are invalid for a {kind} "
                                     f"message: {error}") from error
            except errors.RejectedError:
                pass
        for rule in rules:
            kind = rule.methods[0] if rule.methods else "track"
            settings = self._settings()
            settings.pop(rule.path, None)
            try:
                cls.validate(facade.create(sample_message(kind)), settings)
            except errors.ValidationError:
                continue
            except errors.IntegrationError as error:
                raise AssertionError(f"without setting {rule.path!r}, validate() raised "
                                     f"{type(error).__name__} instead of ValidationError: "
                                     f"{error}") from error
            raise AssertionError(f"validate() accepted settings without the ensured setting "
                                 f"{rule.path!r}")

    def test_generated_messages(self) -> None:
        """Generated messages raise only framework errors and never reach the network."""
        from hypothesis import given, settings, strategies as st

        from .strategies import any_messages

        @settings(**self.hypothesis_settings)
        @given(message=any_messages(), status=st.sampled_from(_STATUSES))
        def check(message: dict[str, Any], status: int) -> None:
            self._run_generated(message, status)

        check()

    def _run_generated(self, message: Any, status: int) -> None:
        secrets = errors.secret_values(self.settings)
        sandbox = Sandbox(default=Reply(status, {"error": "sandbox reply"}))
        with sandbox:
            try:
                self._instance().process(message)
            except errors.IntegrationError as error:
                _assert_no_secret(secrets, f"the {type(error).__name__}", _error_text(error))
            except Exception as exc:
                raise AssertionError(
                    f"process() raised {type(exc).__name__} (not a framework.errors exception) "
                    f"for {_dump(message)} answered with {status}: {exc}") from exc
        assert not sandbox.blocked, f"a real connection to {sandbox.blocked} was attempted " \
            f"for {_dump(message)}"
        assert not sandbox.unmatched, \
            f"{[r.method for r in sandbox.unmatched]} requests could not be answered"

    def test_no_secret_leaks(self, request: pytest.FixtureRequest,
                             caplog: pytest.LogCaptureFixture) -> None:
        """No secret setting's value shows in ``repr()``, errors, or log records."""
        secrets = errors.secret_values(self.settings)
        instance = self._instance()
        _assert_no_secret(secrets, "repr(integration)", repr(instance))
        echo = " ".join(secrets) or "nothing secret"
        replies = [Reply(200), Reply(500, f"server error echoing {echo}"),
                   Reply(401, {"error": f"bad credentials {echo}"}), Reply(400, echo)]
        with caplog.at_level(logging.DEBUG):
            for message in self._sample_messages(request):
                for reply in replies:
                    with Sandbox(default=reply):
                        try:
                            self._instance().process(message)
                        except errors.IntegrationError as error:
                            _assert_no_secret(secrets, f"the {type(error).__name__} for a "
                                              f"{message.get('type')} message answered "
                                              f"{reply.status}", _error_text(error))
        _assert_no_secret(secrets, "the log records", caplog.text)

    def test_manifest(self) -> None:
        """A manifest integration's ``manifest.json`` passes ``framework validate``."""
        directory = getattr(self.integration, "manifest_dir", None)
        if directory is None:
            return
        from ..manifest.checks import manifest_problems

        problems = manifest_problems(Path(directory) / "manifest.json")
        assert not problems, f"framework validate {directory}:\n" + \
            "\n".join(f"  {p} [{p.rule}]" for p in problems)


def _error_text(error: errors.IntegrationError) -> str:
    parts = [str(error), repr(error), json.dumps(error.to_dict(), default=str),
             str(getattr(error, "body", ""))]
    parts += [_error_text(e) for e in getattr(error, "errors", None) or []
              if isinstance(e, errors.IntegrationError)]
    return "\n".join(parts)


def _assert_no_secret(secrets: list[str], where: str, text: str) -> None:
    for secret in secrets:
        if secret in text:
            shown = f"{secret[:2]}...({len(secret)} chars)"
            raise AssertionError(f"{where} contains the value of a secret setting ({shown}): "
                                 f"redact it with framework.errors.redact")


def _dump(message: Any) -> str:
    try:
        text = facade.dumps(message)
    except (TypeError, ValueError):
        text = repr(message)
    return text if len(text) < 400 else text[:400] + "..."
