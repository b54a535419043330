from django.db import models
from django.utils.translation import pgettext_lazy


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("webhook delivery", "Pending")
    SUCCEEDED = "succeeded", pgettext_lazy("webhook delivery", "Delivered")
    FAILED = "failed", pgettext_lazy("webhook delivery", "Failed")
    GAVE_UP = "gave_up", pgettext_lazy("webhook delivery", "Gave up")


class RunStatus(models.TextChoices):
    """How a rule's run on a record ended, or that it waits."""

    DONE = "done", pgettext_lazy("rule run", "Done")
    FAILED = "failed", pgettext_lazy("rule run", "Failed")
    WAITING = "waiting", pgettext_lazy("rule run", "Waiting")
    STOPPED = "stopped", pgettext_lazy("rule run", "Stopped")


class StepStatus(models.TextChoices):
    DONE = "done", pgettext_lazy("rule action", "Done")
    FAILED = "failed", pgettext_lazy("rule action", "Failed")
    SKIPPED = "skipped", pgettext_lazy("rule action", "Skipped")
