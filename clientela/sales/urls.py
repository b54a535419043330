"""The sales pages: each part of the app (``views/<part>.py``) lists its own URLs."""

from clientela.sales.views import catalogue, deals, forecast, leads, orders, pipelines, quotes

app_name = "sales"
urlpatterns = [
    *leads.urlpatterns,
    *pipelines.urlpatterns,
    *deals.urlpatterns,
    *catalogue.urlpatterns,
    *quotes.urlpatterns,
    *orders.urlpatterns,
    *forecast.urlpatterns,
]
