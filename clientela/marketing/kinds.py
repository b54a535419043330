"""The kinds of record the marketing app owns, declared once (see ``core.kinds``).
``MarketingConfig.ready()`` registers them.

Every marketing kind gives the built-in roles the same rights (``MARKETING_RIGHTS``):
the marketing role keeps them (creates, changes and deletes, seeing all), sales reps and
support agents read them, read-only users read them; admins and managers keep their
usual rights."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.core.choices import RoleKey, Scope
from clientela.core.kinds import ListColumn, RecordKind
from clientela.core.permissions import Rights
from clientela.marketing.api import campaigns as campaign_api
from clientela.marketing.filters import CampaignFilters
from clientela.marketing.forms.campaigns import CampaignForm
from clientela.marketing.models import Campaign
from clientela.marketing.selectors import campaigns as campaign_selectors
from clientela.marketing.services import campaigns as campaign_services

SCOPES = ("marketing:read", "marketing:write")

READ_ALL = Rights(False, True, False, False, Scope.ALL)

#: The built-in roles' rights on every marketing kind (``RecordKind.default_rights``).
MARKETING_RIGHTS: dict[str, Rights] = {
    RoleKey.MARKETING: Rights(True, True, True, True, Scope.ALL),
    RoleKey.SALES: READ_ALL,
    RoleKey.SUPPORT: READ_ALL,
}

SMALL, MEDIUM, LARGE = "d-none d-sm-table-cell", "d-none d-md-table-cell", "d-none d-lg-table-cell"

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

ALL: tuple[Any, ...] = (CAMPAIGNS,)
