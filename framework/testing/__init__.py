"""Testing tools for integrations: the tester, the fixture runner and the standard suite.

    from framework.testing import IntegrationTester, IntegrationSuite

    def test_track(integration_tester):            # the plugin's factory fixture
        (integration_tester(Acme, {"apiKey": "k"})
            .track({"event": "Signed Up", "userId": "u1"})
            .sends("Authorization", "Bearer k")
            .expects(200)
            .end())

    class TestAcme(IntegrationSuite):              # the standard checks, for free
        integration = Acme
        settings = {"apiKey": "k"}

Names are imported on first use, so ``import framework.testing.sandbox`` stays light (the
standard suite needs pytest and hypothesis; the sandbox needs ``responses``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "IntegrationTester", "IntegrationSuite", "RunOutcome", "Sandbox", "Reply", "Exchange",
    "NetworkBlocked", "Fixture", "FixtureError", "load_fixture", "parse_fixture",
    "fixture_dirs", "find_fixture", "run_fixture", "as_message", "sample_message", "CHECKS",
]

_WHERE = {
    "IntegrationTester": "tester", "RunOutcome": "tester",
    "IntegrationSuite": "suite", "CHECKS": "suite", "sample_message": "samples",
    "Sandbox": "sandbox", "Reply": "sandbox", "Exchange": "sandbox",
    "NetworkBlocked": "sandbox",
    "Fixture": "fixtures", "FixtureError": "fixtures", "load_fixture": "fixtures",
    "parse_fixture": "fixtures", "fixture_dirs": "fixtures", "find_fixture": "fixtures",
    "run_fixture": "runner",
    "as_message": "declarations",
}

if TYPE_CHECKING:  # pragma: no cover
    from .declarations import as_message
    from .fixtures import (Fixture, FixtureError, find_fixture, fixture_dirs, load_fixture,
                           parse_fixture)
    from .runner import run_fixture
    from .samples import sample_message
    from .sandbox import Exchange, NetworkBlocked, Reply, Sandbox
    from .suite import CHECKS, IntegrationSuite
    from .tester import IntegrationTester, RunOutcome


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
