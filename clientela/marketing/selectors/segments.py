"""Reads of segments and static lists, and of their members: always what the asking
user may see (a segment's members are the people the user sees that meet its rules,
read through the contacts selectors)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from clientela.contacts.models import Person
from clientela.contacts.selectors import person_list
from clientela.core.conditions import compile_conditions, parse_conditions
from clientela.core.selectors import record_get, record_trash_get
from clientela.marketing.filters import MemberFilters, NamedFilters
from clientela.marketing.models import ListMember, Segment, StaticList

PERSON = Person.RESOURCE


def _named(qs: QuerySet[Any], filters: NamedFilters | None) -> QuerySet[Any]:
    filters = filters or NamedFilters()
    if filters.q:
        qs = qs.filter(name__icontains=filters.q)
    return qs.order_by(*filters.order_by())


def segment_list(*, user: Any, filters: NamedFilters | None = None) -> QuerySet[Segment]:
    qs = Segment.objects.alive().visible_to(user).select_related("owner", "team")
    return _named(qs, filters)


def segment_get(*, user: Any, pk: Any) -> Segment:
    return record_get(Segment, user=user, pk=pk, queryset=Segment.objects.select_related("owner"))


def segment_trash_get(*, user: Any, pk: Any) -> Segment:
    return record_trash_get(Segment, user=user, pk=pk)


def rules_q(*, user: Any, rules: Any) -> Q:
    """The filter on people of a tree of rules (``ConditionError`` when it is bad)."""
    return compile_conditions(user, PERSON, parse_conditions(PERSON, rules))


def people_matching(
    *, user: Any, rules: Any, filters: MemberFilters | None = None
) -> QuerySet[Person]:
    """The people ``user`` sees who meet ``rules``, sorted; one query."""
    filters = filters or MemberFilters()
    people = person_list(user=user).filter(rules_q(user=user, rules=rules))
    return people.order_by(*filters.order_by())


def rules_count(*, user: Any, rules: Any) -> int:
    """How many people ``user`` sees meet ``rules`` (``ConditionError`` when bad)."""
    return Person.objects.alive().visible_to(user).filter(rules_q(user=user, rules=rules)).count()


def segment_members(
    *, user: Any, segment: Segment, filters: MemberFilters | None = None
) -> QuerySet[Person]:
    return people_matching(user=user, rules=segment.rules, filters=filters)


def segment_count(*, user: Any, segment: Segment) -> int:
    return rules_count(user=user, rules=segment.rules)


# --- static lists -----------------------------------------------------------------------


def list_list(*, user: Any, filters: NamedFilters | None = None) -> QuerySet[StaticList]:
    qs = StaticList.objects.alive().visible_to(user).select_related("owner", "team")
    return _named(qs, filters)


def list_get(*, user: Any, pk: Any) -> StaticList:
    return record_get(StaticList, user=user, pk=pk)


def list_trash_get(*, user: Any, pk: Any) -> StaticList:
    return record_trash_get(StaticList, user=user, pk=pk)


def list_members(
    *, user: Any, static_list: StaticList, filters: MemberFilters | None = None
) -> QuerySet[Person]:
    """The people on the list that ``user`` sees, sorted."""
    filters = filters or MemberFilters()
    on_list = ListMember.objects.filter(list=static_list).values("person_id")
    return person_list(user=user).filter(pk__in=on_list).order_by(*filters.order_by())


def list_member_rows(*, user: Any, static_list: StaticList) -> QuerySet[ListMember]:
    """The list's entries (who added each, how, when) for the people ``user`` sees,
    newest first."""
    people = Person.objects.alive().visible_to(user).values("pk")
    rows = ListMember.objects.filter(list=static_list, person__in=people)
    return rows.select_related("person", "added_by").order_by("-added_at", "-id")


def list_count(*, user: Any, static_list: StaticList) -> int:
    people = Person.objects.alive().visible_to(user).values("pk")
    return ListMember.objects.filter(list=static_list, person__in=people).count()
