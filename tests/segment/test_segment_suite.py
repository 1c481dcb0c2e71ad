"""Segment: the standard suite and tester-style checks."""

from pathlib import Path

from framework.testing import IntegrationSuite, IntegrationTester
from integrations.segment import Segment

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "segment"


class TestSegmentStandardSuite(IntegrationSuite):
    integration = Segment
    settings = {"writeKey": "suite-write-key-1234"}


def test_fixtures_cover_every_type():
    names = sorted(p.stem for p in FIXTURES.glob("*.json"))
    for kind in ("identify", "track", "page", "screen", "group", "alias", "delete"):
        assert any(n.startswith(kind + "-") for n in names), kind


def test_tester_sees_the_batch_body():
    (IntegrationTester(Segment, {"writeKey": "wk"})
        .identify({"userId": "u1", "messageId": "m1", "traits": {"plan": "pro"}})
        .requests(1)
        .url("https://api.segment.io/v1/batch")
        .sends("Authorization", "Basic d2s6")
        .sends_almost({"batch": [{"type": "identify", "userId": "u1", "messageId": "m1",
                                  "traits": {"plan": "pro"}}]}, ignored=["sentAt"])
        .end())
