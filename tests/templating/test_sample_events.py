"""The sample audit-log events shipped as package data."""

import json

import pytest

from framework.policy import DEFAULT_STATEMENT, Policy, event_resource
from framework.samples.audit_log import load_sample, sample_event, sample_events, sample_names
from framework.templating import render

SHAPE = ("_links", "_id", "_accountId", "timestamp", "kind", "name", "details", "project",
         "tags", "member", "titleVerb", "verbKind", "title", "target")


def test_every_kind_is_covered():
    names = sample_names()
    assert len(names) == 17
    kinds = {n.split("/")[0] for n in names}
    assert kinds == {"flag", "project", "environment", "member", "other"}
    # The names the manifest checks and preview use.
    for name in ("flag/targeting-rule-update", "flag/update-all-environments", "project/update",
                 "environment/update", "member/update"):
        assert name in names


@pytest.mark.parametrize("name", sample_names())
def test_each_sample_has_the_audit_log_shape(name):
    event = sample_event(name)
    assert all(key in event for key in SHAPE), [k for k in SHAPE if k not in event]
    kind = name.split("/")[0]
    assert event["kind"] == (kind if kind != "other" else name.split("/")[1].split(".")[0])
    stamp = event["timestamp"]
    assert stamp["seconds"] == stamp["milliseconds"] // 1000
    assert set(event["title"]) == set(event["details"]) == {"plainText", "markdown", "html"}
    resource, action = event_resource(event)
    assert action == event["verbKind"] and resource


def test_the_preview_event_is_a_production_rule_change_with_text_to_escape():
    event = sample_event("flag/targeting-rule-update")
    assert event["project"]["environment"]["key"] == "production"
    assert event["verbKind"] == "updateRules"
    assert '"' in event["comment"] and "&" in event["comment"]
    assert event["customProperties"]["jira"]["values"]
    body = render('{"comment": "{{{comment}}}", "details": "{{{details.plainText}}}"}', event,
                  filename="flag.json.hbs")
    assert json.loads(body)["comment"] == event["comment"]


def test_the_default_policy_sends_production_and_all_environment_flag_changes_only():
    policy = Policy.from_statements([DEFAULT_STATEMENT])
    sent = sorted(n for n, e in sample_events().items() if policy.allows(*event_resource(e)))
    assert sent == ["flag/archive", "flag/create", "flag/targeting-rule-update", "flag/toggle",
                    "flag/update-all-environments"]


def test_samples_are_fresh_copies_and_unknown_names_list_the_known_ones():
    sample_event("flag/toggle")["kind"] = "changed"
    assert sample_event("flag/toggle.json")["kind"] == "flag"
    assert load_sample is sample_event
    for bad in ("flag/nope", "nope", "../flag/toggle", "flag/../flag/toggle"):
        with pytest.raises(LookupError, match="the samples are: environment/create"):
            sample_event(bad)
