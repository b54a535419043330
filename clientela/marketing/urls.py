"""The marketing pages: each part of the app (``views/<part>.py``) lists its own URLs."""

from clientela.marketing.views import (
    campaigns,
    consent,
    forms,
    forms_public,
    segments,
    templates,
    tracking,
)

app_name = "marketing"
urlpatterns = [
    *consent.urlpatterns,
    *segments.urlpatterns,
    *templates.urlpatterns,
    *campaigns.urlpatterns,
    *tracking.urlpatterns,
    *forms.urlpatterns,
    *forms_public.urlpatterns,
]
