"""Our facade against the JavaScript original, on a frozen corpus.

``data/facade_expectations.json.gz`` holds, for ~3,000 messages (hand-made edge cases and a
seeded generator's output, ``tools/facade_diff/corpus.py``), what every public accessor of
``@segment/facade`` 3.4.10 returned in Node (``make facade-expectations`` regenerates it;
this test needs neither Node nor the network). Each probe is a JavaScript method name with
arguments; ``getCamelCase`` maps to our ``get_camel_case`` (``rawEvent`` -> ``raw_event``,
``from`` -> ``from_``).

Where ours is deliberately different, the generator patched the JavaScript to our
documented behaviour and kept the original's value beside the expectation, with the
patch's name (listed in HISTORY.md); ``test_every_deliberate_difference_is_exercised``
makes sure each of them still matters on the corpus.

Representation rules (not divergences): ``undefined`` and ``null`` are both None; an
Invalid Date is None (we return None for an unparseable date); numbers compare by value
(JavaScript has no int/float split). Where JavaScript throws (e.g. ``device()`` when the
library name is not a string), ours must return without raising.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

import facade
from facade import Facade, dates
from facade.dates import format_iso

DATA = Path(__file__).parent / "data" / "facade_expectations.json.gz"
_RENAMES = {"rawEvent": "raw_event", "from": "from_"}


def python_name(js_name: str) -> str:
    """Our spelling of a JavaScript method name."""
    if js_name in _RENAMES:
        return _RENAMES[js_name]
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), js_name)


def encode(value: Any, depth: int = 0) -> Any:
    """Our value in the generator's tagged JSON form (see expectations.js ``encode``)."""
    if depth > 50:
        return {"$deep": True}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return {"$num": "NaN"}
        if isinstance(value, float) and math.isinf(value):
            return {"$num": "Infinity" if value > 0 else "-Infinity"}
        return value
    if isinstance(value, datetime):
        return {"$date": format_iso(value)}
    if isinstance(value, (list, tuple)):
        return [encode(v, depth + 1) for v in value]
    if isinstance(value, dict):
        out = {k: encode(v, depth + 1) for k, v in value.items()}
        return {"$obj": out} if any(str(k).startswith("$") for k in value) else out
    return {"$unknown": repr(value)}


def _invalid_date(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and value.get("$date", 0) is None


def same(js: Any, py: Any) -> bool:
    """Equality of two encoded values under the representation rules above."""
    if _invalid_date(js):
        js = None
    if _invalid_date(py):
        py = None
    if isinstance(js, bool) or isinstance(py, bool):
        return type(js) is type(py) and js == py
    if isinstance(js, (int, float)) and isinstance(py, (int, float)):
        return float(js) == float(py)
    if isinstance(js, dict) and isinstance(py, dict):
        return js.keys() == py.keys() and all(same(js[k], py[k]) for k in js)
    if isinstance(js, list) and isinstance(py, list):
        return len(js) == len(py) and all(same(a, b) for a, b in zip(js, py))
    return type(js) is type(py) and js == py


def call(instance: Any, probe: List[Any]) -> Any:
    """Run one probe on our facade, encoded; a missing accessor is reported as such."""
    method, args, *chain = probe
    chain = chain[0] if chain else None
    fn = getattr(instance, python_name(method), None)
    if not callable(fn):
        return {"$missing": python_name(method)}
    result = fn(*args)
    if chain and isinstance(result, Facade):
        return {"$facade": result.type(), "chain": [call(result, p) for p in chain]}
    return encode(result)


@pytest.fixture(scope="module")
def frozen() -> Dict[str, Any]:
    return load()


@pytest.fixture(scope="module")
def results(frozen: Dict[str, Any]) -> List[Tuple[Dict[str, Any], List[Any]]]:
    return our_answers(frozen)


def load() -> Dict[str, Any]:
    """The frozen expectations."""
    return json.loads(gzip.decompress(DATA.read_bytes()))


def our_answers(frozen: Dict[str, Any]) -> List[Tuple[Dict[str, Any], List[Any]]]:
    """Our encoded answers for every case and probe, with the clock frozen as in Node."""
    fixed = datetime.fromisoformat(frozen["fixed_now"].replace("Z", "+00:00"))
    mp = pytest.MonkeyPatch()
    mp.setattr(dates, "now", lambda: fixed)
    try:
        out = []
        for case in frozen["cases"]:
            msg = facade.create(json.loads(json.dumps(case["message"])))
            assert type(msg).__name__ == case["class"], case["id"]
            answers = []
            for probe in frozen["probes"][case["class"]]:
                try:
                    answers.append(call(msg, probe))
                except Exception as exc:  # reported by the test below, never raised here
                    answers.append({"$raised": "%s: %s" % (type(exc).__name__, exc)})
            out.append((case, answers))
        return out
    finally:
        mp.undo()


def _label(probe: List[Any]) -> str:
    method, args, _ = probe
    return "%s(%s)" % (method, ", ".join(json.dumps(a, ensure_ascii=True) for a in args))


def test_the_frozen_file_is_the_pinned_original(frozen: Dict[str, Any]) -> None:
    assert frozen["source"] == "@segment/facade@3.4.10"
    assert len(frozen["cases"]) > 3000
    assert sum(len(p) for p in frozen["probes"].values()) > 1000
    assert DATA.stat().st_size < 3 * 1024 * 1024


def test_no_accessor_raises_on_any_corpus_message(frozen, results) -> None:
    raised = [(case["id"], _label(probe), answer["$raised"])
              for case, answers in results
              for probe, answer in zip(frozen["probes"][case["class"]], answers)
              if isinstance(answer, dict) and "$raised" in answer]
    assert raised == []


def test_every_accessor_agrees_with_the_original(frozen, results) -> None:
    divergences = []
    by_probe: Counter = Counter()
    for case, answers in results:
        for probe, js, py in zip(frozen["probes"][case["class"]], case["expected"], answers):
            if isinstance(js, dict) and "$throws" in js:
                continue  # the original crashes; ours answered (checked above)
            if not same(js, py):
                by_probe[(case["class"], _label(probe))] += 1
                if len(divergences) < 25:
                    divergences.append("%s %s.%s: js=%s py=%s msg=%s" % (
                        case["id"], case["class"], _label(probe),
                        json.dumps(js, ensure_ascii=True)[:200],
                        json.dumps(py, ensure_ascii=True)[:200],
                        json.dumps(case["message"], ensure_ascii=True)[:300]))
    summary = "\n".join("%5d %s.%s" % (n, c, p) for (c, p), n in by_probe.most_common(40))
    assert not divergences, summary + "\n\n" + "\n".join(divergences)


def test_every_deliberate_difference_is_exercised(frozen) -> None:
    hits: Counter = Counter()
    for case in frozen["cases"]:
        for entry in case.get("upstream", {}).values():
            hits[entry["patch"]] += 1
    names = [p["name"] for p in frozen["patches"]]
    assert sorted(hits) == sorted(names), hits


def test_where_the_original_crashes_ours_answers(frozen, results) -> None:
    crashes = sum(1 for case, _ in results for js in case["expected"]
                  if isinstance(js, dict) and "$throws" in js)
    assert crashes > 0  # the corpus does reach them (device() with a non-string library name)
