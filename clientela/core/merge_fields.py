"""Merge fields, the one sandbox of every template users write (canned answers, e-mail
templates, later the automation's e-mails).

A template is Jinja2 text run by ``SandboxedEnvironment`` with ``StrictUndefined``, no
globals (no ``range``, ``dict``, ``lipsum``…) and a short list of filters; and before it
is compiled its syntax tree is checked against an allow-list, so what is not plainly a
merge field is refused with its line instead of being run:

* ``{{ first_name }}`` — a merge field the caller offers, nothing else (an unknown name
  is reported by name);
* no attribute or item access (``{{ x.__class__ }}``, ``{{ x['y'] }}``), no calls, no
  arithmetic (Jinja folds constants at compile time, so ``9**9**9`` would hang the
  compiler before the sandbox ever saw it), no loops, imports, includes, macros, ``set``
  or blocks;
* with ``conditions=True`` (e-mail templates): ``{% if %}`` / ``{% elif %}`` /
  ``{% else %}``, comparisons, ``and``/``or``/``not``, ``~`` and ``a if b else c``, and
  comments; with ``conditions=False`` (canned answers): ``{{ field }}`` alone.

The context of a render is a dict of offered strings (never objects), so even a template
that got past the checks some other way could reach nothing but strings, and the
sandbox refuses attribute access on those too (``NoAttributes``).

``compile_template`` checks once and returns a ``MergeTemplate`` whose ``render`` is
cheap: a campaign compiles its template once and renders it per recipient.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import escape

#: The filters a template may use, with no argument or constant ones.
FILTERS = ("default", "d", "upper", "lower", "title", "capitalize", "trim")

#: Expression nodes allowed with ``conditions``; ``Name``, ``Filter``, ``Const`` and
#: the output nodes are allowed always (checked on their own).
_CONDITION_NODES = (
    nodes.If,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Concat,
    nodes.CondExpr,
)
_ALWAYS = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const)
#: Longest template the checks accept (a whole HTML newsletter fits easily).
MAX_LENGTH = 200_000


class NoAttributes(SandboxedEnvironment):
    """The sandbox with no attribute access at all: merge fields are plain strings, and
    a template has no business with their methods."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return False

    def is_safe_callable(self, obj: Any) -> bool:
        return False


def _environment(autoescape: bool) -> NoAttributes:
    env = NoAttributes(
        undefined=StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        # Not the Jinja default of "\n" only: "\r\n" of a textarea stays as typed.
        keep_trailing_newline=True,
    )
    env.globals.clear()
    env.tests.clear()
    env.filters = {name: env.filters[name] for name in FILTERS}
    return env


_ENVIRONMENTS = {False: _environment(False), True: _environment(True)}


@dataclass(eq=False)
class TemplateProblem(Exception):
    """What is wrong with a template: the line (1-based; 0 when the whole text is at
    fault), the problem in the user's words, and the unknown field's name if that is
    it."""

    line: int
    message: str
    field: str = ""

    def __str__(self) -> str:
        if not self.line:
            return self.message
        return _("Line %(line)s: %(problem)s") % {"line": self.line, "problem": self.message}


def _fields_hint(fields: Iterable[str]) -> str:
    return ", ".join("{{ %s }}" % f for f in fields)  # noqa: UP031


def _unknown_field(name: str, line: int, fields: Iterable[str]) -> TemplateProblem:
    message = _("{{ %(found)s }} is not a merge field; use %(fields)s.") % {
        "found": name,
        "fields": _fields_hint(fields),
    }
    return TemplateProblem(line, message, name)


def _not_allowed(line: int, conditions: bool) -> TemplateProblem:
    if conditions:
        message = _(
            "only merge fields, {%% if %%} … {%% else %%} … {%% endif %%} and the filters "
            "%(filters)s may be used here."
        ) % {"filters": ", ".join(FILTERS)}
    else:
        message = _("only merge fields may be used here, as {{ field }}.")
    return TemplateProblem(line, message)


