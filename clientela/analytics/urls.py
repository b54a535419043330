"""The analytics pages (``views``, ``views_cycles``)."""

from django.urls import path

from clientela.analytics import views_cycles
from clientela.analytics.views import app_name
from clientela.analytics.views import urlpatterns as analysis_patterns

urlpatterns = [
    *analysis_patterns,
    path("analytics/cycles/", views_cycles.cycles_page, name="cycles"),
    path("analytics/cycles/csv/", views_cycles.cycles_csv, name="cycles-csv"),
]

__all__ = ["app_name", "urlpatterns"]
