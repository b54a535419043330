"""The service pages: each part of the app (``views/<part>.py``) lists its own URLs."""

from clientela.service.views import articles, canned, config, help, reports, satisfaction, tickets

app_name = "service"
urlpatterns = [
    *canned.urlpatterns,
    *articles.urlpatterns,
    *tickets.urlpatterns,
    *config.urlpatterns,
    *reports.urlpatterns,
    *help.urlpatterns,
    *satisfaction.urlpatterns,
]
