"""Condition trees over a kind of record (``{"all": [{"field": "city", "op": "eq",
"value": "Madrid"}, {"any": […]}]}``): the fields registry, the parser and the compiler
that marketing's segments and automation's rules share. See ``tree`` and ``fields``."""

from clientela.core.conditions.fields import (
    DEFAULT_OPS,
    OPS,
    ConditionField,
    FieldSource,
    FieldType,
    condition_field,
    condition_fields,
    condition_resources,
    register_condition_field,
    register_field_source,
)
from clientela.core.conditions.tree import (
    MAX_DEPTH,
    MAX_LEAVES,
    Condition,
    ConditionError,
    Group,
    Leaf,
    compile_conditions,
    parse_conditions,
)
from clientela.core.conditions.values import AmountDays, DateValue

__all__ = [
    "DEFAULT_OPS",
    "MAX_DEPTH",
    "MAX_LEAVES",
    "OPS",
    "AmountDays",
    "Condition",
    "ConditionError",
    "ConditionField",
    "DateValue",
    "FieldSource",
    "FieldType",
    "Group",
    "Leaf",
    "compile_conditions",
    "condition_field",
    "condition_fields",
    "condition_resources",
    "parse_conditions",
    "register_condition_field",
    "register_field_source",
]
