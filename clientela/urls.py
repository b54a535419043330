from django.contrib import admin
from django.urls import include, path

from clientela.api import api
from clientela.marketing.views import tracking

urlpatterns = [
    # The links in campaign e-mails (open pixel, click redirect, unsubscribe,
    # preferences): the busiest public addresses, matched first.
    path("m/", include((tracking.urlpatterns, "tracking"))),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", include("clientela.core.urls")),
    path("", include("clientela.contacts.urls")),
    path("", include("clientela.activities.urls")),
    path("", include("clientela.sales.urls")),
    path("", include("clientela.service.urls")),
    path("", include("clientela.marketing.urls")),
    path("", include("clientela.analytics.urls")),
    path("", include("clientela.automation.urls")),
    path("", include("clientela.integrations.urls")),
]
