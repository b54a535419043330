"""``/api/v1/automation/rules`` (``core.api.records`` serves list, create, get, change
and delete from the kind's declaration in ``automation.kinds``) and its own reads:
``POST /automation/rules/dry-run`` (a draft definition), ``POST
/automation/rules/{id}/dry-run`` (a saved rule), ``GET /automation/rules/{id}/runs``
(the run log, each run with its steps) and ``GET /automation/rules/{id}/versions``.

Scopes: ``automation:read`` to read (the dry runs change nothing, but they are POSTs
carrying a definition: they take ``automation:read`` too), ``automation:write`` to
change; only admins' and managers' tokens reach them (404 for anyone else). A bad
definition is 422 naming the place by its path: ``trigger.event``,
``conditions.all[0].field``, ``actions[1].tag``.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from ninja import Field, Query, Router

from clientela.automation.choices import RunStatus
from clientela.automation.filters import RuleFilters
from clientela.automation.models import Rule, RuleRun, RuleVersion
from clientela.automation.rules.engine import definition_of
from clientela.automation.selectors import rules as selectors
from clientela.automation.services.rules import checked_definition, require_rule_editor
from clientela.core.api import DETAIL_ERRORS, PageParams, api_user, require_scope
from clientela.core.api.pagination import paginate
from clientela.core.api.schemas import (
    MAX_ID,
    CursorPage,
    Flag,
    InputSchema,
    OutputSchema,
    RecordId,
    UserRef,
    Version,
    error_responses,
    omissible,
)
from clientela.core.kinds import RECORD_KINDS

READ, WRITE = "automation:read", "automation:write"
#: Records a dry run lists (its ``count`` counts them all).
DRY_RUN_SHOWN = 50
#: A dry run reads a body: a broken or too large one is refused like a create's.
DRY_RUN_ERRORS = error_responses(400, 401, 403, 404, 413, 422)
router = Router(tags=["rules"])

Definition = dict[str, Any]


class WorkflowRuleIn(InputSchema):
    name: Annotated[str, Field(max_length=200)] = omissible("Required on create.")
    description: Annotated[str, Field(max_length=5000)] = omissible()
    trigger: Definition = omissible(
        'Required on create: `{"event": "person.created"}` (optionally with `field`, '
        '`from`, `to`), a date (`{"resource": "contacts.person", "date": "birthday", '
        '"days": 7, "when": "before"}`) or a schedule (`{"resource": "contacts.person", '
        '"schedule": "weekly", "weekday": 0}`).'
    )
    conditions: Definition = omissible(
        'A condition tree on the trigger\'s records: `{"all": [{"field": "tags", "op": '
        '"contains", "value": "VIP"}]}` (also `any`, nested); none: every record.'
    )
    actions: Annotated[list[Any], Field(max_length=100)] = omissible(
        'Required on create: the actions in order, each `{"type": "add_tag", "tag": '
        '"Follow-up"}` with its type\'s parameters.'
    )
    enabled: Flag = omissible("A new rule is disabled unless this is true.")


class WorkflowRulePatch(WorkflowRuleIn):
    version: Version | None = Field(None, description="The version you read (or If-Match).")


class WorkflowRuleOut(OutputSchema):
    id: int
    name: str
    description: str
    resource: str = Field(description="The kind of record the rule acts on.")
    trigger: Definition
    conditions: Definition
    actions: list[Definition]
    enabled: bool
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    created_by: UserRef | None


class WorkflowRuleListParams(PageParams):
    q: str | None = Field(None, max_length=200, description="Words of the name or description.")
    resource: str | None = Field(
        None, max_length=50, description="The kind of record (`contacts.person`)."
    )
    enabled: Literal["true", "false"] | None = None
    sort: str = Field("name", max_length=20)


class RuleDryRunIn(InputSchema):
    trigger: Definition
    conditions: Definition | None = None
    actions: Annotated[list[Any], Field(max_length=100)] | None = Field(
        None, description="Checked when given; left out, the trigger and conditions alone."
    )


class RuleMatchOut(OutputSchema):
    id: int
    name: str
    url: str


class RuleDryRunOut(OutputSchema):
    count: int = Field(description="How many records would match now.")
    records: list[RuleMatchOut] = Field(description=f"The first {DRY_RUN_SHOWN} of them.")


class RuleStepOut(OutputSchema):
    index: int
    type: str
    status: str
    message: str
    url: str
    at: str | None


class RuleRunOut(OutputSchema):
    id: int
    version: int = Field(description="The rule's version that ran.")
    resource: str
    record_id: int | None
    record_label: str
    event_id: str
    event_type: str
    occurrence: str
    status: str
    reason: str
    steps: list[RuleStepOut]
    resume_at: datetime.datetime | None
    chain: list[Any]
    started_at: datetime.datetime
    finished_at: datetime.datetime | None


class RuleRunParams(PageParams):
    status: RunStatus | None = None
    record_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None


class RuleVersionOut(OutputSchema):
    number: int
    definition: Definition
    created_at: datetime.datetime
    created_by: UserRef | None


def _user_ref(user: Any) -> UserRef | None:
    return UserRef(id=user.pk, username=user.username) if user is not None else None


def rule_out(rule: Rule) -> WorkflowRuleOut:
    return WorkflowRuleOut(
        id=rule.pk,
        name=rule.name,
        description=rule.description,
        resource=rule.resource,
        trigger=rule.trigger,
        conditions=rule.conditions,
        actions=rule.actions,
        enabled=rule.enabled,
        version=rule.version,
        created_at=rule.created_at,
        updated_at=rule.updated_at,
        created_by=_user_ref(rule.created_by),
    )


def rules_query(request: HttpRequest, params: WorkflowRuleListParams) -> QuerySet[Rule]:
    filters, errors = RuleFilters.from_params(request.GET)
    if errors:
        raise ValidationError(errors)
    return selectors.rule_list(user=api_user(request), filters=filters)


def _step_out(step: dict[str, Any]) -> RuleStepOut:
    return RuleStepOut(
        index=step.get("index", 0),
        type=step.get("type", ""),
        status=step.get("status", ""),
        message=step.get("message", ""),
        url=step.get("url", ""),
        at=step.get("at"),
    )


def run_out(run: RuleRun) -> RuleRunOut:
    return RuleRunOut(
        id=run.pk,
        version=run.version,
        resource=run.resource,
        record_id=run.record_id,
        record_label=run.record_label,
        event_id=run.event_id,
        event_type=run.event_type,
        occurrence=run.occurrence,
        status=run.status,
        reason=run.reason,
        steps=[_step_out(s) for s in run.steps],
        resume_at=run.resume_at,
        chain=list(run.chain),
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


def version_out(version: RuleVersion) -> RuleVersionOut:
    return RuleVersionOut(
        number=version.number,
        definition=version.definition,
        created_at=version.created_at,
        created_by=_user_ref(version.created_by),
    )


RULE_DOCS = {
    "list": "Filters: `q` (words of the name or description), `resource`, `enabled`.",
    "create": (
        "`name`, `trigger` and `actions` are required. A problem in the definition is "
        "422 naming its place: `trigger.event`, `conditions.all[0].field`, "
        "`actions[1].tag`; nothing is saved."
    ),
    "get": "The rule, its definition as stored (defaults filled in).",
    "update": (
        "Send only the fields to change; `enabled` switches the rule on or off. A change "
        "of the definition, name or state is a new version (`/versions`)."
    ),
    "delete": "Deletes the rule for good, with its versions and run log.",
}


# --- the dry runs, runs and versions -----------------------------------------------------


def _rule(request: HttpRequest, rule_id: int) -> Rule:
    return selectors.rule_get(user=api_user(request), pk=rule_id)


def _page_url(request: HttpRequest, resource: str, record: Model) -> str:
    kind = RECORD_KINDS[resource]
    try:
        path = reverse(kind.url("detail"), kwargs={"pk": record.pk})
    except NoReverseMatch:
        path = kind.show_url(record) if kind.show_url else reverse(kind.url("list"))
    return request.build_absolute_uri(path)


def _dry_run(request: HttpRequest, definition: Any) -> RuleDryRunOut:
    found = selectors.rule_dry_run(
        user=api_user(request), definition=definition, day=timezone.localdate()
    )
    shown = list(found[:DRY_RUN_SHOWN])
    return RuleDryRunOut(
        count=found.count() if len(shown) == DRY_RUN_SHOWN else len(shown),
        records=[
            RuleMatchOut(id=r.pk, name=str(r), url=_page_url(request, definition.resource, r))
            for r in shown
        ],
    )


@router.post("/automation/rules/dry-run", response={200: RuleDryRunOut, **DRY_RUN_ERRORS})
@require_scope(READ)
def dry_run(request: HttpRequest, payload: RuleDryRunIn) -> RuleDryRunOut:
    """Which records a definition (not saved) would act on now, among those you may
    see: those meeting its conditions; with a date trigger, those whose date makes it
    due today. Nothing is changed."""
    require_rule_editor(api_user(request))
    definition = checked_definition(payload.trigger, payload.conditions, payload.actions)
    return _dry_run(request, definition)


@router.post("/automation/rules/{rule_id}/dry-run", response={200: RuleDryRunOut, **DETAIL_ERRORS})
@require_scope(READ)
def dry_run_rule(request: HttpRequest, rule_id: RecordId) -> RuleDryRunOut:
    """The dry run of a saved rule (enabled or not)."""
    return _dry_run(request, definition_of(_rule(request, rule_id)))


@router.get(
    "/automation/rules/{rule_id}/runs", response={200: CursorPage[RuleRunOut], **DETAIL_ERRORS}
)
@require_scope(READ)
def runs(request: HttpRequest, rule_id: RecordId, params: Query[RuleRunParams]) -> Any:
    """The rule's runs, newest first: the record, what fired it, its status and each
    action's result (`steps`). Filters: `status`, `record_id`."""
    found = selectors.run_list(
        user=api_user(request),
        rule=_rule(request, rule_id),
        status=params.status or "",
        record_id=params.record_id,
    )
    page = paginate(found, limit=params.limit, cursor=params.cursor)
    return {"items": [run_out(r) for r in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/automation/rules/{rule_id}/versions",
    response={200: CursorPage[RuleVersionOut], **DETAIL_ERRORS},
)
@require_scope(READ)
def versions(request: HttpRequest, rule_id: RecordId, params: Query[PageParams]) -> Any:
    """The rule's saved definitions, newest first."""
    found = selectors.version_list(user=api_user(request), rule=_rule(request, rule_id))
    page = paginate(found, limit=params.limit, cursor=params.cursor)
    return {"items": [version_out(v) for v in page.items], "next_cursor": page.next_cursor}
