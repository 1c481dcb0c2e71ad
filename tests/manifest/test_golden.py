"""Golden manifests: each ``tests/golden/manifest/manifest-<case>.json`` shows one rule.

A case is ``{"description", "input": <manifest.json>, "files"?: {path: text},
"problems": [{"pointer", "rule"}]}``: the manifest is written to a fresh folder with its
files (and the two icons ``assets/square.svg``, ``assets/horizontal.svg``), and ``framework
validate``'s checks must find exactly those problems.
"""

import json
import re
from pathlib import Path

import pytest

from framework.manifest.checks import manifest_problems

GOLDEN = Path(__file__).parents[1] / "golden" / "manifest"
CASES = sorted(GOLDEN.glob("manifest-*.json"))
ICON = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n'


def write_case(case: dict, folder: Path) -> Path:
    """Lay out a golden case's manifest and files in ``folder``; the manifest's path."""
    for name in ("assets/square.svg", "assets/horizontal.svg"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(ICON)
    for name, text in case.get("files", {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    path = folder / "manifest.json"
    path.write_text(json.dumps(case["input"], indent=2))
    return path


def test_every_documented_rule_has_a_golden_case():
    from framework.manifest import checks

    documented = set(re.findall(r"^``([a-z-]+)``\s{2,}", checks.__doc__, re.MULTILINE))
    assert len(documented) > 25
    shown = {p["rule"] for case in CASES for p in json.loads(case.read_text())["problems"]}
    assert sorted(documented - shown) == []


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden_case(path, tmp_path):
    case = json.loads(path.read_text())
    found = manifest_problems(write_case(case, tmp_path))
    got = [{"pointer": p.pointer, "rule": p.rule} for p in found]
    assert sorted(got, key=str) == sorted(case["problems"], key=str), \
        "\n".join(str(p) for p in found)
    for problem in found:
        assert problem.source == "manifest.json" and problem.message
