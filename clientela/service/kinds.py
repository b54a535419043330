"""The kinds of record the service app owns, declared once (see ``core.kinds``):
tickets and knowledge-base articles; and, as catalogue kinds outside the roles' rights
(no page of their own, no trash: a delete is for good), the desk's settings, changed by
admins alone: queues (listed to anyone who may read tickets), business calendars and
SLA policies (admins' alone); and canned answers, read by anyone who may read tickets
and kept by admins and managers. ``ServiceConfig.ready()`` registers them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.core.api import PageParams
from clientela.core.kinds import ListColumn, RecordKind
from clientela.service import exports
from clientela.service.api import articles as article_api
from clientela.service.api import canned as canned_api
from clientela.service.api import config as config_api
from clientela.service.api import tickets as ticket_api
from clientela.service.filters import ArticleFilters, TicketFilters
from clientela.service.forms.articles import ArticleForm, article_filter_form
from clientela.service.forms.tickets import TicketForm, ticket_filter_form
from clientela.service.models import (
    Article,
    BusinessCalendar,
    CannedAnswer,
    Queue,
    SlaPolicy,
    Ticket,
)
from clientela.service.selectors import articles as article_selectors
from clientela.service.selectors import canned as canned_selectors
from clientela.service.selectors import config as config_selectors
from clientela.service.selectors import tickets as ticket_selectors
from clientela.service.services import articles as article_services
from clientela.service.services import canned as canned_services
from clientela.service.services import config as config_services
from clientela.service.services import config_sla as sla_services
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

ARTICLES = RecordKind(
    resource=Article.RESOURCE,
    model=Article,
    namespace="service",
    url_prefix="article",
    path="articles",
    api_path="kb/articles",
    singular=_("article"),
    plural=_("Knowledge base"),
    icon="bi-journal-text",
    create_first=_("Write the first article"),
    list_selector=article_selectors.article_list,
    get_selector=article_selectors.article_get,
    trash_get=article_selectors.article_trash_get,
    create=article_services.article_create,
    update=article_services.article_update,
    trash=article_services.article_trash,
    restore=article_services.article_restore,
    name_fields=("title",),
    form_class=ArticleForm,
    columns=(
        ListColumn(_("Title"), "title"),
        ListColumn(_("Category"), None, SMALL),
        ListColumn(_("Language"), None, MEDIUM),
        ListColumn(_("Status"), None),
        ListColumn(_("Helpful"), "helpful", LARGE),
        ListColumn(_("Updated"), "updated", MEDIUM),
    ),
    filters=ArticleFilters,
    filter_form=article_filter_form,
    row_template="service/kb/_row.html",
    list_template="service/kb/list.html",
    detail_template="service/kb/detail.html",
    form_template="service/kb/form.html",
    results_id="article-results",
    new_label=_("New article"),
    empty_message=_("No articles yet. Articles answer what customers ask most."),
    no_match_message=_("No article matches these filters."),
    page_messages={
        "created": _("Article “%(title)s” created."),
        "saved": _("Article “%(title)s” saved."),
        "deleted": _("Article “%(title)s” is in the trash."),
        "restored": _("Article “%(title)s” is back from the trash."),
    },
    api_scopes=SCOPES,
    api_in=article_api.ArticleIn,
    api_patch=article_api.ArticlePatch,
    api_out_schema=article_api.ArticleOut,
    api_list_params=article_api.ArticleListParams,
    api_list=article_api.articles_query,
    api_data=article_api.article_data,
    api_out=article_api.article_out,
    api_tag="knowledge base",
    api_module=article_api.__name__,
    api_docs=article_api.ARTICLE_DOCS,
    searchable=True,
    export_columns=exports.ARTICLE_COLUMNS,
    export_rows=exports.ARTICLE_ROWS,
)

#: What the settings kinds share: admins' configuration, answered 404 to anyone else by
#: their selectors and services, grouped in the API as "service settings" with the
#: operation ids their hand-written endpoints had (``path`` names them; ``api_path``
#: keeps the API's URL).
SETTINGS: dict[str, Any] = {
    "namespace": "service",
    "rights": False,
    "has_detail_page": False,
    "api_scopes": SCOPES,
    "api_list_params": PageParams,
    "api_data": config_api.settings_data,
    "api_tag": "service settings",
    "api_module": config_api.__name__,
}

QUEUES = RecordKind(
    resource=Queue.RESOURCE,
    model=Queue,
    url_prefix="queue",
    path="queues",
    singular=_("queue"),
    plural=_("Queues"),
    icon="bi-inboxes",
    list_selector=config_selectors.queue_list,
    get_selector=config_selectors.queue_get,
    create=config_services.queue_create,
    update=config_services.queue_update,
    trash=config_services.queue_delete,
    name_fields=("name",),
    api_in=config_api.QueueIn,
    api_patch=config_api.QueueIn,
    api_out_schema=config_api.QueueOut,
    api_list=config_api.queues_query,
    api_out=config_api.queue_out,
    api_docs=config_api.QUEUE_DOCS,
    **SETTINGS,
)

CALENDARS = RecordKind(
    resource=BusinessCalendar.RESOURCE,
    model=BusinessCalendar,
    url_prefix="calendar",
    path="calendars",
    api_path="business-calendars",
    singular=_("business calendar"),
    plural=_("Business calendars"),
    icon="bi-calendar-week",
    list_selector=config_selectors.calendar_list,
    get_selector=config_selectors.calendar_get,
    create=sla_services.business_calendar_create,
    update=sla_services.business_calendar_update,
    trash=sla_services.business_calendar_delete,
    name_fields=("name",),
    api_in=config_api.CalendarIn,
    api_patch=config_api.CalendarIn,
    api_out_schema=config_api.CalendarOut,
    api_list=config_api.calendars_query,
    api_out=config_api.calendar_out,
    api_docs=config_api.CALENDAR_DOCS,
    **SETTINGS,
)

SLA_POLICIES = RecordKind(
    resource=SlaPolicy.RESOURCE,
    model=SlaPolicy,
    url_prefix="policy",
    path="policies",
    api_path="sla-policies",
    singular=_("SLA policy"),
    plural=_("SLA policies"),
    icon="bi-stopwatch",
    list_selector=config_selectors.sla_policy_list,
    get_selector=config_selectors.sla_policy_get,
    create=sla_services.sla_policy_create,
    update=sla_services.sla_policy_update,
    trash=sla_services.sla_policy_delete,
    name_fields=("name",),
    api_in=config_api.PolicyIn,
    api_patch=config_api.PolicyIn,
    api_out_schema=config_api.PolicyOut,
    api_list=config_api.policies_query,
    api_out=config_api.policy_out,
    api_docs=config_api.POLICY_DOCS,
    **SETTINGS,
)

#: Canned answers: a catalogue kind too (no rights of their own, no trash), but read by
#: anyone who may read tickets (the active ones) and kept by admins and managers
#: (``services.canned.may_manage``); their page (views/canned.py: the list beside the
#: form, and the ticket page's "insert") reads and writes through the same selectors
#: and services.
CANNED_ANSWERS = RecordKind(
    resource=CannedAnswer.RESOURCE,
    model=CannedAnswer,
    namespace="service",
    url_prefix="canned_answer",
    path="canned_answers",
    api_path="canned-answers",
    singular=_("canned answer"),
    plural=_("Canned answers"),
    icon="bi-chat-square-quote",
    list_selector=canned_selectors.canned_answer_list,
    get_selector=canned_selectors.canned_answer_get,
    create=canned_services.canned_answer_create,
    update=canned_services.canned_answer_update,
    trash=canned_services.canned_answer_delete,
    name_fields=("title",),
    rights=False,
    has_detail_page=False,
    api_scopes=SCOPES,
    api_in=canned_api.CannedAnswerIn,
    api_patch=canned_api.CannedAnswerIn,
    api_out_schema=canned_api.CannedAnswerOut,
    api_list_params=canned_api.CannedAnswerListParams,
    api_list=canned_api.canned_answers_query,
    api_out=canned_api.canned_answer_out,
    api_tag="canned answers",
    api_module=canned_api.__name__,
    api_docs=canned_api.CANNED_DOCS,
)

ALL = (TICKETS, ARTICLES, QUEUES, CALENDARS, SLA_POLICIES, CANNED_ANSWERS)
