"""Put the record's person on a static list, through marketing's ``list_add_members``:
``{"type": "add_to_list", "list": 4}`` (on a person, or a record that names one: a
deal's contact, a ticket's customer, a converted lead's person). The member's source
is "Workflow rule"; a person on the list already stays as they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.automation.rules.actions import ActionType, Context, Outcome, Param
from clientela.automation.rules.actions import common as c
from clientela.core.errors import NotFound
from clientela.marketing.choices import ListMemberSource
from clientela.marketing.models import StaticList
from clientela.marketing.services.segments import list_add_members


def _list_choices() -> list[tuple[str, Any]]:
    rows = StaticList.objects.alive().order_by("name", "id").values_list("pk", "name")[:500]
    return [(str(pk), name) for pk, name in rows]


def _clean(params: Mapping[str, Any], resource: str) -> dict[str, Any]:
    c.only(params, {"list"})
    pk = c.an_id(params, "list")
    lists = StaticList.objects.alive().filter(pk=pk)
    c.known(lists.exists, "list", _("There is no list with this id."))
    return {"list": pk}


def _run(context: Context, params: Mapping[str, Any]) -> Outcome:
    person = c.person_of(c.record_of(context))
    if person is None:
        raise c.failed(_("The record has no person to put on the list."))
    static_list = StaticList.objects.alive().filter(pk=params["list"]).first()
    if static_list is None:
        raise c.failed(_("The list no longer exists."))
    try:
        added = list_add_members(
            actor=context.actor,
            static_list=static_list,
            person_ids=[person.pk],
            source=ListMemberSource.RULE,
        )
    except NotFound:
        raise c.failed(_("The list no longer exists.")) from None
    names = {"person": person, "list": static_list}
    message = (
        _("%(person)s added to the list “%(list)s”.")
        if added
        else _("%(person)s was on the list “%(list)s” already.")
    )
    return Outcome(message % names, c.page_of(StaticList.RESOURCE, static_list))


def action_types() -> list[ActionType]:
    return [
        ActionType(
            key="add_to_list",
            label=gettext_lazy("Add to a list"),
            params=(Param("list", gettext_lazy("List"), kind="choice", choices=_list_choices),),
            clean=_clean,
            run=_run,
            resources=c.person_kinds(),
            order=60,
        )
    ]
