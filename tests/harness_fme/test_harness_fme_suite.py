"""Harness FME: the standard suite, fixture coverage, and tester-style checks."""

from pathlib import Path

from framework.testing import IntegrationSuite, IntegrationTester
from integrations.harness_fme import HarnessFME

SETTINGS = {"apiKey": "suite-sdk-key-1234", "adminApiKey": "suite-admin-key-5678",
            "environment": "Production",
            "identityMappings": [{"segmentIdentity": "userId", "trafficType": "user"},
                                 {"segmentIdentity": "anonymousId",
                                  "trafficType": "anonymous"}]}
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "harness-fme"


class TestHarnessFMEStandardSuite(IntegrationSuite):
    integration = HarnessFME
    settings = SETTINGS


def test_fixtures_cover_every_type_and_are_named_type_case():
    names = sorted(p.stem for p in FIXTURES.glob("*.json"))
    assert len(names) >= 80
    for kind in ("track", "page", "screen", "identify", "group", "alias", "delete"):
        assert any(n.startswith(kind + "-") for n in names), kind


def test_tester_checks_a_track_on_the_wire():
    (IntegrationTester(HarnessFME, SETTINGS)
        .track({"event": "Order Completed", "userId": "u1", "anonymousId": "a1",
                "timestamp": "2024-03-01T12:00:00.000Z", "properties": {"total": 5}})
        .replies(202)
        .requests(1)
        .method("POST").url("https://events.split.io/api/events/bulk")
        .sends("Authorization", "Bearer suite-sdk-key-1234")
        .sends([{"eventTypeId": "Order_Completed", "trafficTypeName": t, "key": k,
                 "environmentName": "Production", "timestamp": 1709294400000, "value": None,
                 "properties": {"total": 5}} for t, k in (("user", "u1"), ("anonymous", "a1"))])
        .expects(202)
        .end())
