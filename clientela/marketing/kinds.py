"""The kinds of record the marketing app owns, declared once (see ``core.kinds``).
``MarketingConfig.ready()`` registers them.

Every marketing kind gives the built-in roles the same rights (``MARKETING_RIGHTS``):
the marketing role keeps them (creates, changes and deletes, seeing all), sales reps and
support agents read them, read-only users read them; admins and managers keep their
usual rights."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.core.api import PageParams
from clientela.core.choices import RoleKey, Scope
from clientela.core.kinds import ListColumn, RecordKind
from clientela.core.permissions import Rights
from clientela.marketing.api import campaigns as campaign_api
from clientela.marketing.api import consent as consent_api
from clientela.marketing.api import forms as form_api
from clientela.marketing.api import segments as segment_api
from clientela.marketing.api import templates as template_api
from clientela.marketing.filters import CampaignFilters, NamedFilters, TemplateFilters
from clientela.marketing.forms.campaigns import CampaignForm
from clientela.marketing.forms.forms import LeadFormForm
from clientela.marketing.forms.segments import ListForm, SegmentForm
from clientela.marketing.forms.templates import EmailTemplateForm
from clientela.marketing.models import (
    Campaign,
    ConsentPurpose,
    EmailTemplate,
    LeadForm,
    Segment,
    StaticList,
)
from clientela.marketing.selectors import campaigns as campaign_selectors
from clientela.marketing.selectors import consent as consent_selectors
from clientela.marketing.selectors import forms as form_selectors
from clientela.marketing.selectors import segments as segment_selectors
from clientela.marketing.selectors import templates as template_selectors
from clientela.marketing.services import campaigns as campaign_services
from clientela.marketing.services import consent_purposes
from clientela.marketing.services import lead_forms as form_services
from clientela.marketing.services import segments as segment_services
from clientela.marketing.services import templates as template_services

SCOPES = ("marketing:read", "marketing:write")

READ_ALL = Rights(False, True, False, False, Scope.ALL)

#: The built-in roles' rights on every marketing kind (``RecordKind.default_rights``).
MARKETING_RIGHTS: dict[str, Rights] = {
    RoleKey.MARKETING: Rights(True, True, True, True, Scope.ALL),
    RoleKey.SALES: READ_ALL,
    RoleKey.SUPPORT: READ_ALL,
}

#: Consent purposes: a catalogue kind outside the roles' rights (like the service
#: desk's settings): read by everyone signed in (the person page's consent form and the
#: campaigns name them), kept by admins (403 for anyone else); no page of its own (the
#: settings page ``views.consent`` lists and edits them), no trash.
SMALL, MEDIUM, LARGE = "d-none d-sm-table-cell", "d-none d-md-table-cell", "d-none d-lg-table-cell"

CONSENT_PURPOSES = RecordKind(
    resource=ConsentPurpose.RESOURCE,
    model=ConsentPurpose,
    namespace="marketing",
    url_prefix="consent_purpose",
    path="consent_purposes",
    api_path="consent-purposes",
    singular=_("consent purpose"),
    plural=_("Consent purposes"),
    icon="bi-check2-square",
    list_selector=consent_selectors.purpose_list,
    get_selector=consent_selectors.purpose_get,
    create=consent_purposes.purpose_create,
    update=consent_purposes.purpose_update,
    trash=consent_purposes.purpose_delete,
    record_arg="purpose",
    name_fields=("name",),
    rights=False,
    has_detail_page=False,
    api_scopes=SCOPES,
    api_in=consent_api.PurposeIn,
    api_patch=consent_api.PurposeIn,
    api_out_schema=consent_api.PurposeOut,
    api_list_params=PageParams,
    api_list=consent_api.purposes_query,
    api_out=consent_api.purpose_out,
    api_tag="consent purposes",
    api_module=consent_api.__name__,
    api_docs=consent_api.PURPOSE_DOCS,
)


SEGMENTS = RecordKind(
    resource=Segment.RESOURCE,
    model=Segment,
    namespace="marketing",
    url_prefix="segment",
    path="segments",
    singular=_("segment"),
    plural=_("Segments"),
    icon="bi-funnel",
    create_first=_("Build the first segment"),
    list_selector=segment_selectors.segment_list,
    get_selector=segment_selectors.segment_get,
    trash_get=segment_selectors.segment_trash_get,
    create=segment_services.segment_create,
    update=segment_services.segment_update,
    trash=segment_services.segment_trash,
    restore=segment_services.segment_restore,
    name_fields=("name",),
    form_class=SegmentForm,
    columns=(
        ListColumn(_("Segment"), "name"),
        ListColumn(_("People"), None),
        ListColumn(_("Owner"), None, SMALL),
        ListColumn(_("Updated"), "updated", MEDIUM),
    ),
    filters=NamedFilters,
    row_template="marketing/segments/_segment_row.html",
    detail_template="marketing/segments/segment_detail.html",
    form_template="marketing/segments/segment_form.html",
    results_id="segment-results",
    new_label=_("New segment"),
    empty_message=_(
        "No segments yet. A segment picks people by conditions (city, tags, purchases…) "
        "and stays up to date by itself."
    ),
    no_match_message=_("No segment matches these filters."),
    default_rights=MARKETING_RIGHTS,
    api_scopes=SCOPES,
    api_in=segment_api.SegmentIn,
    api_patch=segment_api.SegmentPatch,
    api_out_schema=segment_api.SegmentOut,
    api_list_params=segment_api.NamedParams,
    api_list=segment_api.segments_query,
    api_data=segment_api.payload_data,
    api_out=segment_api.segment_out,
    get_for_api=segment_api.segment_for_api,
    api_module=segment_api.__name__,
    api_docs=segment_api.SEGMENT_DOCS,
    history_labels={"rules": _("Conditions")},
)

LISTS = RecordKind(
    resource=StaticList.RESOURCE,
    model=StaticList,
    namespace="marketing",
    url_prefix="list",
    path="lists",
    singular=_("list"),
    plural=_("Lists"),
    icon="bi-list-check",
    create_first=_("Create the first list"),
    list_selector=segment_selectors.list_list,
    get_selector=segment_selectors.list_get,
    trash_get=segment_selectors.list_trash_get,
    create=segment_services.list_create,
    update=segment_services.list_update,
    trash=segment_services.list_trash,
    restore=segment_services.list_restore,
    record_arg="static_list",
    name_fields=("name",),
    form_class=ListForm,
    columns=(
        ListColumn(_("List"), "name"),
        ListColumn(_("Owner"), None, SMALL),
        ListColumn(_("Updated"), "updated", MEDIUM),
    ),
    filters=NamedFilters,
    row_template="marketing/segments/_list_row.html",
    detail_template="marketing/segments/list_detail.html",
    form_template="marketing/segments/list_form.html",
    results_id="list-results",
    new_label=_("New list"),
    empty_message=_(
        "No lists yet. Fill a list from the people list (“Add to a list”) or through the API."
    ),
    no_match_message=_("No list matches these filters."),
    default_rights=MARKETING_RIGHTS,
    api_scopes=SCOPES,
    api_in=segment_api.ListIn,
    api_patch=segment_api.ListPatch,
    api_out_schema=segment_api.ListOut,
    api_list_params=segment_api.NamedParams,
    api_list=segment_api.lists_query,
    api_data=segment_api.payload_data,
    api_out=segment_api.list_out,
    api_module=segment_api.__name__,
    api_docs=segment_api.LIST_DOCS,
    history_labels={"members_added": _("People added"), "members_removed": _("People removed")},
)


TEMPLATES = RecordKind(
    resource=EmailTemplate.RESOURCE,
    model=EmailTemplate,
    namespace="marketing",
    url_prefix="email_template",
    path="email_templates",
    api_path="email-templates",
    singular=_("e-mail template"),
    plural=_("E-mail templates"),
    icon="bi-envelope-paper",
    create_first=_("Write the first template"),
    list_selector=template_selectors.email_template_list,
    get_selector=template_selectors.email_template_get,
    trash_get=template_selectors.email_template_trash_get,
    create=template_services.email_template_create,
    update=template_services.email_template_update,
    trash=template_services.email_template_trash,
    restore=template_services.email_template_restore,
    name_fields=("name",),
    form_class=EmailTemplateForm,
    columns=(
        ListColumn(_("Name"), "name"),
        ListColumn(_("Languages"), None, SMALL),
        ListColumn(_("Purpose"), None, MEDIUM),
        ListColumn(_("Updated"), "updated", MEDIUM),
    ),
    filters=TemplateFilters,
    row_template="marketing/templates/_row.html",
    detail_template="marketing/templates/detail.html",
    form_template="marketing/templates/form.html",
    new_label=_("New template"),
    empty_message=_(
        "No e-mail templates yet. A template is the e-mail a campaign sends, with merge "
        "fields such as the first name in it, in each language you write."
    ),
    no_match_message=_("No template matches these filters."),
    page_messages={
        "created": _("Template “%(name)s” created."),
        "saved": _("Template “%(name)s” saved."),
        "deleted": _("Template “%(name)s” is in the trash."),
        "restored": _("Template “%(name)s” is back from the trash."),
    },
    history_labels={
        "subject_en": _("Subject (English)"),
        "html_en": _("HTML (English)"),
        "subject_es": _("Subject (Spanish)"),
        "html_es": _("HTML (Spanish)"),
    },
    default_rights=MARKETING_RIGHTS,
    api_scopes=SCOPES,
    api_in=template_api.EmailTemplateIn,
    api_patch=template_api.EmailTemplatePatch,
    api_out_schema=template_api.EmailTemplateOut,
    api_list_params=template_api.EmailTemplateListParams,
    api_list=template_api.email_templates_query,
    api_data=template_api.email_template_data,
    api_out=template_api.email_template_out,
    api_tag="email templates",
    api_module=template_api.__name__,
    api_docs=template_api.TEMPLATE_DOCS,
)


CAMPAIGNS = RecordKind(
    resource=Campaign.RESOURCE,
    model=Campaign,
    namespace="marketing",
    url_prefix="campaign",
    path="campaigns",
    singular=_("campaign"),
    plural=_("Campaigns"),
    icon="bi-megaphone",
    create_first=_("Create the first campaign"),
    list_selector=campaign_selectors.campaign_list,
    get_selector=campaign_selectors.campaign_get,
    trash_get=campaign_selectors.campaign_trash_get,
    create=campaign_services.campaign_create,
    update=campaign_services.campaign_update,
    trash=campaign_services.campaign_trash,
    restore=campaign_services.campaign_restore,
    name_fields=("name",),
    form_class=CampaignForm,
    columns=(
        ListColumn(_("Campaign"), "name"),
        ListColumn(_("Status"), None),
        ListColumn(_("Purpose"), None, SMALL),
        ListColumn(_("Recipients"), None, MEDIUM),
        ListColumn(_("Sent / scheduled"), "send_at", MEDIUM),
        ListColumn(_("Owner"), None, LARGE),
    ),
    filters=CampaignFilters,
    row_template="marketing/campaigns/_campaign_row.html",
    detail_template="marketing/campaigns/campaign_detail.html",
    form_template="marketing/campaigns/campaign_form.html",
    results_id="campaign-results",
    new_label=_("New campaign"),
    empty_message=_(
        "No campaigns yet. A campaign sends one e-mail to a segment or a list, only to "
        "people who agreed to hear about its purpose."
    ),
    no_match_message=_("No campaign matches these filters."),
    default_rights=MARKETING_RIGHTS,
    api_scopes=SCOPES,
    api_in=campaign_api.CampaignIn,
    api_patch=campaign_api.CampaignPatch,
    api_out_schema=campaign_api.CampaignOut,
    api_list_params=campaign_api.CampaignParams,
    api_list=campaign_api.campaigns_query,
    api_data=campaign_api.campaign_data,
    api_out=campaign_api.campaign_out,
    api_module=campaign_api.__name__,
    api_docs=campaign_api.CAMPAIGN_DOCS,
    history_labels={"status": _("Status")},
)


FORMS = RecordKind(
    resource=LeadForm.RESOURCE,
    model=LeadForm,
    namespace="marketing",
    url_prefix="lead_form",
    path="web_forms",
    api_path="forms",
    singular=_("web form"),
    plural=_("Web forms"),
    icon="bi-ui-checks",
    create_first=_("Create the first web form"),
    record_arg="lead_form",
    list_selector=form_selectors.lead_form_list,
    get_selector=form_selectors.lead_form_get,
    trash_get=form_selectors.lead_form_trash_get,
    create=form_services.lead_form_create,
    update=form_services.lead_form_update,
    trash=form_services.lead_form_trash,
    restore=form_services.lead_form_restore,
    name_fields=("name",),
    form_class=LeadFormForm,
    columns=(
        ListColumn(_("Form"), "name"),
        ListColumn(_("Status"), None),
        ListColumn(_("Submissions"), None, SMALL),
        ListColumn(_("Campaign"), None, MEDIUM),
        ListColumn(_("Updated"), "updated", MEDIUM),
    ),
    filters=NamedFilters,
    row_template="marketing/forms/_row.html",
    detail_template="marketing/forms/detail.html",
    form_template="marketing/forms/form.html",
    results_id="form-results",
    new_label=_("New web form"),
    empty_message=_(
        "No web forms yet. A web form on your site (or on its own page here) turns each "
        "visitor who fills it in into a lead, with the campaign that brought them."
    ),
    no_match_message=_("No web form matches these filters."),
    page_messages={
        "created": _("Web form “%(name)s” created."),
        "saved": _("Web form “%(name)s” saved."),
        "deleted": _("Web form “%(name)s” is in the trash."),
        "restored": _("Web form “%(name)s” is back from the trash."),
    },
    history_labels={"fields": _("Fields"), "consents": _("Consent checkboxes")},
    default_rights=MARKETING_RIGHTS,
    api_scopes=SCOPES,
    api_in=form_api.LeadFormIn,
    api_patch=form_api.LeadFormPatch,
    api_out_schema=form_api.LeadFormOut,
    api_list_params=segment_api.NamedParams,
    api_list=form_api.lead_forms_query,
    api_data=form_api.lead_form_data,
    api_out=form_api.lead_form_out,
    api_tag="forms",
    api_module=form_api.__name__,
    api_docs=form_api.FORM_DOCS,
)

ALL: tuple[Any, ...] = (CONSENT_PURPOSES, SEGMENTS, LISTS, TEMPLATES, CAMPAIGNS, FORMS)
