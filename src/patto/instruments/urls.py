"""Addresses of the instruments pages: public under /strumenti/, staff under
/gestione/strumenti/ (never cached)."""

from django.urls import path

from . import views

app_name = "instruments"

urlpatterns = [
    path("strumenti/", views.index, name="index"),
    path("strumenti/<slug:pact>/", views.pact_index, name="pact_index"),
    path("strumenti/<slug:pact>/salvaguardia/", views.case_list, name="cases"),
    path(
        "strumenti/<slug:pact>/salvaguardia/casi.<str:fmt>",
        views.case_download,
        name="cases_download",
    ),
    path("strumenti/<slug:pact>/salvaguardia/<slug:code>/", views.case_detail, name="case_detail"),
    path("gestione/strumenti/<slug:pact>/salvaguardia/", views.manage_cases, name="manage_cases"),
    path("gestione/strumenti/<slug:pact>/salvaguardia/nuovo/", views.case_new, name="case_new"),
    path(
        "gestione/strumenti/<slug:pact>/salvaguardia/<slug:code>/",
        views.manage_case,
        name="manage_case",
    ),
    path(
        "gestione/strumenti/<slug:pact>/salvaguardia/<slug:code>/modifica/",
        views.case_edit,
        name="case_edit",
    ),
    path(
        "gestione/strumenti/<slug:pact>/salvaguardia/<slug:code>/<str:action>/",
        views.case_action,
        name="case_action",
    ),
    path(
        "strumenti/<slug:pact>/insieme-per-il-lavoro/",
        views.pathways_public,
        name="pathways_public",
    ),
    path("gestione/strumenti/<slug:pact>/percorsi/", views.pathways, name="pathways"),
    path("gestione/strumenti/<slug:pact>/percorsi/<int:pk>/", views.pathway, name="pathway"),
    path(
        "gestione/strumenti/<slug:pact>/percorsi/<int:pk>/<str:action>/",
        views.pathway,
        name="pathway_action",
    ),
    path("strumenti/<slug:pact>/albo-aziende-inclusive/", views.register_public, name="register"),
    path(
        "strumenti/<slug:pact>/albo-aziende-inclusive/albo.<str:fmt>",
        views.register_download,
        name="register_download",
    ),
    path(
        "strumenti/<slug:pact>/albo-aziende-inclusive/candidatura/",
        views.register_apply,
        name="register_apply",
    ),
    path("gestione/strumenti/<slug:pact>/albo/", views.register_manage, name="register_manage"),
    path(
        "gestione/strumenti/<slug:pact>/albo/<int:pk>/",
        views.register_application,
        name="register_application",
    ),
    path(
        "gestione/strumenti/<slug:pact>/albo/<int:pk>/documenti/<int:doc>/",
        views.register_document,
        name="register_document",
    ),
    path(
        "gestione/strumenti/<slug:pact>/albo/<int:pk>/<str:action>/",
        views.register_application,
        name="register_action",
    ),
    path(
        "strumenti/<slug:pact>/intese-buona-occupazione/",
        views.agreements_public,
        name="agreements",
    ),
    path(
        "strumenti/<slug:pact>/sviluppo-economico/",
        views.development_public,
        name="development",
    ),
    path(
        "strumenti/<slug:pact>/sviluppo-economico/attivita.<str:fmt>",
        views.development_download,
        name="development_download",
    ),
    path(
        "gestione/strumenti/<slug:pact>/sviluppo-economico/",
        views.development_manage,
        name="development_manage",
    ),
    path(
        "gestione/strumenti/<slug:pact>/sviluppo-economico/<str:what>/nuovo/",
        views.development_record,
        name="development_new",
    ),
    path(
        "gestione/strumenti/<slug:pact>/sviluppo-economico/<str:what>/<str:key>/",
        views.development_record,
        name="development_record",
    ),
    path(
        "gestione/strumenti/<slug:pact>/sviluppo-economico/<str:action>/",
        views.development_manage,
        name="development_action",
    ),
    path(
        "gestione/strumenti/<slug:pact>/intese/",
        views.agreements_manage,
        name="manage_agreements",
    ),
    path(
        "gestione/strumenti/<slug:pact>/intese/<slug:code>/",
        views.manage_agreement,
        name="manage_agreement",
    ),
    path(
        "gestione/strumenti/<slug:pact>/intese/<slug:code>/<str:action>/",
        views.manage_agreement,
        name="agreement_action",
    ),
    path(
        "gestione/strumenti/persone/<int:pk>/ruoli/assegna/",
        views.person_role_grant,
        name="person_role_grant",
    ),
    path(
        "gestione/strumenti/persone/<int:pk>/ruoli/revoca/",
        views.person_role_revoke,
        name="person_role_revoke",
    ),
    path(
        "gestione/strumenti/modelli/<slug:kind>.<str:fmt>",
        views.import_layout,
        name="import_layout",
    ),
]
