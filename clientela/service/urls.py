"""The service pages: each part of the app (``views/<part>.py``) lists its own URLs."""

from clientela.service.views import tickets

app_name = "service"
urlpatterns = [
    *tickets.urlpatterns,
]
