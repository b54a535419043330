"""Add a tag to, or remove one from, the record the rule runs on: through the kind's
own update service (``RecordKind.update_record``), so validation, audit, search and
events hold as for a person's change on a page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.automation.rules.actions import ActionProblem, ActionType, Context, Outcome, Param
from clientela.core.kinds import RECORD_KINDS
from clientela.core.models import Tag

TAG_CHARS = Tag._meta.get_field("name").max_length or 50


def tagged_kinds() -> frozenset[str]:
    """The kinds whose records carry tags and whose update service sets them."""
    return frozenset(
        kind.resource
        for kind in RECORD_KINDS.values()
        if kind.update is not None and any(f.name == "tags" for f in kind.model._meta.get_fields())
    )


def _clean(params: Mapping[str, Any], resource: str) -> dict[str, Any]:
    extra = sorted(set(params) - {"tag"})
    if extra:
        raise ActionProblem(str(extra[0])[:30], _("Unknown key."))
    tag = params.get("tag")
    name = " ".join(tag.split()) if isinstance(tag, str) else ""
    if not name:
        raise ActionProblem("tag", _("Enter a tag."))
    if len(name) > TAG_CHARS:
        raise ActionProblem("tag", _("At most %(n)s characters.") % {"n": TAG_CHARS})
    return {"tag": name}


def _set_tags(context: Context, names: list[str]) -> None:
    kind = RECORD_KINDS[context.resource]
    kind.update_record(actor=context.actor, record=context.record, data={"tags": names})


def _current(context: Context) -> list[str]:
    if context.record is None:
        raise ActionProblem("", _("The record is gone."))
    return [t.name for t in context.record.tags.all()]


def _add(context: Context, params: Mapping[str, Any]) -> Outcome:
    names = _current(context)
    tag = params["tag"]
    if tag.casefold() in {n.casefold() for n in names}:
        return Outcome(_("Already tagged “%(tag)s”.") % {"tag": tag})
    _set_tags(context, [*names, tag])
    return Outcome(_("Tagged “%(tag)s”.") % {"tag": tag})


def _remove(context: Context, params: Mapping[str, Any]) -> Outcome:
    names = _current(context)
    tag = params["tag"].casefold()
    kept = [n for n in names if n.casefold() != tag]
    if len(kept) == len(names):
        return Outcome(_("Was not tagged “%(tag)s”.") % {"tag": params["tag"]})
    _set_tags(context, kept)
    return Outcome(_("Tag “%(tag)s” removed.") % {"tag": params["tag"]})


def action_types() -> list[ActionType]:
    kinds = tagged_kinds()
    param = (Param("tag", gettext_lazy("Tag")),)
    return [
        ActionType(
            key="add_tag",
            label=gettext_lazy("Add a tag"),
            params=param,
            clean=_clean,
            run=_add,
            resources=kinds,
            changes_record=True,
            order=40,
        ),
        ActionType(
            key="remove_tag",
            label=gettext_lazy("Remove a tag"),
            params=param,
            clean=_clean,
            run=_remove,
            resources=kinds,
            changes_record=True,
            order=41,
        ),
    ]
