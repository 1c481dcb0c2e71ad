"""``framework.policy``: LaunchDarkly policy statements and audit-log event resources."""

import pytest

from framework import errors
from framework.policy import (DEFAULT_STATEMENT, Policy, Segment, evaluate, event_resource,
                              parse_policy, parse_resource)

PROD_FLAG = "proj/default:env/production:flag/demo-flag;ops,security"


def flag_event(env="production", env_tags=(), tags=("ops",), verb="updateRules", **extra):
    event = {"kind": "flag", "key": "demo-flag", "tags": list(tags), "verbKind": verb,
             "project": {"key": "default", "tags": ["web"],
                         "environment": {"key": env, "tags": list(env_tags)}}}
    event.update(extra)
    return event


def policy(*statements):
    return Policy.from_statements(list(statements))


def test_default_statement_allows_production_flags_only():
    default = policy(DEFAULT_STATEMENT)
    allowed = default.allows(PROD_FLAG, "updateRules")
    assert allowed and allowed.statement == 0
    assert allowed.reason == ("updateRules on " + PROD_FLAG + " is allowed by policy statement 0 "
                              "(allow * on proj/*:env/production:flag/*)")
    test_env = default.allows("proj/default:env/test:flag/demo-flag", "updateRules")
    assert not test_env and test_env.statement is None
    assert "no policy statement allows updateRules" in test_env.reason
    assert not default.allows("proj/default", "updateName")  # a project is not a flag


def test_deny_overrides_allow_whatever_the_order():
    deny = {"effect": "deny", "resources": ["proj/*:env/*:flag/*;security"], "actions": ["*"]}
    for statements in ([DEFAULT_STATEMENT, deny], [deny, DEFAULT_STATEMENT]):
        decision = Policy.from_statements(statements).allows(PROD_FLAG, "updateOn")
        assert not decision
        assert "denied by policy statement" in decision.reason and "deny * on" in decision.reason
    assert policy(DEFAULT_STATEMENT, deny).allows(
        "proj/default:env/production:flag/demo-flag;ops", "updateOn")


def test_not_resources_allows_everything_but_production():
    everywhere_but_prod = policy({"effect": "allow", "actions": ["*"],
                                  "notResources": ["proj/*:env/production:flag/*"]})
    assert everywhere_but_prod.allows("proj/default:env/test:flag/demo-flag", "updateOn")
    assert everywhere_but_prod.allows("proj/default", "updateOn")
    assert not everywhere_but_prod.allows(PROD_FLAG, "updateOn")


def test_actions_and_not_actions_with_globs():
    only_toggles = policy({"resources": ["proj/*:env/*:flag/*"],
                           "actions": ["updateOn", "create*"]})
    assert only_toggles.allows(PROD_FLAG, "updateOn")
    assert only_toggles.allows(PROD_FLAG, "createFlag")
    assert not only_toggles.allows(PROD_FLAG, "updateRules")
    all_but_rules = policy({"resources": ["proj/*:env/*:flag/*"], "notActions": ["updateRules"]})
    assert all_but_rules.allows(PROD_FLAG, "updateOn")
    assert not all_but_rules.allows(PROD_FLAG, "updateRules")


@pytest.mark.parametrize("specifier, resource, matches", [
    ("proj/*;mobile", "proj/app;mobile,web", True),
    ("proj/*;mobile", "proj/app;web", False),
    ("proj/*:env/*:flag/*;ops,security", PROD_FLAG, True),        # tags are ANDed
    ("proj/*:env/*:flag/*;ops,billing", PROD_FLAG, False),
    ("proj/*:env/*;qa_*", "proj/p:env/staging;qa_eu", True),     # globs in tags
    ("proj/*:env/*;qa_*", "proj/p:env/staging;prod", False),
    ("proj/mobile-*:env/*:flag/*", "proj/mobile-ios:env/e:flag/f", True),  # globs in names
    ("proj/mobile-*:env/*:flag/*", "proj/web:env/e:flag/f", False),
    ("proj/*:env/*:flag/*-beta", "proj/p:env/e:flag/new-beta", True),
    ("proj/default", "proj/default", True),
    ("proj/default", "proj/defaults", False),                    # names match whole
    ("proj/*", "proj/p:env/e:flag/f", False),                   # depth must be the same
    ("proj/*:env/*:segment/*", "proj/p:env/e:flag/f", False),   # types must be the same
    ("*", "member/123", True),
    ("proj/*:env/production:flag/*", "proj/p:env/~:flag/f", True),      # ~ = every env
    ("proj/*:env/*;critical:flag/*", "proj/p:env/~:flag/f", True),
])
def test_resource_specifiers(specifier, resource, matches):
    assert bool(policy({"resources": [specifier]}).allows(resource, "updateOn")) is matches


