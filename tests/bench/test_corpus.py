"""The in-repo corpus generator gives the very bytes the benchmark figures were measured on.

The digests were computed once from the corpus generator the project's first figures used
(same N, same seed) and are frozen here: any change to the order of random draws changes them.
"""

from __future__ import annotations

import hashlib
import io
import json

from bench import corpus, raw_baseline

FROZEN = {
    (3000, 20240101): "aeec9784f223db8cea42d0cb858d4cabd5f26977bbbe78948c37909544cfe5dd",
    (500, 7): "a09a7ad7cad582adca68f9ee3c7d15f2a52f9a6779569ada0e031467a9bb489c",
}


def test_the_corpus_is_byte_for_byte_the_reference_one():
    for (n, seed), digest in FROZEN.items():
        out = io.StringIO()
        corpus.write(n, seed, out)
        assert hashlib.sha256(out.getvalue().encode("utf-8")).hexdigest() == digest


def test_the_mix_and_conventions_hold():
    messages = [json.loads(line) for line in corpus.generate(2000)]
    types = {t: sum(m["type"] == t for m in messages) for t in
             ("track", "identify", "page", "screen", "group", "alias")}
    assert 900 < types["track"] < 1100 and 300 < types["identify"] < 500
    for message in messages:
        assert {"messageId", "type", "channel", "timestamp", "sentAt", "context",
                "integrations"} <= set(message)
        assert message.get("userId") or message.get("anonymousId")
        assert message["integrations"].get("Acme", True) is not False


def test_the_raw_baseline_maps_every_type_and_counts_its_output():
    messages = [json.loads(line) for line in corpus.generate(300)]
    assert {m["type"] for m in messages} <= set(raw_baseline.MAPPERS)
    payload = raw_baseline.MAPPERS["track"](messages[0] if messages[0]["type"] == "track"
                                            else next(m for m in messages
                                                      if m["type"] == "track"))
    assert payload["token"] == "bench-api-key" and payload["type"] == "track"
    assert raw_baseline.pass_map(messages) == sum(
        len(raw_baseline.dumps(raw_baseline.MAPPERS[m["type"]](m))) for m in messages)
