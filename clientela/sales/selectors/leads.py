"""Every read of leads, narrowed first to what the asking user may see, and the match
suggestions of the conversion page (people and organizations the lead may already be)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy

from clientela.contacts.models import Organization, Person
from clientela.core import search
from clientela.core.normalize import fold
from clientela.core.selectors import record_get, record_trash_get
from clientela.sales.filters import LeadFilters
from clientela.sales.models import Lead, Pipeline

MAX_MATCHES = 10
# The API documents the sort keys from here.
SORTS, DEFAULT_SORT = LeadFilters.SORTS, LeadFilters.DEFAULT_SORT


def leads_for(user: Any) -> QuerySet[Lead]:
    """The live leads ``user`` may see."""
    return Lead.objects.alive().visible_to(user)


def lead_list(*, user: Any, filters: LeadFilters | None = None) -> QuerySet[Lead]:
    filters = filters or LeadFilters()
    qs = leads_for(user).select_related("owner", "team")
    if filters.q:
        q = filters.q
        words = q.split()
        text = Q(company__icontains=q) | Q(email__icontains=q) | Q(phone__icontains=q)
        if words:
            # "Ana García" matches first and last name each holding one of the words.
            names = Q()
            for word in words:
                names &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
            text |= names
        qs = qs.filter(text)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.owner is not None:
        qs = qs.filter(owner_id=filters.owner)
    return qs.order_by(*filters.order_by())


def lead_get(*, user: Any, pk: Any) -> Lead:
    """One lead with its converted records, or ``NotFound`` (missing, trashed or not
    visible)."""
    joined = Lead.objects.select_related(
        "owner", "team", "converted_person", "converted_organization", "converted_deal"
    )
    return record_get(Lead, user=user, pk=pk, queryset=joined)


def lead_trash_get(*, user: Any, pk: Any) -> Lead:
    """A trashed lead, for admins restoring from the trash."""
    return record_trash_get(Lead, user=user, pk=pk)


def active_pipelines() -> QuerySet[Pipeline]:
    """Pipelines a new deal may go to (configuration: everyone reads it)."""
    return Pipeline.objects.filter(is_active=True).order_by("position", "id")


# --- conversion matches -------------------------------------------------------------------


REASON_LABELS = {
    "email": gettext_lazy("same e-mail"),
    "phone": gettext_lazy("same phone"),
    "name": gettext_lazy("same name"),
}
_RANK = {"email": 0, "phone": 1, "name": 2}


@dataclass
class PersonMatch:
    person: Person
    #: "email", "phone", "name": what the person has in common with the lead.
    reasons: list[str] = field(default_factory=list)

    @property
    def reason_labels(self) -> list[Any]:
        return [REASON_LABELS[r] for r in self.reasons]


@dataclass
class ConversionMatches:
    people: list[PersonMatch]
    organizations: list[Organization]

    @property
    def person_by_email(self) -> Person | None:
        """The person the conversion links by default (same e-mail), if any."""
        return next((m.person for m in self.people if "email" in m.reasons), None)


def _folded(text: str) -> str:
    """Case, accents and spacing ignored: "PANADERÍA  Núñez" is "panaderia nunez"."""
    return " ".join(fold(text).split())


def people_for(user: Any) -> QuerySet[Person]:
    return Person.objects.alive().visible_to(user)


def organizations_for(user: Any) -> QuerySet[Organization]:
    return Organization.objects.alive().visible_to(user)


def people_with_email(user: Any, email: str) -> QuerySet[Person]:
    """Visible people with ``email`` (normalized) as their primary or another address."""
    return (
        people_for(user)
        .filter(Q(email=email) | Q(emailaddresss__address=email))
        .distinct()
        .order_by("pk")
    )


def person_with_email(user: Any, email: str) -> Person | None:
    """The visible person a conversion links by default: the lead's e-mail is theirs."""
    return people_with_email(user, email).first() if email else None


def _named(qs: QuerySet[Any], user: Any, resource: str, text: str, field: str) -> list[Any]:
    """Records of ``qs`` whose ``field`` may equal ``text`` ignoring case and accents:
    candidates from the search index (folded words) or a plain case-insensitive match,
    compared folded here (SQLite folds only ASCII letters)."""
    ids = search.matching_object_ids(user=user, resource=resource, query=text, limit=500)
    return list(qs.filter(Q(pk__in=ids) | Q(**{f"{field}__iexact": text})).order_by("pk"))


def organizations_named(user: Any, name: str, *, limit: int = MAX_MATCHES) -> list[Organization]:
    """Visible organizations named ``name`` (ignoring case and accents) first, then
    those whose name starts with it."""
    name = name.strip()
    if not name:
        return []
    target = _folded(name)
    candidates = _named(organizations_for(user), user, Organization.RESOURCE, name, "name")
    exact = [o for o in candidates if _folded(o.name) == target]
    starting = sorted(
        (o for o in candidates if o not in exact and _folded(o.name).startswith(target)),
        key=lambda o: (_folded(o.name), o.pk),
    )
    return (exact + starting)[:limit]


def organization_named(user: Any, name: str) -> Organization | None:
    """The visible organization a conversion links by default: named like the lead's
    company (ignoring case and accents)."""
    target = _folded(name)
    return next((o for o in organizations_named(user, name) if _folded(o.name) == target), None)


def conversion_matches(user: Any, lead: Lead) -> ConversionMatches:
    """Visible people who may be this lead — same normalized e-mail, same E.164 phone
    or same full name (ignoring case and accents) — best first, and visible
    organizations named like the lead's company (exactly first, then starting with it)."""
    found: dict[int, PersonMatch] = {}

    def collect(people: Any, reason: str) -> None:
        for person in people[:MAX_MATCHES]:
            found.setdefault(person.pk, PersonMatch(person)).reasons.append(reason)

    if lead.email:
        collect(people_with_email(user, lead.email), "email")
    if lead.phone:
        phones = Q(phone=lead.phone) | Q(phonenumbers__number=lead.phone)
        collect(people_for(user).filter(phones).distinct().order_by("pk"), "phone")
    if lead.first_name and lead.last_name:
        full = _folded(f"{lead.first_name} {lead.last_name}")
        candidates = _named(
            people_for(user),
            user,
            Person.RESOURCE,
            f"{lead.first_name} {lead.last_name}",
            "last_name",
        )
        collect([p for p in candidates if _folded(p.full_name) == full], "name")
    people = sorted(
        found.values(),
        key=lambda m: (-len(m.reasons), min(_RANK[r] for r in m.reasons), m.person.pk),
    )[:MAX_MATCHES]
    return ConversionMatches(people=people, organizations=organizations_named(user, lead.company))


def lead_page_list(*, user: Any, filters: LeadFilters | None = None) -> QuerySet[Lead]:
    """``lead_list`` for the leads page: unscored leads last whichever way scores are
    sorted, on PostgreSQL (NULLs first when descending) as on SQLite. The API keeps
    ``lead_list``, whose cursors page on plain columns."""
    filters = filters or LeadFilters()
    by_score = {
        "score": F("score").asc(nulls_last=True),
        "-score": F("score").desc(nulls_last=True),
    }
    return lead_list(user=user, filters=filters).order_by(
        *(by_score.get(column, column) for column in filters.order_by())
    )
