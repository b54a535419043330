"""The analytics pages (``views``, and each analysis' own views: ``views_rules``,
``views_cycles``, ``views_offers``, ``lead_views``, ``views_clv``) and the dashboards
(``dashboards.views``)."""

from django.urls import path

from clientela.analytics import lead_views, views_clv, views_cycles, views_rules
from clientela.analytics.dashboards import views as dashboards
from clientela.analytics.views import app_name
from clientela.analytics.views import urlpatterns as analysis_patterns
from clientela.analytics.views_offers import urlpatterns as offers_urlpatterns

urlpatterns = [
    *analysis_patterns,
    *views_rules.urlpatterns,
    path("analytics/cycles/", views_cycles.cycles_page, name="cycles"),
    path("analytics/cycles/csv/", views_cycles.cycles_csv, name="cycles-csv"),
    *views_clv.urlpatterns,
    *offers_urlpatterns,
    *lead_views.urlpatterns,
    *dashboards.urlpatterns,
]

__all__ = ["app_name", "urlpatterns"]
