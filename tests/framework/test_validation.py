"""``ensure`` rules as the pipeline runs them (the original's validation table)."""

import pytest

from framework import errors, integration

Required = integration("Test").ensure("settings.apiKey")


@pytest.mark.parametrize("settings", [{}, {"apiKey": None}, {"apiKey": ""}])
def test_missing_setting_is_invalid(settings):
    with pytest.raises(errors.ValidationError) as info:
        Required.validate({"type": "track"}, settings)
    assert info.value.code == "INVALID_SETTINGS"
    assert str(info.value) == 'setting "apiKey" is required'
    assert info.value.integration == "Test"


@pytest.mark.parametrize("value", ["k", 0, False, [], {}])
def test_present_setting_is_valid(value):
    Required.validate({"type": "track"}, {"apiKey": value})


def test_settings_paths_reach_nested_keys_and_flat_dotted_keys():
    Nested = integration("Nested").ensure("settings.auth.key")
    Nested.validate({"type": "track"}, {"auth": {"key": "k"}})
    Nested.validate({"type": "track"}, {"auth.key": "k"})  # a dotted key, as before
    for settings in ({}, {"auth": {}}, {"auth": "k"}, {"auth": {"key": None}},
                     {"auth": {"key": " "}}):
        with pytest.raises(errors.ValidationError, match='setting "auth.key" is required'):
            Nested.validate({"type": "track"}, settings)


@pytest.mark.parametrize("blank", [" ", "\t\n", "\u00a0"])
def test_whitespace_only_is_not_a_required_setting(blank):
    with pytest.raises(errors.ValidationError, match='setting "apiKey" is required'):
        Required.validate({"type": "track"}, {"apiKey": blank})


MessageRule = integration("MessageRule").ensure("message.context.ip")


def test_missing_message_path_is_rejected():
    with pytest.raises(errors.RejectedError) as info:
        MessageRule.validate({"type": "track"}, {})
    assert info.value.code == "MESSAGE_REJECTED"
    assert str(info.value) == 'message attribute "context.ip" is required'


def test_message_path_lookup_ignores_case_and_separators():
    Rule = integration("Rule").ensure("message.context.some_attr")
    Rule.validate({"type": "track", "context": {"SomeAttr": "x"}}, {})


def test_message_user_id_zero_is_present():
    Rule = integration("Rule").ensure("message.userId")
    Rule.validate({"type": "track", "userId": 0}, {})
    with pytest.raises(errors.RejectedError, match='"userId"'):
        Rule.validate({"type": "track"}, {})


def test_methods_limit_a_rule_to_some_types():
    Rule = integration("Rule").ensure("settings.token", methods=["track"])
    Rule.validate({"type": "identify"}, {})
    with pytest.raises(errors.ValidationError):
        Rule.validate({"type": "track"}, {})


def test_rules_run_in_order_and_the_first_failure_wins():
    Rule = integration("Rule").ensure("settings.first").ensure("settings.second")
    with pytest.raises(errors.ValidationError, match='"first"'):
        Rule.validate({"type": "track"}, {})


def test_function_rules():
    seen = []

    def needs_email(msg, settings):
        seen.append((msg.type(), settings))
        if not msg.proxy("traits.email"):
            return Rule.reject("an email is required")
        if settings.get("mode") == "bad":
            return Rule.invalid('setting "mode" must not be "bad"')
        return None

    Rule = integration("Rule").ensure(needs_email)
    Rule.validate({"type": "identify", "traits": {"email": "a@b.co"}}, {"mode": "x"})
    assert seen == [("identify", {"mode": "x"})]
    with pytest.raises(errors.RejectedError, match="an email is required"):
        Rule.validate({"type": "identify"}, {})
    with pytest.raises(errors.ValidationError, match='"mode"'):
        Rule.validate({"type": "identify", "traits": {"email": "a@b.co"}}, {"mode": "bad"})


@pytest.mark.parametrize("returned", [True, "error", 1, ValueError("plain")])
def test_function_rule_returning_anything_else_is_a_programming_error(returned):
    Rule = integration("Rule").ensure(lambda msg, settings: returned)
    with pytest.raises(errors.ProgrammingError, match="must return cls.invalid"):
        Rule.validate({"type": "track"}, {})


def test_function_rule_errors_name_the_integration():
    Rule = integration("Rule").ensure(
        lambda msg, settings: errors.RejectedError("made by hand"))
    with pytest.raises(errors.RejectedError) as info:
        Rule.validate({"type": "track"}, {})
    assert info.value.integration == "Rule"


def test_no_rules_is_valid():
    assert integration("Rule").validate({}, {}) is None