@pytest.mark.parametrize("statements, problems", [
    ("allow", [("", "type")]),
    ([], [("", "minItems")]),
    (["x"], [("/0", "type")]),
    ([{"effect": "maybe", "resources": ["*"]}], [("/0/effect", "enum")]),
    ([{"resources": ["*"], "reason": "x"}], [("/0/reason", "propertyNames")]),
    ([{"resources": ["*"], "notResources": ["*"]}], [("/0/notResources", "exclusive")]),
    ([{"actions": ["a"], "notActions": ["b"]}], [("/0/notActions", "exclusive")]),
    ([{"resources": []}], [("/0/resources", "type")]),
    ([{"resources": "proj/*"}], [("/0/resources", "type")]),
    ([{"resources": [3]}], [("/0/resources/0", "type")]),
    ([{"resources": ["proj/*:env"]}], [("/0/resources/0", "specifier")]),
    ([{"resources": ["proj/*;"]}], [("/0/resources/0", "specifier")]),
    ([{"resources": ["proj/*;{critical:true}"]}], [("/0/resources/0", "specifier")]),
    ([{"actions": ["update on"]}], [("/0/actions/0", "pattern")]),
    ([{"resources": ["*"]}, {"effect": "nope", "notResources": ["x"]}],
     [("/1/effect", "enum"), ("/1/notResources/0", "specifier")]),
])
def test_bad_statements_are_reported_all_at_once_with_pointers(statements, problems):
    with pytest.raises(errors.ConfigError) as caught:
        Policy.from_statements(statements, source="manifest.json",
                               pointer="/capabilities/auditLogEventsHook/defaultPolicy")
    found = [(p.pointer.replace("/capabilities/auditLogEventsHook/defaultPolicy", ""), p.rule)
             for p in caught.value.problems]
    assert found == problems
    assert all(p.source == "manifest.json" for p in caught.value.problems)
    assert caught.value.code == "INVALID_CONFIG"


def test_a_statement_without_resources_or_actions_means_everything():
    assert policy({"effect": "allow"}).allows("member/1", "")


def test_parse_resource():
    assert parse_resource("proj/p;a,b:env/*") == (Segment("proj", "p", ("a", "b")),
                                                  Segment("env", "*"))
    assert parse_resource("*") == ()
    with pytest.raises(ValueError, match="must be a non-empty string"):
        parse_resource("")


# -- event -> resource, action ----------------------------------------------------------------

def test_flag_event_resource():
    event = flag_event(env_tags=["critical"], tags=["ops", "security"])
    assert event_resource(event) == (
        "proj/default;web:env/production;critical:flag/demo-flag;ops,security", "updateRules")


def test_all_environments_flag_event_reaches_a_production_policy():
    event = flag_event(env="~", verb="updateTags")
    event["project"]["environment"]["tags"] = None
    resource, action = event_resource(event)
    assert (resource, action) == ("proj/default;web:env/~:flag/demo-flag;ops", "updateTags")
    assert policy(DEFAULT_STATEMENT).allows(resource, action)
    no_env = flag_event()
    no_env["project"]["environment"] = {"key": "", "tags": None}
    assert event_resource(no_env)[0] == "proj/default;web:env/~:flag/demo-flag;ops"


@pytest.mark.parametrize("event, expected", [
    ({"kind": "project", "key": "default", "tags": ["a"], "verbKind": "updateTags"},
     ("proj/default;a", "updateTags")),
    ({"kind": "environment", "key": "local-dev", "tags": [], "verbKind": "updateTags",
      "project": {"key": "default", "tags": ["demo"]}},
     ("proj/default;demo:env/local-dev", "updateTags")),
    ({"kind": "segment", "key": "beta", "verbKind": "updateIncluded",
      "project": {"key": "p", "environment": {"key": "test"}}},
     ("proj/p:env/test:segment/beta", "updateIncluded")),
    ({"kind": "metric", "key": "clicks", "verbKind": "createMetric", "project": {"key": "p"}},
     ("proj/p:metric/clicks", "createMetric")),
    ({"kind": "member", "tags": None, "verbKind": "updateRole", "target": {"_id": "m-1"}},
     ("member/m-1", "updateRole")),
    ({"kind": "webhook", "key": "hook", "tags": []}, ("webhook/hook", "")),
])
def test_other_kinds(event, expected):
    assert event_resource(event) == expected


@pytest.mark.parametrize("event, reason", [
    ([], "must be an object"),
    ({"key": "x"}, "kind must be a resource kind"),
    ({"kind": "flag", "verbKind": "updateOn", "project": {"key": "p"}}, "key must be a non-empty"),
    ({"kind": "flag", "key": "a:b", "project": {"key": "p"}}, "contains one of"),
    ({"kind": "flag", "key": "f"}, "project.key must be a non-empty string"),
    ({"kind": "flag", "key": "f", "tags": "ops", "project": {"key": "p"}}, "must be a list"),
])
def test_events_that_cannot_be_matched_are_rejected(event, reason):
    with pytest.raises(errors.RejectedError, match=reason):
        event_resource(event)


def test_event_without_verb_kind_matches_only_star_actions():
    resource, action = event_resource(flag_event(verb=None))
    assert action == ""
    assert policy(DEFAULT_STATEMENT).allows(resource, action)
    assert not policy({"resources": ["*"], "actions": ["update*"]}).allows(resource, action)


# -- the data form the builder keeps ----------------------------------------------------------

def test_parse_policy_fills_defaults_and_reports_every_field():
    assert parse_policy([{"resources": ["proj/*"]}, {"effect": "deny", "notActions": ["x"]}]) == [
        {"effect": "allow", "resources": ["proj/*"], "actions": ["*"]},
        {"effect": "deny", "resources": ["*"], "notActions": ["x"]}]
    with pytest.raises(ValueError) as caught:
        parse_policy([{"effect": "maybe"}, {"resources": ["a/"]}])
    assert str(caught.value).startswith('/0/effect: effect must be "allow" or "deny"')
    assert "; /1/resources/0: " in str(caught.value)


def test_evaluate_an_event_against_statements():
    statements = [DEFAULT_STATEMENT]
    assert evaluate(statements, flag_event())
    denied = evaluate(statements, flag_event(env="test"))
    assert not denied and "no policy statement allows updateRules" in denied.reason
    with pytest.raises(ValueError, match="effect"):
        evaluate([{"effect": "maybe"}], flag_event())
