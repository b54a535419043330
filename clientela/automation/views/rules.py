"""The workflow rule pages (admins and managers; 404 for anyone else): the list, the
rule editor, a rule's page (its definition in words, Enable/Disable, the dry run, the
run log and the version history) and the delete confirmation. The list, page, form and
delete are core's generic ones (``core.views.kinds``) with the rule's own hooks.

The editor is one form: its own buttons (add, remove, move an action; the fields of a
new trigger or action type) post it with ``editor`` set and get it back changed, never
saved; htmx swaps only the part they change (``hx-select``), and plain posts get the
whole page, so it works without JavaScript too."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clientela.automation.choices import RunStatus, StepStatus
from clientela.automation.forms.rules import RuleForm
from clientela.automation.kinds import RULES
from clientela.automation.models import RuleRun
from clientela.automation.rules.definition import RuleError
from clientela.automation.rules.engine import definition_of, matching
from clientela.automation.rules.words import kind_name, rule_words, trigger_words
from clientela.automation.selectors import rules as selectors
from clientela.automation.services import rules as services
from clientela.core.conditions.editor import builder_fields, builder_labels
from clientela.core.kinds import RECORD_KINDS
from clientela.core.pagination import WindowPaginator
from clientela.core.views.kinds import (
    KindView,
    RecordDeleteView,
    RecordDetailView,
    RecordFormView,
    RecordListView,
    record_urls,
)
from clientela.core.views.records import AuthedRequest, not_found_as_404

#: The run log's page size, and how many records the dry run lists.
RUNS_PER_PAGE = 25
DRY_RUN_SHOWN = 20
RUNS_ID = "rule-runs"


def record_url(resource: str, pk: Any) -> str:
    """The page of a record a rule acted on ("" for a kind without one)."""
    kind = RECORD_KINDS.get(resource)
    if kind is None or pk is None:
        return ""
    try:
        return reverse(kind.url("detail"), kwargs={"pk": pk})
    except NoReverseMatch:
        return ""


@dataclass(frozen=True)
class RunRow:
    """A run as the log shows it: the record's page and each step's status label."""

    run: RuleRun
    url: str
    steps: list[dict[str, Any]]


class RulePages(KindView):
    """Rules are kept by admins and managers (they have no role rights)."""

    def may(self, action: str) -> bool:
        return services.may_edit_rules(self.user)

    def check(self, action: str) -> None:
        services.require_rule_editor(self.user)


class RuleListView(RulePages, RecordListView):
    def decorate(self, records: Any) -> None:
        last = selectors.last_run_times(user=self.user, rules=list(records))
        for rule in records:
            rule.trigger_words = trigger_words(rule.trigger or {})
            rule.kind_label = kind_name(rule.resource)
            rule.last_run_at = last.get(rule.pk)


def _runs_context(request: AuthedRequest, rule: Any) -> dict[str, Any]:
    status = request.GET.get("status", "")
    status = status if status in RunStatus.values else ""
    runs = selectors.run_list(user=request.user, rule=rule, status=status)
    page = WindowPaginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    labels = dict(StepStatus.choices)
    rows = [
        RunRow(
            run,
            record_url(run.resource, run.record_id),
            [{**s, "label": labels.get(s.get("status"), "")} for s in run.steps],
        )
        for run in page.object_list
    ]
    return {
        "runs": rows,
        "page_obj": page,
        "list_url": reverse("automation:rule-detail", kwargs={"pk": rule.pk}),
        "results_id": RUNS_ID,
        "run_status": status,
        "run_statuses": RunStatus.choices,
    }


class RuleDetailView(RulePages, RecordDetailView):
    def get(self, request: Any, pk: int) -> HttpResponse:
        rule = self.get_record(pk)
        if self.request.htmx and self.request.htmx.target == RUNS_ID:
            context = {"rule": rule, **_runs_context(self.request, rule)}
            return render(request, "automation/rules/_runs.html", context)
        return self.render_detail(rule)

    def detail_context(self, record: Any) -> dict[str, Any]:
        return {
            "words": rule_words(record),
            "kind_label": kind_name(record.resource),
            "versions": selectors.version_list(user=self.user, rule=record),
            **_runs_context(self.request, record),
        }


class RuleFormView(RulePages, RecordFormView):
    def initial(self, record: Any) -> dict[str, Any]:
        if record is None:
            return {"trigger_kind": "event", "when": "before", "schedule": "daily"}
        return RuleForm.initial_for(record)

    def form_kwargs(self, record: Any) -> dict[str, Any]:
        return {"editor_url": self.request.path}

    def get_form(self, data: Any, record: Any) -> Any:
        form = super().get_form(data, record)
        change = data.get("editor", "") if data is not None else ""
        if change:
            form.editor_change(change)
            # A form being built is not checked yet: no errors shown (nothing saves).
            form._errors = ErrorDict()
        return form

    def is_valid(self, form: Any) -> bool:
        # The editor's own buttons change the form; only "Save" saves it.
        return "editor" not in self.request.POST and bool(form.is_valid())

    def service_errors(self, form: Any, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc.messages)
            return
        parts: dict[str, list[str]] = {}
        for key, found in list(exc.message_dict.items()):
            part = services.definition_part(key)
            if part in ("trigger", "conditions", "actions"):
                where = "" if key == part else f"{key}: "
                parts.setdefault(part, []).extend(f"{where}{m}" for m in found)
                del exc.error_dict[key]
        form.set_part_errors(parts)
        if parts:
            form.add_error(None, _("The rule was not saved: see the problems below."))
        if exc.error_dict:
            super().service_errors(form, exc)

    def form_context(self, form: Any, record: Any) -> dict[str, Any]:
        resource = form.resource_value()
        return {
            "rule": record,
            "resource": resource,
            "kind_label": kind_name(resource) if resource else "",
            "trigger_kind": form.trigger_kind_value(),
            "fields_json": json.dumps(builder_fields(resource)) if resource else "[]",
            "labels_json": json.dumps(builder_labels()),
            "form_url": self.request.path,
        }


class RuleDeleteView(RulePages, RecordDeleteView):
    def remove(self, record: Any, version: int | None) -> None:
        self.kind.trash_record(actor=self.user, record=record, expected_version=version)
        messages.success(self.request, self.message("deleted", record))


@login_required
@require_POST
@not_found_as_404
def rule_enable(request: AuthedRequest, pk: int) -> HttpResponse:
    """Enable (``enabled=1``) or disable the rule."""
    rule = selectors.rule_get(user=request.user, pk=pk)
    enabled = request.POST.get("enabled") == "1"
    try:
        services.rule_set_enabled(actor=request.user, rule=rule, enabled=enabled)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Rule enabled.") if enabled else _("Rule disabled."))
    return redirect(reverse("automation:rule-detail", kwargs={"pk": rule.pk}))


@login_required
@require_GET
@not_found_as_404
def rule_dry_run(request: AuthedRequest, pk: int) -> HttpResponse:
    """The records the rule's conditions match now, among those the user sees: the
    count and the first ones (htmx: the partial; else the rule's page with it)."""
    rule = selectors.rule_get(user=request.user, pk=pk)
    context: dict[str, Any] = {"rule": rule}
    try:
        found = matching(definition_of(rule), request.user).order_by("-pk")
    except RuleError as exc:
        context["error"] = exc.message
    else:
        context["count"] = found.count()
        context["records"] = [
            (record, record_url(rule.resource, record.pk)) for record in found[:DRY_RUN_SHOWN]
        ]
        context["shown"] = DRY_RUN_SHOWN
    if request.htmx:
        return render(request, "automation/rules/_dry_run.html", context)
    view = RuleDetailView(kind=RULES, request=request)
    return view.render_detail(rule, dry_run=context)


urlpatterns: list[URLPattern] = [
    *record_urls(
        RULES,
        list=RuleListView,
        create=RuleFormView,
        detail=RuleDetailView,
        edit=RuleFormView,
        delete=RuleDeleteView,
    ),
    path("rules/<int:pk>/enable/", rule_enable, name="rule-enable"),
    path("rules/<int:pk>/dry-run/", rule_dry_run, name="rule-dry-run"),
]
