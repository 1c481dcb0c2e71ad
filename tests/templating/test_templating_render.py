"""``framework.templating.render``: escaping, JSON templates, strict errors, truthiness, cache.

Expected outputs were produced by handlebars.js 4.7.10 with the same templates and contexts
(see the library comparison in HISTORY.md); they pin that we render what LaunchDarkly renders.
"""

import json

import pytest

from framework import errors, templating
from framework.templating import compile_template, is_json_template, json_escape, render


# -- escaping ---------------------------------------------------------------------------------

def test_double_braces_escape_the_handlebars_js_set():
    assert render("{{x}}", {"x": "&<>\"'`=/ok"}) == "&amp;&lt;&gt;&quot;&#x27;&#x60;&#x3D;/ok"


@pytest.mark.parametrize("template", ["{{{x}}}", "{{&x}}"])
def test_triple_braces_and_ampersand_insert_raw_text(template):
    assert render(template, {"x": "&<>\"'`="}) == "&<>\"'`="


def test_values_print_as_javascript_prints_them():
    context = {"i": 3, "f": 1.5, "whole": 2.0, "t": True, "fa": False, "n": None,
               "xs": ["a", "b"], "o": {"a": 1}}
    assert render("{{i}} {{f}} {{whole}} {{t}} {{fa}} [{{n}}] {{xs}} {{o}}", context) == \
        "3 1.5 2 true false [] a,b [object Object]"


def test_backslash_escapes_a_mustache_and_comments_vanish():
    assert render("\\{{x}} {{x}}{{! note }}{{!-- a }} b --}}", {"x": "X"}) == "{{x}} X"


def test_standalone_block_lines_and_whitespace_control_follow_handlebars():
    template = '[\n  {{#each xs}}\n  "{{this}}",\n  {{/each}}\n]'
    assert render(template, {"xs": ["a", "b"]}) == '[\n  "a",\n  "b",\n]'
    assert render("a  {{~x~}}  b", {"x": "X"}) == "aXb"


# -- JSON templates ---------------------------------------------------------------------------

@pytest.mark.parametrize("filename", ["flag.json", "flag.json.hbs", "FLAG.JSON", "x.Json.Hbs"])
def test_json_templates_json_escape_every_string_first(filename):
    assert is_json_template(filename)
    event = {"comment": 'say "hi"\n\\ \t', "n": 5, "tags": ["a\"b"], "nested": {"v": "\u0001"}}
    out = render('{"c": "{{{comment}}}", "n": {{n}}, "t": "{{{tags}}}", "v": "{{{nested.v}}}"}',
                 event, filename=filename)
    assert json.loads(out) == {"c": 'say "hi"\n\\ \t', "n": 5, "t": 'a"b', "v": "\u0001"}


@pytest.mark.parametrize("filename", [None, "flag.hbs", "flag.txt", "json", "flag.json.txt"])
def test_other_templates_are_not_json_escaped(filename):
    assert not is_json_template(filename)
    assert render("{{{c}}}", {"c": 'a"b\n'}, filename=filename) == 'a"b\n'


def test_html_escaping_applies_on_top_of_json_escaping():
    # As LaunchDarkly: {{ }} in a JSON template still HTML-escapes the escaped quote.
    assert render('"{{c}}"', {"c": 'a "q"'}, filename="t.json") == '"a \\&quot;q\\&quot;"'


def test_json_escape_matches_json_stringify():
    assert json_escape('é "q" \\ \n\r\t\b\f \u001f \u2028 /') == \
        'é \\"q\\" \\\\ \\n\\r\\t\\b\\f \\u001f \u2028 /'
    assert json_escape("\ud800x") == "\\ud800x"  # a lone surrogate, as JSON.stringify writes it
    assert json_escape({"k\"ey": ["\"", 1, None, True, {"z": "\n"}]}) == \
        {"k\"ey": ["\\\"", 1, None, True, {"z": "\\n"}]}


def test_json_escaping_leaves_the_callers_context_untouched():
    event = {"comment": 'a "b"'}
    render("{{{comment}}}", event, filename="t.json")
    assert event == {"comment": 'a "b"'}


# -- strict mode ------------------------------------------------------------------------------

def test_strict_miss_names_variable_template_and_line():
    template = '{\n  "title": "{{title}}",\n  "who": "{{member.nickname}}"\n}'
    with pytest.raises(errors.TemplateError) as caught:
        render(template, {"title": "t", "member": {}}, filename="flag.json.hbs")
    error = caught.value
    assert (error.variable, error.line, error.template) == ("member.nickname", 3, "flag.json.hbs")
    assert str(error).startswith('template flag.json.hbs line 3: "member.nickname" is not defined')
    assert error.code == "TEMPLATE_ERROR" and not error.retryable


def test_strict_miss_in_an_inline_template_quotes_it():
    with pytest.raises(errors.TemplateError) as caught:
        render("https://{{host}}/hook", {})
    assert str(caught.value).startswith('template "https://{{host}}/hook" line 1: "host"')
    assert caught.value.template is None


