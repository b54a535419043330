"""The one sandbox of every user-written template (core.merge_fields): only the offered
fields, plain strings, nothing that reaches Python, loops or computes; problems told
with their line; HTML escaped in HTML templates."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from clientela.core.merge_fields import (
    TemplateProblem,
    check_template,
    compile_template,
    template_problem,
)

FIELDS = ("first_name", "organization")

ESCAPES = [
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ first_name.__class__ }}",
    "{{ first_name.upper() }}",
    "{{ first_name['x'] }}",
    '{% import "os" as os %}',
    '{% from "x" import y %}',
    '{% include "base.html" %}',
    '{% extends "base.html" %}',
    "{% for i in range(10**9) %}x{% endfor %}",
    "{% for c in first_name %}{{ c }}{% endfor %}",
    "{{ 9**9**9 }}",
    "{{ 'a' * 1000000000 }}",
    "{{ first_name|replace('a', 'b') }}",
    "{{ first_name|center(1000000000) }}",
    "{{ lipsum() }}",
    "{% set x = 1 %}",
    "{% macro m() %}{% endmacro %}",
    "{% autoescape false %}{{ first_name }}{% endautoescape %}",
    "{{ cycler }}",
    "{{ range }}",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_sandbox_escapes_are_refused(source: str) -> None:
    problem = template_problem(source, FIELDS, html=True)
    assert problem is not None, source
    assert problem.line == 1


def test_a_syntax_error_names_its_line() -> None:
    with pytest.raises(TemplateProblem) as refused:
        check_template("<p>Hello</p>\n<p>\n{{ first_name </p>", FIELDS)
    assert refused.value.line == 3
    assert str(refused.value).startswith("Line 3: ")
    unclosed = template_problem("a\n{% if organization %}\nb", FIELDS)
    assert unclosed is not None
    assert unclosed.line >= 2


def test_an_unknown_field_is_named() -> None:
    problem = template_problem("Hi\n\n{{ first_nme }}", FIELDS)
    assert problem is not None
    assert (problem.line, problem.field) == (3, "first_nme")
    assert "{{ first_nme }} is not a merge field" in str(problem)
    assert "{{ first_name }}" in str(problem)
    inside_if = template_problem("{% if secret %}x{% endif %}", FIELDS)
    assert inside_if is not None
    assert inside_if.field == "secret"


def test_conditions_filters_and_comments_render() -> None:
    source = (
        "{# greeting #}Hi {{ first_name|default('friend', true)|title }}"
        "{% if organization %} from {{ organization }}{% elif first_name == 'x' %}!"
        "{% else %}.{% endif %}{{ ' ~' ~ first_name if first_name else '' }}"
    )
    template = compile_template(source, FIELDS)
    assert template.render({"first_name": "ana", "organization": "Acme"}) == (
        "Hi Ana from Acme ~ana"
    )
    assert template.render({}) == "Hi Friend."


def test_html_templates_escape_the_values_text_templates_do_not() -> None:
    values = {"first_name": "<b>Ana</b> & co", "organization": Markup("A<br>B")}
    html = compile_template("{{ first_name }} {{ organization }}", FIELDS, html=True)
    assert html.render(values) == "&lt;b&gt;Ana&lt;/b&gt; &amp; co A<br>B"
    text = compile_template("{{ first_name }}", FIELDS)
    assert text.render(values) == "<b>Ana</b> & co"


def test_without_conditions_only_fields() -> None:
    for source in ("{% if first_name %}x{% endif %}", "{# note #}", "{{ a if b else c }}"):
        assert template_problem(source, FIELDS, conditions=False) is not None
    template = compile_template("Hi {{ first_name }}", FIELDS, conditions=False)
    assert template.render({"first_name": "Ana"}) == "Hi Ana"


def test_only_strings_reach_a_template() -> None:
    class Secret:
        token = "s3cret"

        def __str__(self) -> str:
            return "shown"

    template = compile_template("{{ first_name }}", FIELDS)
    assert template.render({"first_name": Secret()}) == "shown"  # type: ignore[dict-item]


_PIECES = st.sampled_from(
    ["Hi ", "{{ first_name }}", "{{organization}}", " & <b>", "\r\n", "€", "", "\n"]
)
_VALUES = st.sampled_from(["", "Ana", "<i>x</i> & 'y'", "Ñandú\n2", Markup("A<br>B")])


@given(
    source=st.lists(_PIECES, max_size=12).map("".join),
    first=_VALUES,
    organization=st.one_of(st.none(), _VALUES),
    html=st.booleans(),
)
def test_text_and_fields_render_as_jinja_does(
    source: str, first: str, organization: str | None, html: bool
) -> None:
    # Such templates skip Jinja's render (a campaign's speed); the result must not change.
    template = compile_template(source, FIELDS, html=html)
    values = {"first_name": first}
    if organization is not None:
        values["organization"] = organization
    context = {name: str(values.get(name, "")) for name in FIELDS}
    context |= {k: v for k, v in values.items() if isinstance(v, Markup)}
    assert template.render(values) == template._template.render(context)
