"""URLs of project pages and of reporting (Italian paths)."""

from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("progetti/", views.project_list, name="project_list"),
    path("progetti/<slug:pact>/<slug:code>/", views.project_detail, name="project_detail"),
    path("progetti/<slug:pact>/<slug:code>/stampa/", views.project_print, name="project_print"),
    path("progetti/<slug:pact>/<slug:code>/scheda.pdf", views.project_pdf, name="project_pdf"),
    path("gestione/progetti/esporta/", views.project_export, name="project_export"),
    path("gestione/rendicontazione/", views.round_list, name="round_list"),
    path("gestione/rendicontazione/<int:pk>/", views.round_detail, name="round_detail"),
    path("gestione/rendicontazione/<int:pk>/progetti/<int:project>/", views.update_edit,
         name="update_edit"),
    path("gestione/rendicontazione/resoconti/<int:pk>/", views.update_review,
         name="update_review"),
]
