"""The marketing pages: each part of the app (``views/<part>.py``) lists its own URLs."""

from clientela.marketing.views import consent

app_name = "marketing"
urlpatterns = [*consent.urlpatterns]
from clientela.marketing.views import segments

app_name = "marketing"
urlpatterns: list[object] = [*segments.urlpatterns]
from clientela.marketing.views import templates

app_name = "marketing"
urlpatterns: list[object] = [*templates.urlpatterns]
from clientela.marketing.views import campaigns, tracking

app_name = "marketing"
urlpatterns = [
    *campaigns.urlpatterns,
    *tracking.urlpatterns,
]
