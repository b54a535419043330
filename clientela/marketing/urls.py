"""The marketing pages: each part of the app (``views/<part>.py``) lists its own URLs."""

from clientela.marketing.views import campaigns, tracking

app_name = "marketing"
urlpatterns = [
    *campaigns.urlpatterns,
    *tracking.urlpatterns,
]
