"""The sales pages: each part of the app (``views/<part>.py``) lists its own URLs."""

from clientela.sales.views import (
    catalogue,
    deals,
    forecast,
    leads,
    orders,
    pipelines,
    quote_builder,
    quotes,
)

app_name = "sales"
urlpatterns = [
    *leads.urlpatterns,
    *pipelines.urlpatterns,
    *deals.urlpatterns,
    *catalogue.urlpatterns,
    *quote_builder.urlpatterns,
    *quotes.urlpatterns,
    *orders.urlpatterns,
    *forecast.urlpatterns,
]
