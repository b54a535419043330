"""The kinds of record the automation app owns, declared once (see ``core.kinds``):
webhook subscriptions and workflow rules.

Webhook subscriptions are company configuration, like the service desk's settings:
outside the roles' rights (``rights=False``), read and changed by admins alone (404
for anyone else, pages and API alike), deleted for good (no trash, no version)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clientela.automation.api import rules as rule_api
from clientela.automation.api import webhooks as webhook_api
from clientela.automation.filters import RuleFilters, WebhookFilters
from clientela.automation.forms.rules import RuleForm, rule_filter_form
from clientela.automation.forms.webhooks import WebhookForm
from clientela.automation.models import Rule, WebhookSubscription
from clientela.automation.selectors import rules as rule_selectors
from clientela.automation.selectors import webhooks as selectors
from clientela.automation.services import rules as rule_services
from clientela.automation.services import subscriptions as services
from clientela.core.kinds import ListColumn, RecordKind

SMALL, MEDIUM = "d-none d-sm-table-cell", "d-none d-md-table-cell"

WEBHOOKS = RecordKind(
    resource=WebhookSubscription.RESOURCE,
    model=WebhookSubscription,
    namespace="automation",
    url_prefix="webhook",
    path="webhooks",
    singular=_("webhook"),
    plural=_("Webhooks"),
    icon="bi-broadcast",
    create_first=_("Subscribe the first URL"),
    list_selector=selectors.webhook_list,
    get_selector=selectors.webhook_get,
    create=services.webhook_create,
    update=services.webhook_update,
    trash=services.webhook_delete,
    name_fields=("url",),
    rights=False,
    form_class=WebhookForm,
    columns=(
        ListColumn(_("URL"), "url"),
        ListColumn(_("Events"), None, SMALL),
        ListColumn(_("Status"), None),
        ListColumn(_("Created"), "created", MEDIUM),
    ),
    filters=WebhookFilters,
    row_template="automation/webhooks/_row.html",
    detail_template="automation/webhooks/detail.html",
    form_template="automation/webhooks/form.html",
    results_id="webhook-results",
    new_label=_("New webhook"),
    empty_message=_(
        "No webhooks yet. A webhook sends each event you choose (a person created, a "
        "deal won…) to a URL of another system, signed so that it can check where it came from."
    ),
    no_match_message=_("No webhook matches these filters."),
    page_messages={
        "created": _("Webhook created. Copy its signing secret now: it is shown only once."),
        "saved": _("Webhook saved."),
        "deleted": _("Webhook “%(name)s” deleted, with its delivery log."),
    },
    api_scopes=(webhook_api.READ, webhook_api.WRITE),
    api_in=webhook_api.WebhookIn,
    api_patch=webhook_api.WebhookPatch,
    api_out_schema=webhook_api.WebhookOut,
    api_list_params=webhook_api.WebhookListParams,
    api_list=webhook_api.webhooks_query,
    api_out_page=webhook_api.webhooks_out,
    api_module=webhook_api.__name__,
    api_docs=webhook_api.WEBHOOK_DOCS,
)

#: Workflow rules: company configuration kept by admins and managers (``rights=False``:
#: the selectors and services say who, 404 for anyone else), deleted for good with
#: their versions and runs. The pages are ``views/rules.py``; the API is
#: ``/api/v1/automation/rules`` (``api/rules.py`` adds the dry runs, runs and
#: versions).
RULES = RecordKind(
    resource=Rule.RESOURCE,
    model=Rule,
    namespace="automation",
    url_prefix="rule",
    path="rules",
    api_path="automation/rules",
    singular=_("workflow rule"),
    plural=_("Workflow rules"),
    icon="bi-lightning-charge",
    create_first=_("Write the first rule"),
    list_selector=rule_selectors.rule_list,
    get_selector=rule_selectors.rule_get,
    create=rule_services.rule_create,
    update=rule_services.rule_update,
    trash=rule_services.rule_delete,
    record_arg="rule",
    name_fields=("name",),
    rights=False,
    filters=RuleFilters,
    filter_form=rule_filter_form,
    form_class=RuleForm,
    columns=(
        ListColumn(_("Name"), "name"),
        ListColumn(_("Kind of record"), None, MEDIUM),
        ListColumn(_("Trigger"), None, SMALL),
        ListColumn(_("Status"), None),
        ListColumn(_("Last run"), None, MEDIUM),
        ListColumn(_("Updated"), "updated", MEDIUM),
    ),
    row_template="automation/rules/_row.html",
    detail_template="automation/rules/detail.html",
    form_template="automation/rules/form.html",
    results_id="rule-results",
    new_label=_("New rule"),
    empty_message=_(
        "No rules yet. A rule does something for you when a thing happens: when a deal "
        "is won, create the onboarding task; seven days before a birthday, send a "
        "greeting."
    ),
    no_match_message=_("No rule matches these filters."),
    page_messages={
        "created": _("Rule “%(name)s” created. It is disabled until you enable it."),
        "saved": _("Rule “%(name)s” saved."),
        "deleted": _("Rule “%(name)s” deleted, with its versions and run log."),
    },
    api_scopes=(rule_api.READ, rule_api.WRITE),
    api_in=rule_api.WorkflowRuleIn,
    api_patch=rule_api.WorkflowRulePatch,
    api_out_schema=rule_api.WorkflowRuleOut,
    api_list_params=rule_api.WorkflowRuleListParams,
    api_list=rule_api.rules_query,
    api_out=rule_api.rule_out,
    api_module=rule_api.__name__,
    api_docs=rule_api.RULE_DOCS,
)

ALL = (WEBHOOKS, RULES)
