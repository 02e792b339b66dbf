"""URLs of project pages and of reporting (Italian paths)."""

from django.urls import path

from . import opencoesione, views

app_name = "projects"

urlpatterns = [
    path("progetti/", views.project_list, name="project_list"),
    path("progetti/fasi-procedurali/", views.procedure_steps, name="procedure_steps"),
    path("progetti/mappa/", views.project_map, name="project_map"),
    path("progetti/opencoesione/<slug:pact>/", opencoesione.export_view,
         name="opencoesione_export"),
    path("progetti/<slug:pact>/<slug:code>/", views.project_detail, name="project_detail"),
    path("progetti/<slug:pact>/<slug:code>/stampa/", views.project_print, name="project_print"),
    path("progetti/<slug:pact>/<slug:code>/scheda.pdf", views.project_pdf, name="project_pdf"),
    path("gestione/progetti/esporta/", views.project_export, name="project_export"),
    path("gestione/progetti/", views.manage, name="manage"),
    path("gestione/progetti/nuovo/", views.project_new, name="project_new"),
    path("gestione/progetti/<int:pk>/", views.project_edit, name="project_edit"),
    path("gestione/progetti/<int:pk>/stato/", views.project_status, name="project_status"),
    path("gestione/progetti/<int:pk>/elimina/", views.project_remove, name="project_delete"),
    path("gestione/contributi/", views.contributions, name="contributions"),
    path("gestione/rendicontazione/", views.round_list, name="round_list"),
    path("gestione/rendicontazione/<int:pk>/", views.round_detail, name="round_detail"),
    path("gestione/rendicontazione/<int:pk>/chiudi/", views.round_close, name="round_close"),
    path("gestione/rendicontazione/riga/<slug:kind>/", views.update_row, name="update_row"),
    path("gestione/rendicontazione/<int:pk>/progetti/<int:project>/", views.update_edit,
         name="update_edit"),
    path("gestione/rendicontazione/resoconti/<int:pk>/", views.update_review,
         name="update_review"),
]
