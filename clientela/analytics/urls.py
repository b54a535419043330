"""The analytics pages (``views``)."""

from clientela.analytics.views import app_name, urlpatterns

__all__ = ["app_name", "urlpatterns"]
