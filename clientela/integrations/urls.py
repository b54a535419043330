from django.urls import path

from clientela.integrations import views
from clientela.integrations.views import imports

app_name = "integrations"
urlpatterns = [
    path("export/<slug:kind>.<slug:fmt>", views.export, name="export"),
    path("imports/", imports.import_list, name="import-list"),
    path("imports/new/", imports.import_new, name="import-new"),
    path("imports/new/<slug:kind>/", imports.import_new, name="import-new-kind"),
    path("imports/<int:pk>/", imports.import_detail, name="import-detail"),
    path("imports/<int:pk>/progress/", imports.import_progress, name="import-progress"),
    path("imports/<int:pk>/mapping/", imports.import_reconfigure, name="import-reconfigure"),
    path("imports/<int:pk>/start/", imports.import_start, name="import-start"),
    path("imports/<int:pk>/undo/", imports.import_undo, name="import-undo"),
    path("imports/<int:pk>/resume/", imports.import_resume, name="import-resume"),
    path("imports/<int:pk>/discard/", imports.import_discard, name="import-discard"),
    path("imports/<int:pk>/report.csv", imports.import_report, name="import-report"),
]
