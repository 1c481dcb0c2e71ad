"""Fixture and mapper assertions, mixed into :class:`~framework.testing.IntegrationTester`.

    tester.maps("identify-basic")          # the mapper turns the input into the output
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Mapping, cast

from facade import Facade, Track

from ..callables import call_with_integration
from ..events import PATTERNS, semantic_method
from .compare import diff, show, strip_ignored, to_json
from .declarations import as_message
from .fixtures import Fixture, find_fixture, fixture_dirs, load_fixture

__all__ = ["MapperAssertions"]


class MapperAssertions:
    """Needs ``integration_class``, ``settings``, ``_fixtures``, ``_mapper`` and
    ``_settings_for`` (from :class:`~framework.testing.declarations.Declarations`)."""

    integration_class: Any
    settings: dict[str, Any]
    _fixtures: list[Path] | None
    _mapper: Any

    def fixture_dirs(self) -> list[Path]:
        """The folders fixtures are read from."""
        if self._fixtures is not None:
            return list(self._fixtures)
        cls = self.integration_class
        return fixture_dirs(cls.slug(), cls.__module__)

    def load(self, name: str) -> Fixture:
        """The parsed fixture called ``name``.

        Raises:
            FixtureError: It is missing or malformed.
        """
        return load_fixture(find_fixture(name, self.fixture_dirs()))

    def fixture(self, name: str) -> dict[str, Any]:
        """A deep copy of the fixture document called ``name``."""
        return copy.deepcopy(dict(self.load(name).data))

    def mapper(self, mapper: Any = None) -> Any:
        """With an argument, use that mapper in :meth:`maps` (returns the tester); without,
        return the mapper in use (the integration's by default)."""
        if mapper is not None:
            self._mapper = mapper
            return self
        return self._mapper if self._mapper is not None else self.integration_class._mapper

    def maps(self, name: str | Fixture, settings: Mapping[str, Any] | None = None,
             ignored: list[str] | None = None) -> Any:
        """Assert the mapper turns the fixture's input into its output.

        The mapper function is the one for the input's type, or for a track whose event is a
        spec'd event, the semantic function (``order_completed``) when the mapper has it. The
        fixture's settings are laid over these settings (the tester's when ``None``). The
        result makes a round trip through JSON before the comparison.

        Args:
            name: The fixture's name (or a loaded :class:`Fixture`).
            settings: Settings to map with.
            ignored: Keys removed at any depth from both sides before comparing.
        """
        loaded = name if isinstance(name, Fixture) else self.load(name)
        label = f"fixture {loaded.name!r}"
        if not loaded.has_output:
            raise AssertionError(f"{label} has no \"output\" to compare the mapper's result "
                                 "with")
        msg = as_message(loaded.input)
        mapper = self.mapper()
        function = self._mapper_function(msg, mapper)
        if not callable(getattr(mapper, function, None)):
            raise AssertionError(f"{label}: integration.mapper.{function}() is missing")
        merged = self._settings_for(settings)  # type: ignore[attr-defined]
        merged.update(loaded.settings or {})
        instance = self.integration_class(copy.deepcopy(merged))
        result = call_with_integration(getattr(mapper, function), msg, merged, instance)
        if result is None:
            raise AssertionError(f"{label}: integration.mapper.{function}() returned None")
        keys = ignored or []
        actual = strip_ignored(to_json(result), keys)
        expected = strip_ignored(to_json(loaded.output), keys)
        if actual != expected:
            raise AssertionError(f"{label}: mapper.{function}() returned {show(actual)}, "
                                 f"expected {show(expected)}\n{diff(expected, actual)}")
        return self

    @staticmethod
    def _mapper_function(msg: Facade, mapper: Any) -> str:
        kind = msg.type() or "track"
        if kind == "track":
            mapped = [m for m in PATTERNS if callable(getattr(mapper, m, None))]
            event = cast(Track, msg).event()  # a track message is a Track facade
            semantic = semantic_method(event, mapped) if mapped else None
            if semantic:
                return semantic
        return kind
