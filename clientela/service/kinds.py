"""The kinds of record the service app owns, declared once (see ``core.kinds``):
tickets. ``ServiceConfig.ready()`` registers them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clientela.core.kinds import ListColumn, RecordKind
from clientela.service import exports
from clientela.service.api import tickets as ticket_api
from clientela.service.filters import TicketFilters
from clientela.service.forms.tickets import TicketForm, ticket_filter_form
from clientela.service.models import Ticket
from clientela.service.selectors import tickets as ticket_selectors
from clientela.service.services import tickets as ticket_services

SCOPES = ("service:read", "service:write")
SMALL, MEDIUM, LARGE = "d-none d-sm-table-cell", "d-none d-md-table-cell", "d-none d-lg-table-cell"

TICKETS = RecordKind(
    resource=Ticket.RESOURCE,
    model=Ticket,
    namespace="service",
    url_prefix="ticket",
    path="tickets",
    singular=_("ticket"),
    plural=_("Tickets"),
    icon="bi-life-preserver",
    create_first=_("Open the first ticket"),
    list_selector=ticket_selectors.ticket_list,
    get_selector=ticket_selectors.ticket_get,
    trash_get=ticket_selectors.ticket_trash_get,
    create=ticket_services.ticket_create,
    update=ticket_services.ticket_update,
    trash=ticket_services.ticket_trash,
    restore=ticket_services.ticket_restore,
    name_fields=("subject",),
    form_class=TicketForm,
    columns=(
        ListColumn("", None, "pe-0"),
        ListColumn(_("Ticket"), "number"),
        ListColumn(_("Customer"), None, SMALL),
        ListColumn(_("Status"), "status"),
        ListColumn(_("Priority"), "priority", MEDIUM),
        ListColumn(_("Due"), "due"),
        ListColumn(_("Assignee"), None, LARGE),
        ListColumn(_("Last message"), "last_message", LARGE),
    ),
    filters=TicketFilters,
    filter_form=ticket_filter_form,
    saved_views=True,
    row_template="service/tickets/_row.html",
    list_template="service/tickets/list.html",
    detail_template="service/tickets/detail.html",
    form_template="service/tickets/form.html",
    results_id="ticket-results",
    new_label=_("New ticket"),
    empty_message=_(
        "No tickets yet. Tickets come from your support address by e-mail, from the API, "
        "or are opened here when a customer calls."
    ),
    no_match_message=_("No ticket matches these filters."),
    page_messages={
        "created": _("Ticket %(label)s opened."),
        "saved": _("Ticket %(label)s saved."),
        "stale": _("Someone changed this ticket after you opened this page. Check it again."),
    },
    history_labels={
        "reply": _("Reply"),
        "note": _("Internal note"),
        "merged": _("Merged in"),
        "tags": _("Tags"),
        "custom": _("Custom fields"),
        "rating": _("Customer's rating"),
        "rating_comment": _("Customer's comment"),
    },
    api_scopes=SCOPES,
    api_in=ticket_api.TicketIn,
    api_patch=ticket_api.TicketPatch,
    api_out_schema=ticket_api.TicketOut,
    api_list_params=ticket_api.TicketListParams,
    api_list=ticket_api.tickets_query,
    api_data=ticket_api.ticket_data,
    api_out=ticket_api.ticket_out,
    api_module=ticket_api.__name__,
    api_docs=ticket_api.TICKET_DOCS,
    searchable=True,
    custom_fields=True,
    export_columns=exports.TICKET_COLUMNS,
    export_rows=exports.TICKET_ROWS,
)

ALL = (TICKETS,)
