"""Workflow rules, their versions and their runs (issue 16 item 2).

A rule is "when this happens (``trigger``), to records that meet ``conditions``, do
``actions`` in order". Its definition is JSON, exactly as the API reads and writes it
(``automation.rules.definition`` checks it):

- ``trigger``: an event (``{"event": "deal.stage_changed", "field": "stage", "to":
  "Won"}``), a date (``{"resource": "contacts.person", "date": "birthday", "days": 7,
  "when": "before"}``) or a schedule (``{"resource": "contacts.person", "schedule":
  "weekly", "weekday": 0}``);
- ``conditions``: a condition tree of ``core.conditions`` on the rule's ``resource``;
- ``actions``: ``[{"type": "create_task", "title": "Call them", "due_in_days": 1}, …]``.

Every saved change of the definition is a new ``RuleVersion``; each run names the
version it ran. A run is one rule on one record: what fired it, each action's result
(``steps``) and, while a "wait" action holds it, when it goes on (``resume_at``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clientela.automation.choices import RunStatus
from clientela.core.models import TimeStampedModel


class Rule(TimeStampedModel):
    """A workflow rule (the kind ``automation.rule``): company configuration that
    admins and managers keep; it acts as the system user "Automation"."""

    RESOURCE = "automation.rule"

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    #: The kind of record the rule acts on ("sales.deal"): the trigger's event's, or
    #: the one a date or schedule trigger names.
    resource = models.CharField(_("kind of record"), max_length=50)
    trigger = models.JSONField(_("trigger"), default=dict)
    conditions = models.JSONField(_("conditions"), default=dict)
    actions = models.JSONField(_("actions"), default=list)
    enabled = models.BooleanField(_("enabled"), default=False)
    #: The number of the current definition (``RuleVersion.number``).
    version = models.PositiveIntegerField(_("version"), default=1)
    #: The event the trigger listens to ("" for a date or a schedule), indexed: each
    #: event reads only the rules that listen to it.
    event = models.CharField(max_length=100, blank=True, default="", db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: When the date and schedule triggers were last looked at (the worker's sweep).
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("name", "id")
        verbose_name = _("workflow rule")
        verbose_name_plural = _("workflow rules")

    def __str__(self) -> str:
        return self.name


class RuleVersion(models.Model):
    """One saved definition of a rule, kept for its history."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ("-number",)
        constraints = [
            models.UniqueConstraint(fields=("rule", "number"), name="rule_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.number}"


class RuleRun(models.Model):
    """One rule on one record. ``occurrence`` makes a date or schedule trigger fire
    once per record and day ("2026-12-24"); an event's run names its ``event_id``.
    ``steps`` lists each action done so far: ``{"index", "type", "status": "done" |
    "failed" | "skipped", "message", "url", "at"}``."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="runs")
    version = models.PositiveIntegerField(_("version"))
    resource = models.CharField(max_length=50)
    record_id = models.BigIntegerField(null=True, blank=True)
    #: The record's name when the run started (it may be deleted later).
    record_label = models.CharField(_("record"), max_length=300, blank=True, default="")
    event_id = models.CharField(max_length=64, blank=True, default="")
    event_type = models.CharField(_("trigger"), max_length=100, blank=True, default="")
    occurrence = models.CharField(max_length=40, blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices)
    #: Why it matched, or why it stopped (a loop, a record gone).
    reason = models.TextField(_("reason"), blank=True, default="")
    steps = models.JSONField(_("steps"), default=list)
    #: The index of the next action to run (a waiting run goes on from there).
    next_step = models.PositiveIntegerField(default=0)
    resume_at = models.DateTimeField(_("goes on at"), null=True, blank=True)
    #: The rules whose changes led here (``Event.chain``), outermost first.
    chain = models.JSONField(default=list)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ("-started_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("rule", "resource", "record_id", "occurrence"),
                condition=~models.Q(occurrence=""),
                name="rule_run_once_per_occurrence",
            )
        ]
        indexes = [
            models.Index(fields=("status", "resume_at"), name="rule_run_waiting"),
            models.Index(fields=("rule", "-started_at"), name="rule_run_log"),
            models.Index(fields=("resource", "record_id"), name="rule_run_record"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.resource}:{self.record_id} {self.status}"


class RuleTurn(models.Model):
    """Whose turn it is in a rule's round-robin (the action "assign_owner" among a
    team's members): per rule and action position, the id of the member who got the
    last record; the next record goes to the next active member by id. Read and
    advanced under a row lock, so two runs at once never give the same turn."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="turns")
    step = models.PositiveIntegerField()
    last_member = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("rule", "step"), name="rule_turn_step")]

    def __str__(self) -> str:
        return f"{self.rule_id}[{self.step}] {self.last_member}"