def _check_node(node: nodes.Node, fields: frozenset[str], conditions: bool, line: int = 1) -> None:
    # Some nodes carry no line ({% autoescape %}'s): the nearest enclosing one's.
    line = getattr(node, "lineno", 0) or line
    if isinstance(node, nodes.Name):
        if node.name not in fields:
            raise _unknown_field(node.name, line, sorted(fields))
        return
    if isinstance(node, nodes.Filter):
        arguments_constant = all(isinstance(a, nodes.Const) for a in node.args) and not (
            node.kwargs or node.dyn_args or node.dyn_kwargs
        )
        if node.name not in FILTERS or not arguments_constant or node.node is None:
            raise _not_allowed(line, conditions)
    elif isinstance(node, nodes.Const):
        if not isinstance(node.value, str | int | bool | None):
            raise _not_allowed(line, conditions)
    elif not isinstance(node, _ALWAYS) and not (conditions and isinstance(node, _CONDITION_NODES)):
        raise _not_allowed(line, conditions)
    for child in node.iter_child_nodes():
        _check_node(child, fields, conditions, line)


def check_template(
    source: str, fields: Iterable[str], *, conditions: bool = True, html: bool = False
) -> None:
    """Raise ``TemplateProblem`` (the first one, with its line) when ``source`` is not a
    template of only the merge fields ``fields``; return when it is."""
    compile_template(source, fields, conditions=conditions, html=html)


def template_problem(
    source: str, fields: Iterable[str], *, conditions: bool = True, html: bool = False
) -> TemplateProblem | None:
    """``check_template``'s problem, or None."""
    try:
        check_template(source, fields, conditions=conditions, html=html)
    except TemplateProblem as problem:
        return problem
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


class MergeTemplate:
    """A checked, compiled template: ``render(values)`` fills it in. ``values`` must give
    every offered field as a string (a missing one is an empty string)."""

    def __init__(self, source: str, fields: frozenset[str], html: bool) -> None:
        self.source, self.fields, self.html = source, fields, html
        env = _ENVIRONMENTS[html]
        self._template = env.from_string(source)
        self._plain = _plain_parts(env.parse(source))

    def render(self, values: Mapping[str, str]) -> str:
        # A ``markupsafe.Markup`` value (HTML the caller built from escaped parts, a
        # signature's lines) goes in as it is; anything else is text, escaped in HTML.
        context = {name: _text(values.get(name, "")) for name in self.fields}
        if self._plain is None:
            return self._template.render(context)
        # Text and fields only: what Jinja's code does, without its per-render context
        # and with each field escaped once however often it appears (a campaign renders
        # a template with dozens of fields 100,000 times; ~4× faster).
        pieces, slots = self._plain
        if self.html:
            context = {name: escape(value) for name, value in context.items()}
        filled = list(pieces)
        for index, name in slots:
            filled[index] = context[name]
        return "".join(filled)


def _plain_parts(tree: nodes.Template) -> tuple[list[str], list[tuple[int, str]]] | None:
    """A template of only text and ``{{ field }}`` as its pieces (the fields' places
    empty) and (place, field) pairs; None for anything else (conditions, filters)."""
    pieces: list[str] = []
    slots: list[tuple[int, str]] = []
    for output in tree.body:
        if not isinstance(output, nodes.Output):
            return None
        for node in output.nodes:
            if isinstance(node, nodes.TemplateData):
                pieces.append(node.data)
            elif isinstance(node, nodes.Name):
                slots.append((len(pieces), node.name))
                pieces.append("")
            else:
                return None
    return pieces, slots


def compile_template(
    source: str, fields: Iterable[str], *, conditions: bool = True, html: bool = False
) -> MergeTemplate:
    """Check ``source`` (``TemplateProblem`` on the first problem) and compile it; with
    ``html`` every value is HTML-escaped where it is put in."""
    offered = frozenset(fields)
    if len(source) > MAX_LENGTH:
        raise TemplateProblem(0, _("The text is too long for a template."))
    if not conditions:
        for marker in ("{%", "{#"):
            if marker in source:
                line = source[: source.index(marker)].count("\n") + 1
                raise _not_allowed(line, False)
    env = _ENVIRONMENTS[html]
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        problem = exc.message or _("the template cannot be read.")
        raise TemplateProblem(exc.lineno or 0, problem) from None
    _check_node(tree, offered, conditions)
    return MergeTemplate(source, offered, html)
