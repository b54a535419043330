from django.urls import path

from clientela.integrations import views

app_name = "integrations"
urlpatterns = [
    path("export/<slug:kind>.<slug:fmt>", views.export, name="export"),
]
