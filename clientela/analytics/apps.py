from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """Analytics over the purchase history (issue 13): for now the statistical core
    (``clientela.analytics.clv``); the pages, snapshots and API come later."""

    name = "clientela.analytics"
    label = "analytics"
    verbose_name = _("Analytics")