def test_strict_miss_inside_a_block_reports_the_path_as_written():
    with pytest.raises(errors.TemplateError) as caught:
        render("a\n{{#each xs}}\n{{../nope}}\n{{/each}}", {"xs": [1]})
    assert (caught.value.variable, caught.value.line) == ("../nope", 3)


def test_a_variable_used_on_several_lines_lists_them():
    with pytest.raises(errors.TemplateError) as caught:
        render("{{#if x}}{{x}}{{/if}}\n{{x}}", {})
    assert caught.value.line == 1
    assert "used on lines 1, 2" in str(caught.value)


def test_strict_null_is_present_and_helper_arguments_may_be_missing():
    assert render("[{{a}}]", {"a": None}) == "[]"
    assert render("{{#if missing}}y{{else}}n{{/if}}{{#each nothing}}x{{/each}}", {}) == "n"


def test_a_missing_parent_is_a_strict_miss():
    with pytest.raises(errors.TemplateError, match='"a.b" is not defined'):
        render("{{a.b}}", {"a": None})


def test_non_strict_renders_missing_as_nothing():
    assert render("[{{missing.deep}}]", {}, strict=False) == "[]"


@pytest.mark.parametrize("template, reason", [
    ("{{#if x}}unclosed", "does not parse: unclosed block"),
    ("{{#if x}}{{/each}}", "does not parse"),
    ("{{nohelper 1}}", 'Missing helper: "nohelper"'),
    ("{{log 'x'}}", 'Missing helper: "log"'),
])
def test_syntax_errors_and_unknown_helpers_are_template_errors(template, reason):
    with pytest.raises(errors.TemplateError, match=reason) as caught:
        render(template, {"x": 1}, filename="t.hbs")
    assert str(caught.value).startswith("template t.hbs")


# -- truthiness and built-ins -----------------------------------------------------------------

@pytest.mark.parametrize("value, shown", [
    ({}, "y"), ({"a": 1}, "y"), ([1], "y"), ("0", "y"), (1, "y"), (-1, "y"), (True, "y"),
    ([], "n"), ("", "n"), (0, "n"), (0.0, "n"), (False, "n"), (None, "n"),
])
def test_if_and_unless_use_javascript_truthiness(value, shown):
    assert render("{{#if v}}y{{else}}n{{/if}}", {"v": value}) == shown
    assert render("{{#unless v}}n{{else}}y{{/unless}}", {"v": value}) == shown


def test_each_exposes_index_key_first_last_this_and_parent():
    assert render("{{#each xs}}{{@index}}:{{this}},{{/each}}", {"xs": ["a", "b"]}) == "0:a,1:b,"
    assert render("{{#each xs}}{{#if @first}}F{{/if}}{{.}}{{#if @last}}L{{/if}}{{/each}}",
                  {"xs": ["a", "b", "c"]}) == "FabcL"
    assert render("{{#each o}}{{@key}}={{this}};{{/each}}", {"o": {"b": 1, "a": 2}}) == "b=1;a=2;"
    assert render("{{#each xs}}{{../p}}{{this.n}} {{/each}}",
                  {"p": "P", "xs": [{"n": 1}, {"n": 2}]}) == "P1 P2 "
    assert render("{{#each xs}}x{{else}}none{{/each}}", {"xs": []}) == "none"
    assert render("{{#each xs}}{{@root.r}}{{/each}}", {"r": "R", "xs": [1]}) == "R"


def test_with_lookup_and_else_chains():
    assert render("{{#with m}}{{name}}{{else}}none{{/with}}|{{#with z}}x{{else}}none{{/with}}",
                  {"m": {"name": "N"}, "z": None}) == "N|none"
    context = {"o": {"a": "A", "b": {"v": "V"}}, "k": "a", "xs": [10, 20]}
    assert render("{{lookup o k}} {{lookup xs 1}} {{#with (lookup o 'b')}}{{v}}{{/with}}",
                  context) == "A 20 V"
    assert render("{{#if a}}A{{else if b}}B{{else}}C{{/if}}", {"a": 0, "b": 1}) == "B"
    assert render("{{o.[my-key].v}}", {"o": {"my-key": {"v": "ok"}}}) == "ok"


# -- cache ------------------------------------------------------------------------------------

def test_each_source_is_parsed_once(monkeypatch):
    parsed = []
    engine = templating._ENGINES[True]
    real = engine.compile
    monkeypatch.setattr(engine, "compile", lambda source: parsed.append(source) or real(source))
    templating._program.cache_clear()
    source = "cached {{x}}"
    assert [render(source, {"x": i}) for i in range(3)] == ["cached 0", "cached 1", "cached 2"]
    compile_template(source)({"x": 9})
    assert parsed == [source]
    render(source, {"x": 1}, strict=False)  # the non-strict engine has its own entry
    assert templating._program.cache_info().currsize == 2


def test_a_template_that_fails_to_parse_is_not_cached():
    templating._program.cache_clear()
    for _ in range(2):
        with pytest.raises(errors.TemplateError):
            render("{{#if x}}", {})
    assert templating._program.cache_info().currsize == 0
