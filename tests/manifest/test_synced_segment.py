"""framework.manifest.synced_segment: golden cases as data, plus the error contract."""

from __future__ import annotations

import copy
import json
import pathlib

import pytest
from hypothesis import given, settings, strategies as st

from framework import errors
from framework.manifest.synced_segment import check_request_parser, parse_synced_segment

GOLDEN = pathlib.Path(__file__).parent.parent / "golden" / "synced-segments"
PARSE_CASES = sorted(GOLDEN.glob("parse-*.json"))
PARSER_CASES = sorted(GOLDEN.glob("parser-*.json"))


def _load(path: pathlib.Path) -> dict:
    return json.loads(path.read_text())


def test_there_are_golden_cases_for_every_mode():
    names = [p.stem for p in PARSE_CASES]
    for prefix in ("parse-boolean-", "parse-arrays-", "parse-inclusion-", "parse-pointer-"):
        assert sum(n.startswith(prefix) for n in names) >= 3, prefix


@pytest.mark.parametrize("path", PARSE_CASES, ids=lambda p: p.stem)
def test_parse_golden(path):
    case = _load(path)
    body_before = copy.deepcopy(case["body"])
    if "error" in case:
        with pytest.raises(errors.SyncedSegmentError) as caught:
            parse_synced_segment(case["requestParser"], case["body"])
        assert caught.value.status == case["error"]["status"]
        assert str(caught.value) == case["error"]["message"]
        assert isinstance(caught.value, errors.RejectedError)
        assert caught.value.code == "INVALID_SYNCED_SEGMENT"
    else:
        assert parse_synced_segment(case["requestParser"], case["body"]) == case["expected"]
    assert case["body"] == body_before, "the parser must not modify the body"


@pytest.mark.parametrize("path", PARSER_CASES, ids=lambda p: p.stem)
def test_request_parser_golden(path):
    case = _load(path)
    found = [{"pointer": p.pointer, "rule": p.rule} for p in
             check_request_parser(case["requestParser"])]
    assert found == case["problems"]


def test_a_wrong_parser_is_a_manifest_error_naming_every_problem():
    with pytest.raises(errors.ManifestError) as caught:
        parse_synced_segment({"memberArrayPath": "batch"}, {"environmentId": "e"})
    pointers = [p.pointer for p in caught.value.problems]
    assert "/capabilities/syncedSegment/requestParser/environmentIdPath" in pointers
    assert "/capabilities/syncedSegment/requestParser/memberArrayPath" in pointers
    assert "manifest.json /capabilities/syncedSegment/requestParser/memberArrayPath" \
        in str(caught.value)


def test_missing_path_error_names_the_pointer():
    parser = _load(GOLDEN / "parse-boolean-value-missing.json")["requestParser"]
    with pytest.raises(errors.SyncedSegmentError) as caught:
        parse_synced_segment(parser, {"environmentId": "e"})
    assert caught.value.pointer == "/batch/0/cohortId"
    assert caught.value.to_dict()["status"] == 400


def test_exported_from_the_manifest_package():
    import framework.manifest

    assert framework.manifest.parse_synced_segment is parse_synced_segment


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["environmentId", "batch", "userId", "value", "cohortId",
                                       "cohortName", "0", "add", "action"]), children,
                      max_size=4),
    max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(body=_json, case=st.sampled_from(PARSE_CASES))
def test_any_body_parses_or_is_rejected_with_a_400(body, case):
    parser = _load(case)["requestParser"]
    try:
        result = parse_synced_segment(parser, body)
    except errors.SyncedSegmentError as error:
        assert error.status == 400
        assert str(error).startswith(("could not find path ", "parsed value for member array"))
    else:
        assert set(result) == {"environmentId", "contextKind", "batch"}
        assert all(record["value"] in (True, False) for record in result["batch"])
