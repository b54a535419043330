"""The pages of people and organizations: core's generic record pages
(``core.views.kinds``) with what contacts really own: the filters by custom field, the
"Find duplicates" button, a record's facts, members and merge notes, the redirect of a
record merged away, the details (e-mails, phones…) of the form, and a trash that
keeps merged records out of reach."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponsePermanentRedirect,
    QueryDict,
)
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from clientela.contacts import selectors
from clientela.contacts.filters import ContactFilters
from clientela.contacts.forms import ERROR_TARGETS, details_initial, make_formset
from clientela.contacts.models import Organization, Person
from clientela.contacts.views.merge import merge_notes
from clientela.contacts.views.pickers import organization_choices
from clientela.core import selectors as core_selectors
from clientela.core.errors import NotFound
from clientela.core.forms import add_service_errors, id_list
from clientela.core.views.kinds import (
    KindView,
    RecordDetailView,
    RecordFormView,
    RecordListView,
    RecordRestoreView,
    trash_url,
)


class ContactListView(RecordListView):
    def parse_filters(self, params: QueryDict) -> tuple[Any, Any]:
        return ContactFilters.from_params(params, resource=self.kind.resource)

    def page_context(self) -> dict[str, Any]:
        # The duplicate finder is offered to those who may clean the data up.
        found = self.url("duplicates") if self.may("update") else ""
        return {"duplicates_url": found}


class MergedRedirect(KindView):
    """Answers the id of a record merged away with a permanent redirect to the record
    it was merged into (when the user may see that one), so old links keep working."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return super().dispatch(request, *args, **kwargs)
        except Http404:
            pk = kwargs.get("pk")
            target = selectors.merged_into(self.kind.url_prefix, pk) if pk is not None else None
            if target is None:
                raise
            try:
                self.kind.get(user=self.user, pk=target)
            except NotFound:
                raise Http404() from None
            assert request.resolver_match is not None
            url = reverse(request.resolver_match.view_name, kwargs={"pk": target})
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(url + (f"?{query}" if query else ""))


class ContactDetailView(MergedRedirect, RecordDetailView):
    def detail_context(self, record: Any) -> dict[str, Any]:
        if isinstance(record, Organization):
            members = list(selectors.organization_people(user=self.user, organization=record))
        else:
            members = list(record.memberships.all())
        return {
            "facts": _facts(record),
            "members": members,
            "merge_notes": merge_notes(self.request, self.kind, record),
        }


def _facts(record: Person | Organization) -> list[tuple[str, Any]]:
    """The record's plain fields as (label, display value), formatted for the locale."""
    facts: list[tuple[str, Any]] = []
    if isinstance(record, Person):
        facts += [
            (_("Birthday"), record.birthday.display() if record.birthday else ""),
            (_("Preferred language"), record.get_preferred_language_display()),
            (_("Preferred channel"), record.get_preferred_channel_display()),
        ]
    else:
        facts += [(_("Industry"), record.industry)]
    facts += [
        (_("Owner"), record.owner),
        (_("Team"), record.team),
        (_("External id"), record.external_id),
        (_("Created"), date_format(localtime(record.created_at), "SHORT_DATETIME_FORMAT")),
        (_("Last changed"), date_format(localtime(record.updated_at), "SHORT_DATETIME_FORMAT")),
    ]
    return facts


class ContactFormView(MergedRedirect, RecordFormView):
    """The form with the record's details as rows (e-mails, phones, addresses…, a
    person's organizations) and the admin-defined custom fields."""

    error_targets = ERROR_TARGETS
    formsets: dict[str, Any]

    def form_kwargs(self, record: Any) -> dict[str, Any]:
        custom = list(core_selectors.custom_field_list(resource=self.kind.resource))
        return {**super().form_kwargs(record), "custom_fields": custom}

    def get_form(self, data: QueryDict | None, record: Any) -> Any:
        form = super().get_form(data, record)
        initial_rows = details_initial(record) if data is None and record is not None else {}
        self.formsets = {}
        for name in form.FORMSETS:
            row_kwargs = None
            if name == "memberships":
                row_kwargs = {"organizations": self._organizations(record, data)}
            self.formsets[name] = make_formset(
                name, data=data, initial=initial_rows.get(name), form_kwargs=row_kwargs
            )
        return form

    def _organizations(self, record: Any, data: QueryDict | None) -> list[tuple[int, str]]:
        """A first batch of visible organizations, plus the person's current ones and
        whatever the user picked (so a re-shown form keeps it)."""
        submitted = id_list(v for k, v in (data or {}).items() if k.endswith("-organization"))
        options = dict(organization_choices(self.user, submitted))
        if isinstance(record, Person):
            for membership in record.memberships.all():
                options.setdefault(membership.organization_id, membership.organization.name)
        return sorted(options.items(), key=lambda item: item[1].casefold())

    def is_valid(self, form: Any) -> bool:
        return all([form.is_valid(), *[fs.is_valid() for fs in self.formsets.values()]])

    def payload(self, form: Any, record: Any) -> Any:
        return form.to_data(record, self.formsets)

    def service_errors(self, form: Any, exc: ValidationError) -> None:
        add_service_errors(form, exc, formsets=self.formsets, targets=ERROR_TARGETS)

    def success_url(self, saved: Any) -> str:
        return self.url("detail", saved)

    def form_context(self, form: Any, record: Any) -> dict[str, Any]:
        return {"formsets": list(self.formsets.values())}


class ContactRestoreView(RecordRestoreView):
    def refuse(self, record: Any) -> HttpResponse | None:
        if selectors.merged_into(self.kind.url_prefix, record.pk) is None:
            return None
        messages.error(
            self.request,
            _(
                "“%(name)s” was merged into another record; undo the merge on that "
                "record's page instead of restoring it."
            )
            % {"name": record},
        )
        return redirect(trash_url(self.kind.resource))
