"""load_config: TOML, ${ENV} substitution, every problem at once at its dotted key path."""

from __future__ import annotations

import os

import pytest

from framework.errors import ConfigError
from framework.server.config import load_config, parse_config


def problems(text, environ=None, path="/etc/serve.toml"):
    with pytest.raises(ConfigError) as caught:
        parse_config(text, path, environ or {})
    return {(p.pointer, p.rule): p.message for p in caught.value.problems}


def test_every_problem_is_reported_at_once_with_its_key_path():
    found = problems("""
[server]
max_queue_depth = 0
retry_after = "soon"
colour = "red"

[[sources]]
name = "web"
write_key = "${WEB_WRITE_KEY}"
[[sources.destinations]]
integration = "webhooks"
settings = { hooks = ["http://127.0.0.1:9000/hook"] }
[[sources.destinations]]
integration = "no-such-thing"

[[hooks]]
name = "bad name!"
[[hooks.destinations]]
integration = "harness-fme"
settings = "apiKey=1"
""")
    assert found[("sources[0].write_key", "environment")] == \
        "environment variable WEB_WRITE_KEY is not set"
    assert "no integration installed under the slug 'no-such-thing'" in \
        found[("sources[0].destinations[1].integration", "installed")]
    assert ("server.max_queue_depth", "minimum") in found
    assert ("server.retry_after", "duration") in found
    assert found[("server.colour", "unknown")].startswith("unknown key")
    assert ("hooks[0].name", "pattern") in found
    assert ("hooks[0].secret", "required") in found
    assert ("hooks[0].destinations[0].settings", "type") in found


def test_the_message_lists_every_problem_with_the_file(tmp_path):
    path = tmp_path / "serve.toml"
    path.write_text('[[sources]]\nname = "web"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    text = str(caught.value)
    assert text.startswith("2 problems:")
    assert f"{path} sources[0].write_key: is required" in text
    assert f"{path} sources[0].destinations: at least one" in text


def test_env_values_defaults_escapes_and_relative_paths(tmp_path):
    path = tmp_path / "conf" / "serve.toml"
    path.parent.mkdir()
    path.write_text("""
[server]
queue = "data/q.sqlite3"
[[sources]]
name = "web"
write_key = "${KEY}"
[[sources.destinations]]
integration = "webhooks"
settings = { hooks = ["${SINK:-http://127.0.0.1:9}/h"], headers = { X = "$${NOT}" } }
""")
    config = load_config(path, environ={"KEY": "k1"})
    assert config.sources[0].write_key == "k1"
    destination = config.destinations()["web/webhooks"]
    assert destination.settings["hooks"] == ["http://127.0.0.1:9/h"]
    assert destination.settings["headers"] == {"X": "${NOT}"}
    assert config.server.queue == str(tmp_path / "conf" / "data" / "q.sqlite3")


def test_names_write_keys_and_destination_names_must_be_unique():
    found = problems("""
[[sources]]
name = "web"
write_key = "k"
[[sources.destinations]]
integration = "webhooks"
settings = { hooks = ["http://127.0.0.1:9/a"] }
[[sources.destinations]]
integration = "webhooks"
settings = { hooks = ["http://127.0.0.1:9/b"] }
[[sources]]
name = "app"
write_key = "k"
[[sources.destinations]]
integration = "webhooks"
settings = { hooks = ["http://127.0.0.1:9/c"] }
[[hooks]]
name = "web"
secret = "s"
[[hooks.destinations]]
name = "app/webhooks"
integration = "webhooks"
settings = { hooks = ["http://127.0.0.1:9/d"] }
""")
    assert ("sources[0].destinations[1].name", "unique") in found
    assert ("sources[1].write_key", "unique") in found
    assert ("hooks[0].name", "unique") in found
    assert ("hooks[0].destinations[0].name", "unique") in found


def test_bad_toml_and_unreadable_files(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_config("[[sources]\n", "x.toml", {})
    with pytest.raises(ConfigError, match="cannot read the config"):
        load_config(tmp_path / "missing.toml", environ={})


def test_the_embedded_default_config_loads():
    config = load_config(None, environ={"FRAMEWORK_DEMO_SINK": "http://127.0.0.1:4444"})
    assert [s.name for s in config.sources] == ["demo"]
    assert config.hooks[0].name == "segment-to-fme"
    fme = config.destinations()["segment-to-fme/harness-fme"]
    assert fme.settings["eventsEndpoint"] == "http://127.0.0.1:4444/fme/events"
    assert config.server.queue == os.path.join(os.getcwd(), ".framework",
                                               "serve-queue.sqlite3")


def test_a_section_parser_gets_its_table_even_when_absent():
    seen = []
    import types
    import sys
    module = types.ModuleType("fake_section")

    def parse(table, context):
        seen.append((table.path, dict(table.data), context.options))
        return table.integer("rate", 5)

    module.parse = parse
    sys.modules["fake_section"] = module
    try:
        config = parse_config("[extra]\nrate = 9\n", "c.toml", {},
                              sections={"extra": "fake_section:parse"}, options={"m": [1]})
        assert config.sections == {"extra": 9}
        assert seen == [("extra", {"rate": 9}, {"m": [1]})]
        config = parse_config("", "c.toml", {}, sections={"extra": "fake_section:parse"})
        assert config.sections == {"extra": 5}
        with pytest.raises(ConfigError, match="extra.colour: unknown key"):
            parse_config("[extra]\ncolour = 1\n", "c.toml", {},
                         sections={"extra": "fake_section:parse"})
    finally:
        del sys.modules["fake_section"]


def test_destination_settings_are_checked_against_the_integrations_typed_settings():
    found = problems("""
[[sources]]
name = "web"
write_key = "k"
[[sources.destinations]]
integration = "webhooks"
settings = { hooks = ["http://127.0.0.1:9/ok"] }
[[sources.destinations]]
name = "second"
integration = "webhooks"
settings = { hooks = ["ftp://nope"] }
""")
    assert found == {("sources[0].destinations[1].settings.hooks[0]", "format"):
                     'setting "hooks" item 0 must be an absolute http(s) URL, got "ftp://nope"'}
