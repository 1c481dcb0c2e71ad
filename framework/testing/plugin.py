"""The pytest plugin (entry point ``pytest11``: ``framework``).

* Every fixture file of every installed integration becomes its own test item, named
  ``<slug>/<name>``: the files in ``tests/fixtures/<slug>/`` under the rootdir are collected
  where pytest collects them, and those an integration ships in its package's ``fixtures/``
  folder are added when pytest runs without explicit paths. A broken fixture fails as its own
  item, with the file and the reason.
* A fixture under ``tests/fixtures/<slug>/`` whose slug matches no installed integration fails
  loudly (it would otherwise never run): fixtures find their integration through the
  ``framework.integrations`` entry point, which ``framework new`` declares.
* The ``integration_tester`` fixture is a factory:
  ``integration_tester(MyIntegration, settings)`` returns an
  :class:`~framework.testing.IntegrationTester` reading fixtures from the rootdir.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import pytest

from .fixtures import FixtureError, fixture_dirs, load_fixture

__all__ = ["FixtureFile", "FixtureItem", "UnregisteredFixtureFile", "UnregisteredFixtureItem"]


@dataclass(frozen=True)
class _Source:
    slug: str
    entry_point: Any


_FOLDERS = pytest.StashKey[dict[Path, _Source]]()


def _folders(config: pytest.Config) -> dict[Path, _Source]:
    """Resolved fixture folder -> the integration it belongs to (computed once)."""
    folders = config.stash.get(_FOLDERS, None)
    if folders is None:
        from integrations import available

        folders = {}
        for slug, entry_point in sorted(available().items()):
            for folder in fixture_dirs(slug, entry_point.module, root=config.rootpath):
                folders.setdefault(folder.resolve(), _Source(slug, entry_point))
        config.stash[_FOLDERS] = folders
    return folders


def pytest_collect_file(file_path: Path,
                        parent: pytest.Collector) -> "FixtureFile | UnregisteredFixtureFile | None":
    """Collect ``<fixtures folder>/<name>.json`` of an installed integration."""
    if file_path.suffix != ".json":
        return None
    folder = file_path.parent.resolve()
    source = _folders(parent.config).get(folder)
    if source is None:
        if folder.parent == (parent.config.rootpath / "tests" / "fixtures").resolve():
            return UnregisteredFixtureFile.from_parent(parent, path=file_path)
        return None
    return FixtureFile.from_parent(parent, path=file_path, source=source)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    """Add the fixtures shipped inside integration packages outside the collected paths, when
    pytest was run without explicit paths."""
    if getattr(config.option, "file_or_dir", None):
        return  # explicit paths: collect only what was asked for
    seen = {item.path.resolve() for item in items if isinstance(item, FixtureItem)}
    for folder, source in _folders(config).items():
        for path in sorted(folder.glob("*.json")):
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            collector = FixtureFile.from_parent(session, path=path, source=source)
            items.extend(collector.collect())


class FixtureFile(pytest.File):
    """One fixture file; it yields one :class:`FixtureItem`."""

    def __init__(self, *, source: _Source, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = source

    def collect(self) -> Iterator["FixtureItem"]:
        """The file's single item, named ``<slug>/<name>``; reading waits for the run."""
        yield FixtureItem.from_parent(self, name=f"{self.source.slug}/{self.path.stem}",
                                      source=self.source)


class UnregisteredFixtureFile(pytest.File):
    """A fixture file of ``tests/fixtures/<slug>/`` for a slug no installed integration has;
    its one item fails, saying how integrations are registered."""

    def collect(self) -> Iterator["UnregisteredFixtureItem"]:
        """The file's single item, named ``<slug>/<name>``."""
        yield UnregisteredFixtureItem.from_parent(
            self, name=f"{self.path.parent.name}/{self.path.stem}")


class UnregisteredFixtureItem(pytest.Item):
    """Fails: its folder names no installed integration."""

    def runtest(self) -> None:
        """Report the unregistered slug."""
        from integrations import available

        slug = self.path.parent.name
        installed = ", ".join(sorted(available())) or "none"
        raise _FixtureFailure(
            f"{self.path}: tests/fixtures/{slug}/ matches no installed integration "
            f"(installed: {installed}), so its fixtures cannot run. Fixtures run against the "
            f"integration registered under the folder's name in the 'framework.integrations' "
            f"entry point group: declare it in setup.cfg ([options.entry_points] "
            f"framework.integrations = {slug} = your_package:YourIntegration; "
            f"`framework new` does this) and reinstall the package (pip install -e .), or "
            f"rename the folder to the integration's slug.")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> Any:
        """The failure as plain text."""
        if isinstance(excinfo.value, _FixtureFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Where the item comes from."""
        return self.path, None, f"unregistered fixture {self.name}"


class _FixtureFailure(Exception):
    """A fixture item's failure, shown without a traceback."""


class FixtureItem(pytest.Item):
    """Runs one fixture with :func:`~framework.testing.runner.run_fixture`."""

    def __init__(self, *, source: _Source, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = source

    def runtest(self) -> None:
        """Read the fixture, load the integration, run the fixture."""
        from .runner import run_fixture

        try:
            fixture = load_fixture(self.path)
        except FixtureError as exc:
            raise _FixtureFailure(f"broken fixture: {exc}") from None
        try:
            integration = self.source.entry_point.load()
        except Exception as exc:  # noqa: BLE001 - reported as this item's failure
            raise _FixtureFailure(f"cannot load the integration {self.source.slug!r} "
                                  f"({self.source.entry_point.value}): "
                                  f"{type(exc).__name__}: {exc}") from exc
        try:
            run_fixture(integration, fixture)
        except AssertionError as exc:
            raise _FixtureFailure(f"{self.path}\n{exc}") from exc

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> Any:
        """Fixture failures are plain text; anything else gets pytest's usual report."""
        if isinstance(excinfo.value, _FixtureFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Where the item comes from."""
        return self.path, None, f"fixture {self.name}"


@pytest.fixture
def integration_tester(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """A factory: ``integration_tester(Integration, settings=None, fixtures=None)`` returns an
    :class:`~framework.testing.IntegrationTester` whose fixtures come from the rootdir's
    ``tests/fixtures/<slug>/`` (and the package's ``fixtures/``) unless ``fixtures`` is given.
    """
    from .tester import IntegrationTester

    root = request.config.rootpath

    def make(integration: Any, settings: Any = None,
             fixtures: str | Path | Sequence[str | Path] | None = None) -> IntegrationTester:
        if fixtures is None:
            cls: Any = integration if isinstance(integration, type) else type(integration)
            found = fixture_dirs(cls.slug(), cls.__module__, root=root)
            fixtures = found or None
        return IntegrationTester(integration, settings, fixtures=fixtures)

    return make
