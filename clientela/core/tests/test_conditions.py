"""The condition tree on its own (``core.conditions``): parsing with paths to the bad
part, limits, values per type, and compilation, over fields registered on core's own
tags (so no domain app is needed). Fuzzed: no input makes the parser fail otherwise
than with ``ConditionError``."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientela.core.conditions import (
    MAX_DEPTH,
    MAX_LEAVES,
    ConditionError,
    ConditionField,
    FieldType,
    compile_conditions,
    parse_conditions,
    register_condition_field,
)
from clientela.core.conditions.build import column_q
from clientela.core.models import Tag

RESOURCE = "tests.tag"


def _register() -> None:
    def f(key: str, kind: str, q: Any, **extra: Any) -> None:
        register_condition_field(
            ConditionField(key=key, label=key, resource=RESOURCE, type=kind, q=q, **extra)
        )

    f("name", FieldType.TEXT, column_q("name"))
    f(
        "color",
        FieldType.CHOICE,
        column_q("color"),
        choices=lambda: [("red", "Red"), ("blue", "Blue")],
    )
    f("id", FieldType.NUMBER, column_q("id"))
    f("created", FieldType.DATE, column_q("created_at", moment=True))


_register()


def error_of(data: Any) -> ConditionError:
    with pytest.raises(ConditionError) as caught:
        parse_conditions(RESOURCE, data)
    return caught.value


def test_paths_name_the_bad_part() -> None:
    assert error_of({"all": [{"field": "nme", "op": "eq", "value": "x"}]}).path == "all[0].field"
    bad_op = error_of({"any": [{"field": "name", "op": "gt", "value": "x"}]})
    assert (bad_op.path, "eq, ne, in, contains, exists" in bad_op.message) == ("any[0].op", True)
    nested = {
        "all": [
            {"field": "name", "op": "eq", "value": "a"},
            {"any": [{"field": "created", "op": "before", "value": "soon"}]},
        ]
    }
    assert error_of(nested).path == "all[1].any[0].value"
    assert (
        error_of({"all": [{"field": "color", "op": "eq", "value": "green"}]}).path == "all[0].value"
    )
    assert (
        error_of({"all": [{"field": "name", "op": "eq", "value": "a", "x": 1}]}).path == "all[0].x"
    )
    assert error_of([]).path == ""
    assert error_of({"all": [], "any": []}).path == ""
    assert error_of({"all": [{"any": []}]}).path == "all[0].any"


def test_messages_are_translated() -> None:
    from django.utils import translation  # noqa: PLC0415

    with translation.override("es"):
        message = error_of({"all": [{"field": "nme", "op": "eq", "value": "x"}]}).message
    assert message == "Campo desconocido “nme”."


def test_limits_of_depth_and_size() -> None:
    tree: dict[str, Any] = {"all": [{"field": "name", "op": "eq", "value": "a"}]}
    for _level in range(MAX_DEPTH - 1):
        tree = {"any": [tree]}
    parse_conditions(RESOURCE, tree)
    assert "deep" in error_of({"all": [tree]}).message
    many = {"all": [{"field": "id", "op": "gt", "value": n} for n in range(MAX_LEAVES + 1)]}
    assert error_of(many).path == f"all[{MAX_LEAVES}]"


def test_values_are_checked_and_written_back() -> None:
    tree = {
        "any": [
            {"field": "id", "op": "gt", "value": "10"},
            {"field": "created", "op": "after", "value": "-30d"},
            {"field": "created", "op": "before", "value": "2026-01-31"},
            {"field": "name", "op": "in", "value": ["a", " b "]},
            {"field": "name", "op": "exists", "value": False},
            {"field": "color", "op": "eq", "value": "red"},
        ]
    }
    assert parse_conditions(RESOURCE, tree).to_json() == {
        "any": [
            {"field": "id", "op": "gt", "value": "10"},
            {"field": "created", "op": "after", "value": "-30d"},
            {"field": "created", "op": "before", "value": "2026-01-31"},
            {"field": "name", "op": "in", "value": ["a", "b"]},
            {"field": "name", "op": "exists", "value": False},
            {"field": "color", "op": "eq", "value": "red"},
        ]
    }
    for bad in (True, "x", None, "1e400", [1]):
        assert error_of({"all": [{"field": "id", "op": "gt", "value": bad}]}).path == "all[0].value"
    assert error_of({"all": [{"field": "name", "op": "in", "value": []}]}).path == "all[0].value"
    assert error_of({"all": [{"field": "created", "op": "after", "value": "2026-02-30"}]})


@pytest.mark.django_db
def test_compiles_to_one_query_per_tree() -> None:
    for name, color in (("alpha", "red"), ("beta", "blue"), ("gamma", "red")):
        Tag.objects.create(name=name, color=color)
    tree = parse_conditions(
        RESOURCE,
        {
            "all": [
                {"field": "color", "op": "eq", "value": "red"},
                {
                    "any": [
                        {"field": "name", "op": "contains", "value": "AMM"},
                        {"field": "name", "op": "eq", "value": "beta"},
                    ]
                },
            ]
        },
    )
    found = Tag.objects.filter(compile_conditions(None, RESOURCE, tree))
    assert [t.name for t in found] == ["gamma"]
    everyone = parse_conditions(RESOURCE, {"all": []})
    assert Tag.objects.filter(compile_conditions(None, RESOURCE, everyone)).count() == 3
    nobody = parse_conditions(RESOURCE, {"any": []})
    assert not Tag.objects.filter(compile_conditions(None, RESOURCE, nobody)).exists()
    not_red = parse_conditions(RESOURCE, {"all": [{"field": "color", "op": "ne", "value": "red"}]})
    assert [t.name for t in Tag.objects.filter(compile_conditions(None, RESOURCE, not_red))] == [
        "beta"
    ]


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["all", "any", "field", "op", "value", "x"]) | st.text(max_size=5),
            children,
            max_size=4,
        )
    ),
    max_leaves=30,
)
_leaf = st.fixed_dictionaries(
    {
        "field": st.sampled_from(["name", "color", "id", "created", "nope", 3]),
        "op": st.sampled_from(
            ["eq", "ne", "in", "contains", "gt", "lt", "before", "after", "exists", "x"]
        ),
        "value": _json,
    }
)
_tree = st.recursive(
    _leaf,
    lambda parts: st.dictionaries(
        st.sampled_from(["all", "any"]), st.lists(parts, max_size=4), min_size=1, max_size=1
    ),
    max_leaves=20,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(_json, _tree))
def test_no_input_breaks_the_parser(data: Any) -> None:
    try:
        parsed = parse_conditions(RESOURCE, data)
    except ConditionError as error:
        message = error.message
    else:
        message = "parsed"
        assert parse_conditions(RESOURCE, parsed.to_json()).to_json() == parsed.to_json()
    assert message
