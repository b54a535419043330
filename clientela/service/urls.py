"""The service pages: each part of the app (``views/<part>.py``) lists its own URLs."""

from clientela.service.views import canned, config, satisfaction, tickets

app_name = "service"
urlpatterns = [
    *canned.urlpatterns,
    *tickets.urlpatterns,
    *config.urlpatterns,
    *satisfaction.urlpatterns,
]
