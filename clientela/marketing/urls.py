"""The marketing pages: each part of the app (``views/<part>.py``) lists its own URLs.
The recipients' links of a campaign e-mail (``views/tracking.py``) are not here: the
project's URLs put them first, under ``/m/``."""

from clientela.marketing.views import (
    campaigns,
    consent,
    forms,
    forms_public,
    segments,
    templates,
)

app_name = "marketing"
urlpatterns = [
    *consent.urlpatterns,
    *segments.urlpatterns,
    *templates.urlpatterns,
    *campaigns.urlpatterns,
    *forms.urlpatterns,
    *forms_public.urlpatterns,
]
