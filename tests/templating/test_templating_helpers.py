"""LaunchDarkly's helpers, pinned in both brace forms against handlebars.js 4.7.10 running
LaunchDarkly's helper code (``simple`` computed in UTC)."""

import pytest

from framework import errors
from framework.template_helpers import js_strict_equal, js_string
from framework.templating import render

TS = 1580777685229  # 2020-02-04T00:54:45.229Z, the sample flag event's timestamp


@pytest.mark.parametrize("template, context, expected", [
    ("{{#equal a b}}Y{{else}}N{{/equal}}", {"a": "x", "b": "x"}, "Y"),
    ("{{#equal a '1'}}Y{{else}}N{{/equal}}", {"a": 1}, "N"),            # strict ===
    ("{{#equal a 1}}Y{{else}}N{{/equal}}", {"a": 1.0}, "Y"),            # one number type
    ("{{#equal a true}}Y{{else}}N{{/equal}}", {"a": 1}, "N"),
    ("{{#equal a b}}Y{{else}}N{{/equal}}", {"a": {}, "b": {}}, "N"),    # objects: identity
    ("{{#equal a a}}Y{{else}}N{{/equal}}", {"a": {}}, "Y"),
    ("{{#equal project.environment.key '~'}}all environments{{else}}"
     "{{project.environment.name}}{{/equal}}",
     {"project": {"environment": {"key": "production", "name": "Production"}}}, "Production"),
    ("{{#equalWithElse k '~'}}all{{else}}one{{/equalWithElse}}", {"k": "~"}, "all"),
    ("{{#each xs}}{{#equal this ../k}}[{{this}}]{{else}}{{this}}{{/equal}}{{/each}}",
     {"xs": ["a", "b"], "k": "b"}, "a[b]"),
])
def test_equal(template, context, expected):
    assert render(template, context) == expected


def test_helpers_check_their_arguments():
    with pytest.raises(errors.TemplateError, match="equal: takes 2 arguments, got 1"):
        render("{{#equal a}}x{{/equal}}", {"a": 1})
    with pytest.raises(errors.TemplateError, match="equal: a block helper"):
        render("{{equal a b}}", {"a": 1, "b": 1})


URL_CHARS = "a b/c?d=é&#;,:@+$!*'()~[]%"


@pytest.mark.parametrize("template, expected", [
    ("{{pathEncode v}}", "a%20b/c?d&#x3D;%C3%A9&amp;#;,:@+$!*&#x27;()~%5B%5D%25"),
    ("{{{pathEncode v}}}", "a%20b/c?d=%C3%A9&#;,:@+$!*'()~%5B%5D%25"),
    ("{{queryEncode v}}", "a%20b%2Fc%3Fd%3D%C3%A9%26%23%3B%2C%3A%40%2B%24!*&#x27;()~%5B%5D%25"),
    ("{{{queryEncode v}}}", "a%20b%2Fc%3Fd%3D%C3%A9%26%23%3B%2C%3A%40%2B%24!*'()~%5B%5D%25"),
])
def test_path_and_query_encode(template, expected):
    assert render(template, {"v": URL_CHARS}) == expected


def test_encoders_stringify_like_javascript():
    assert render("{{pathEncode n}} {{queryEncode t}} {{queryEncode f}}",
                  {"n": 1.0, "t": True, "f": 2.5}) == "1 true 2.5"
    with pytest.raises(errors.TemplateError, match="queryEncode: the value contains a lone"):
        render("{{queryEncode v}}", {"v": "\ud800"})


@pytest.mark.parametrize("template, expected", [
    ("{{basicAuthHeaderValue u p}}", "Basic dXNlcjpww6Rzc3fDtnJk"),
    ("{{{basicAuthHeaderValue u p}}}", "Basic dXNlcjpww6Rzc3fDtnJk"),
])
def test_basic_auth_header_value(template, expected):
    assert render(template, {"u": "user", "p": "pässwörd"}) == expected


def test_basic_auth_padding_is_html_escaped_in_double_braces():
    context = {"u": "ab", "p": "c"}
    assert render("{{{basicAuthHeaderValue u p}}}", context) == "Basic YWI6Yw=="
    assert render("{{basicAuthHeaderValue u p}}", context) == "Basic YWI6Yw&#x3D;&#x3D;"


@pytest.mark.parametrize("arguments, context, expected", [
    ("ms 0 'milliseconds'", {"ms": TS}, "1580777685229"),
    ("ms 3600 'milliseconds'", {"ms": TS}, "1580781285229"),     # the offset is in seconds
    ("ms 0 'seconds'", {"ms": TS}, "1580777685"),
    ("ms 0 'seconds'", {"ms": 1580777685500}, "1580777686"),     # rounded, not floored
    ("ms -1 'seconds'", {"ms": 1500}, "1"),                      # Math.round(0.5) is 1
    ("ms 0 'rfc3339'", {"ms": TS}, "2020-02-04T00:54:45.229Z"),
    ("ms 0 'rfc3339'", {"ms": 1580777685000}, "2020-02-04T00:54:45.000Z"),
    ("ms 3600 'nope'", {"ms": TS}, "1580781285229"),             # unknown format: milliseconds
    ("ms 0", {"ms": TS}, "1580777685229"),                       # no format: milliseconds
    ("ms off 'milliseconds'", {"ms": TS, "off": "60"}, "1580777745229"),  # '60' coerced
    ("ms 0.5 'milliseconds'", {"ms": 1580777685229.7}, "1580777685729"),  # truncated ms
    ("ms 0 'simple'", {"ms": TS}, "2020-02-04 12:54:45"),        # 12-hour h, UTC
    ("ms 3600 'simple'", {"ms": TS}, "2020-02-04 1:54:45"),      # h is not padded
    ("ms 0 'simple'", {"ms": 1580860799999}, "2020-02-04 11:59:59"),
    ("ms 0 'simple'", {"ms": 1580817600000}, "2020-02-04 12:00:00"),
    ("ms 0 'simple'", {"ms": 0}, "1970-01-01 12:00:00"),
])
def test_format_with_offset(arguments, context, expected):
    assert render("{{formatWithOffset " + arguments + "}}", context) == expected
    assert render("{{{formatWithOffset " + arguments + "}}}", context) == expected


@pytest.mark.parametrize("arguments, context, reason", [
    ("ms 0 'seconds'", {"ms": "1580777685229"}, "the timestamp (milliseconds) must be a number"),
    ("ms 0 'seconds'", {"ms": True}, "must be a number"),
    ("ms off 'seconds'", {"ms": 1, "off": "soon"}, "the offset (seconds) must be a number"),
    ("ms", {"ms": 1}, "takes a timestamp in milliseconds, an offset"),
    ("ms 0 'rfc3339'", {"ms": 9e15}, "is not a valid date"),
])
def test_format_with_offset_rejects_what_it_cannot_format(arguments, context, reason):
    with pytest.raises(errors.TemplateError) as caught:
        render("{{formatWithOffset " + arguments + "}}", context, filename="t.hbs")
    assert str(caught.value).startswith("template t.hbs: formatWithOffset: ")
    assert reason in str(caught.value)


def test_javascript_semantics_helpers():
    assert [js_string(v) for v in (None, True, 2.0, 2.5, [1, None, "a"], {}, float("nan"))] == \
        ["null", "true", "2", "2.5", "1,,a", "[object Object]", "NaN"]
    assert js_strict_equal(1, 1.0) and not js_strict_equal(True, 1)
    assert not js_strict_equal(None, "") and js_strict_equal(None, None)
