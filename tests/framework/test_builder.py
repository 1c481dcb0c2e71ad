"""The builder's declarations, slug and spec."""

import pytest

from framework import Integration, errors, integration, slugify
from framework.builder import parse_duration


@pytest.mark.parametrize("name, slug", [
    ("My Test.IO", "my-testio"),
    ("Segment.io", "segmentio"),
    ("  Harness   FME ", "harness-fme"),
    ("Webhooks", "webhooks"),
    ("Keen IO", "keen-io"),
])
def test_slug_follows_the_original(name, slug):
    assert slugify(name) == slug
    assert integration(name).slug() == slug


@pytest.mark.parametrize("name", [None, "", "   ", 5])
def test_integration_requires_a_name(name):
    with pytest.raises(ValueError, match="expected integration name"):
        integration(name)


def test_integration_rejects_a_name_with_an_empty_slug():
    with pytest.raises(ValueError, match="empty slug"):
        integration("...")


def test_integration_returns_a_new_subclass_each_time():
    a, b = integration("A"), integration("A")
    assert a is not b
    assert issubclass(a, Integration) and a.name == "A"


def test_settings_are_kept_and_default_to_empty():
    Test = integration("Test")
    assert Test().settings == {}
    settings = {"apiKey": "k"}
    instance = Test(settings)
    assert instance.settings == settings
    instance.settings["x"] = 1
    assert "x" not in settings


def test_settings_must_be_an_object():
    with pytest.raises(errors.ValidationError, match="settings must be an object"):
        integration("Test")(["apiKey"])


def test_defaults():
    spec = integration("Test").spec()
    assert spec["channels"] == ["server"]
    assert spec["timeout"] == 10.0
    assert spec["retries"] == 0
    assert spec["endpoint"] is None
    assert spec["validations"] == []
    assert spec["methods"] == []


def test_declarations_chain_and_store():
    Test = (integration("Test").endpoint("https://api.test/v1").channels(["server", "client"])
            .mobile().retries(3).timeout("3s"))
    spec = Test.spec()
    assert spec["endpoint"] == "https://api.test/v1"
    assert spec["channels"] == ["server", "client", "mobile"]
    assert spec["retries"] == 3
    assert spec["timeout"] == 3.0


def test_channels_drop_duplicates_and_do_not_keep_the_callers_list():
    channels = ["server", "server", "client"]
    Test = integration("Test").channels(channels)
    channels.append("mobile")
    assert Test.spec()["channels"] == ["server", "client"]
    assert Test.client().server().spec()["channels"] == ["server", "client"]


def test_channels_rejects_a_string():
    with pytest.raises(ValueError, match="list of channel names"):
        integration("Test").channels("server")


@pytest.mark.parametrize("value, seconds", [(10, 10.0), (2.5, 2.5), ("3s", 3.0),
                                            ("500ms", 0.5), ("1m", 60.0), ("2", 2.0)])
def test_timeout_parses(value, seconds):
    assert parse_duration(value) == seconds
    assert integration("Test").timeout(value).spec()["timeout"] == seconds


@pytest.mark.parametrize("value", ["soon", "", -1, 0, True, "3 parsecs"])
def test_timeout_rejects_bad_values(value):
    with pytest.raises(ValueError, match="duration"):
        integration("Test").timeout(value)


@pytest.mark.parametrize("value", [-1, 1.5, "2", True])
def test_retries_rejects_bad_values(value):
    with pytest.raises(ValueError, match="retries must be a whole number"):
        integration("Test").retries(value)


def test_retry_rules_belong_to_one_class_only():
    A, B = integration("A"), integration("B")
    A.retry(lambda error: True)
    assert len(A._retry_rules) == 1
    assert B._retry_rules == ()
    assert Integration._retry_rules == ()


def test_declaring_on_a_subclass_leaves_the_parent_alone():
    Parent = integration("Parent").ensure("settings.apiKey")

    class Child(Parent):
        pass

    Child.ensure("settings.other").channel("client").retry(lambda e: True)
    assert [v.path for v in Parent._validations] == ["apiKey"]
    assert Parent.spec()["channels"] == ["server"]
    assert Parent._retry_rules == ()
    assert [v.path for v in Child._validations] == ["apiKey", "other"]


@pytest.mark.parametrize("rule", ["apiKey", "foo.bar", "settings.", "message"])
def test_ensure_rejects_paths_of_the_wrong_kind(rule):
    with pytest.raises(ValueError, match='must start with "settings." or "message."'):
        integration("Test").ensure(rule)


def test_ensure_rejects_other_values():
    with pytest.raises(ValueError, match="path string or a function"):
        integration("Test").ensure(42)


def test_spec_lists_validations_and_methods():
    def rule(msg, settings):
        return None

    class Test(integration("Test").ensure("settings.apiKey")
               .ensure("message.context.ip", methods=["track"]).ensure(rule)):
        def track(self, msg):
            pass

        def order_completed(self, msg):
            pass

    spec = Test.spec()
    assert spec["validations"] == [
        {"type": "settings", "path": "apiKey", "methods": None},
        {"type": "message", "path": "context.ip", "methods": ["track"]},
        {"type": "function", "path": "rule", "methods": None},
    ]
    assert spec["methods"] == ["order_completed", "track"]
    assert spec["name"] == "Test" and spec["slug"] == "test"


def test_assigning_a_function_to_the_class_defines_a_method():
    Test = integration("Test")
    Test.identify = lambda self, msg: None
    assert Test.spec()["methods"] == ["identify"]


def test_invalid_and_reject_build_errors():
    Test = integration("Test")
    invalid = Test.invalid('setting "%s" is required', "apiKey")
    assert isinstance(invalid, errors.ValidationError)
    assert (invalid.code, invalid.status, str(invalid)) == (
        "INVALID_SETTINGS", 400, 'setting "apiKey" is required')
    assert invalid.integration == "Test" and not invalid.retryable
    reject = Test.reject("bad %s", "message")
    assert isinstance(reject, errors.RejectedError)
    assert (reject.code, str(reject)) == ("MESSAGE_REJECTED", "bad message")


def test_batch_declaration():
    spec = integration("Test").batch(size=10, max_bytes=1000, max_wait="2s").spec()
    assert spec["batch"] == {"size": 10, "max_bytes": 1000, "max_wait": 2.0, "methods": None,
                             "implemented": False}


@pytest.mark.parametrize("kwargs, match", [({"size": 0}, "batch size"),
                                           ({"max_bytes": 0}, "max_bytes")])
def test_batch_rejects_bad_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        integration("Test").batch(**kwargs)


def test_endpoint_must_be_a_url_string():
    with pytest.raises(ValueError, match="endpoint"):
        integration("Test").endpoint("")
