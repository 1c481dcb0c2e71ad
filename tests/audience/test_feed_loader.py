"""``--feed package.module:ClassName``: loading, checks, and the environment at start."""

import pytest

from framework import errors
from framework.audience import load_feed
from framework.audience.loader import feed_app_from_environ

ENV = {"PLUGIN_WORKER_ID": "w", "PLUGIN_AUTHENTICATION_TOKEN": "t",
       "GATEWAY_HOST": "127.0.0.1", "GATEWAY_PORT": "1"}


def test_loads_a_complete_feed():
    from feed_toys import BatchFeed

    assert load_feed("feed_toys:BatchFeed") is BatchFeed


@pytest.mark.parametrize("spec,rule,text", [
    ("feed_toys", "format", "expected package.module:ClassName, got 'feed_toys'"),
    ("feed_toys:", "format", "expected package.module:ClassName"),
    ("no_such_module_x:Feed", "import", "cannot import no_such_module_x"),
    ("feed_toys:Nope", "attribute", "feed_toys has no attribute 'Nope'"),
    ("feed_toys:PROPERTIES", "type", "is not a subclass of AudienceFeedConnector"),
    ("feed_toys:Scripted", "type", "is not a subclass"),
    ("framework.audience.base:AudienceFeedConnector", "type", "is not a subclass"),
])
def test_bad_specs_name_the_problem(spec, rule, text):
    with pytest.raises(errors.ConfigError) as caught:
        load_feed(spec)
    [problem] = caught.value.problems
    assert (problem.source, problem.rule) == ("--feed", rule)
    assert text in problem.message


@pytest.mark.parametrize("spec,missing", [
    ("feed_toys:Incomplete", ["on_user_segment_update"]),
    ("feed_toys:NoBatchHandler", ["on_batch_update"]),
])
def test_missing_required_handlers_are_named(spec, missing):
    with pytest.raises(errors.ConfigError) as caught:
        load_feed(spec)
    assert [p.message for p in caught.value.problems] == [
        f"{spec}: the required handler {name}() is not defined" for name in missing]


def test_missing_environment_and_bad_feed_are_reported_together():
    with pytest.raises(errors.ConfigError) as caught:
        feed_app_from_environ("feed_toys:Incomplete", {})
    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 3
    assert any("PLUGIN_WORKER_ID is not set" in m for m in messages)
    assert any("PLUGIN_AUTHENTICATION_TOKEN is not set" in m for m in messages)


def test_app_from_environment_uses_the_gateway_settings():
    app = feed_app_from_environ("feed_toys:BatchFeed", ENV)
    routes = app.state.feed_routes
    assert routes.gateway.base_url == "http://127.0.0.1:1"
    assert routes.gateway.credentials.worker_id == "w"
    assert routes.connector.gateway is routes.gateway
