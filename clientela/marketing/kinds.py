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
from clientela.marketing.api import templates as template_api
from clientela.marketing.forms.templates import EmailTemplateForm
from clientela.marketing.models import EmailTemplate
from clientela.marketing.selectors import templates as template_selectors
from clientela.marketing.services import templates as template_services

SCOPES = ("marketing:read", "marketing:write")

READ_ALL = Rights(False, True, False, False, Scope.ALL)

#: The built-in roles' rights on every marketing kind (``RecordKind.default_rights``).
MARKETING_RIGHTS: dict[str, Rights] = {
    RoleKey.MARKETING: Rights(True, True, True, True, Scope.ALL),
    RoleKey.SALES: READ_ALL,
    RoleKey.SUPPORT: READ_ALL,
}

SMALL, MEDIUM = "d-none d-sm-table-cell", "d-none d-md-table-cell"


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
    filters=template_selectors.TemplateFilters,
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


ALL: tuple[Any, ...] = (TEMPLATES,)
