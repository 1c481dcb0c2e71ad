"""The feed benchmark runs on a small corpus and its own checks pass."""

from __future__ import annotations

import json

from bench import bench_feed


def test_the_feed_bench_checks_texts_and_values(capsys):
    assert bench_feed.main(["--n", "300"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    feeds = [line for line in lines if line["bench"] == "feed"]
    assert [line["format"] for line in feeds] == ["ndjson", "json-array"]
    assert all(line["original_text"] and line["n"] == 300 for line in feeds)
    assert [line["same_values"] for line in lines if line["bench"] == "decode"] == [True]
