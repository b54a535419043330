"""The service pages: each part of the app (``views/<part>.py``) lists its own URLs."""

from clientela.service.views import canned, config, reports, tickets

app_name = "service"
urlpatterns = [
    *canned.urlpatterns,
    *tickets.urlpatterns,
    *config.urlpatterns,
    *reports.urlpatterns,
]
