"""Addresses of the participation pages: public under /partecipazione/, staff under
/gestione/partecipazione/ (never cached: see patto.core.cache)."""

from django.urls import path

from . import views

app_name = "participation"

urlpatterns = [
    path("partecipazione/", views.call_index, name="index"),
    path("partecipazione/<slug:pact>/bandi/<slug:code>/", views.call_detail, name="call"),
    path(
        "partecipazione/<slug:pact>/bandi/<slug:code>/documenti/<int:pk>/",
        views.call_document,
        name="document",
    ),
    path(
        "partecipazione/<slug:pact>/bandi/<slug:code>/proposte/<int:pk>/",
        views.proposal_detail,
        name="proposal",
    ),
    path("partecipazione/sfide/", views.challenge_index, name="challenges"),
    path("partecipazione/sfide/<int:pk>/", views.challenge_detail, name="challenge"),
    path(
        "partecipazione/sfide/<int:pk>/soluzioni/nuova/",
        views.solution_submit,
        name="solution_submit",
    ),
    path("partecipazione/sfide/<int:pk>/segui/", views.challenge_follow, name="follow"),
    path(
        "partecipazione/sfide/<int:challenge>/soluzioni/<int:pk>/",
        views.solution_detail,
        name="solution",
    ),
    path(
        "partecipazione/sfide/<int:challenge>/soluzioni/<int:pk>/vota/",
        views.solution_vote,
        name="vote",
    ),
    path(
        "partecipazione/sfide/<int:challenge>/soluzioni/<int:pk>/commenta/",
        views.solution_comment,
        name="comment",
    ),
    path(
        "partecipazione/sfide/<int:challenge>/soluzioni/<int:pk>/segnala/",
        views.content_report,
        name="report",
    ),
    path("partecipazione/reti/", views.network_index, name="networks"),
    path("partecipazione/<slug:pact>/reti/<slug:code>/", views.network_detail, name="network"),
    path("gestione/partecipazione/", views.home, name="home"),
    path("gestione/partecipazione/nome-pubblico/", views.public_name, name="public_name"),
    path("gestione/partecipazione/i-miei-dati/", views.my_data, name="my_data"),
    path("gestione/partecipazione/ruoli/", views.roles, name="roles"),
    path(
        "gestione/partecipazione/ruoli/<str:kind>/<int:pk>/revoca/",
        views.role_revoke,
        name="role_revoke",
    ),
    path(
        "gestione/partecipazione/i-miei-dati/scarica/",
        views.my_data_download,
        name="my_data_download",
    ),
    path(
        "gestione/partecipazione/<slug:pact>/sfide/nuova/",
        views.challenge_new,
        name="challenge_new",
    ),
    path("gestione/partecipazione/moderazione/", views.moderation, name="moderation"),
    path(
        "gestione/partecipazione/moderazione/<str:action>/<str:kind>/<int:pk>/",
        views.moderate,
        name="moderate",
    ),
    path(
        "gestione/partecipazione/moderazione/segnalazioni/<int:pk>/archivia/",
        views.report_dismiss,
        name="report_dismiss",
    ),
    path("gestione/partecipazione/<slug:pact>/bandi/nuovo/", views.call_new, name="call_new"),
    path("gestione/partecipazione/<slug:pact>/reti/nuova/", views.network_new, name="network_new"),
    path("gestione/partecipazione/reti/<int:pk>/", views.network_manage, name="network_manage"),
    path(
        "gestione/partecipazione/reti/<int:pk>/partner/",
        views.network_partner_add,
        name="network_partner_add",
    ),
    path(
        "gestione/partecipazione/reti/<int:pk>/partner/<int:partner>/rimuovi/",
        views.network_partner_remove,
        name="network_partner_remove",
    ),
    path(
        "gestione/partecipazione/reti/<int:pk>/attivita/",
        views.network_activity_add,
        name="network_activity_add",
    ),
    path(
        "gestione/partecipazione/reti/<int:pk>/attivita/<int:activity>/rimuovi/",
        views.network_activity_remove,
        name="network_activity_remove",
    ),
    path("gestione/partecipazione/bandi/<int:pk>/", views.manage_call, name="manage_call"),
    path(
        "gestione/partecipazione/bandi/<int:pk>/criteri/", views.criterion_add, name="criterion_add"
    ),
    path(
        "gestione/partecipazione/bandi/<int:pk>/criteri/<int:criterion>/elimina/",
        views.criterion_delete,
        name="criterion_delete",
    ),
    path(
        "gestione/partecipazione/bandi/<int:pk>/documenti/", views.document_add, name="document_add"
    ),
    path(
        "gestione/partecipazione/bandi/<int:pk>/pubblica/", views.call_publish, name="call_publish"
    ),
    path(
        "gestione/partecipazione/bandi/<int:pk>/valutatori/",
        views.evaluator_add,
        name="evaluator_add",
    ),
    path(
        "gestione/partecipazione/bandi/<int:pk>/valutatori/<int:evaluator>/rimuovi/",
        views.evaluator_remove,
        name="evaluator_remove",
    ),
    path(
        "gestione/partecipazione/bandi/<int:pk>/graduatoria/",
        views.ranking_publish,
        name="ranking_publish",
    ),
    path(
        "gestione/partecipazione/bandi/<int:call>/proposte/nuova/",
        views.proposal_new,
        name="proposal_new",
    ),
    path(
        "gestione/partecipazione/bandi/<int:call>/valutazione/",
        views.evaluation_list,
        name="evaluation_list",
    ),
    path(
        "gestione/partecipazione/proposte/<int:pk>/", views.manage_proposal, name="manage_proposal"
    ),
    path(
        "gestione/partecipazione/proposte/<int:pk>/invia/",
        views.proposal_submit,
        name="proposal_submit",
    ),
    path(
        "gestione/partecipazione/proposte/<int:pk>/ritira/",
        views.proposal_withdraw,
        name="proposal_withdraw",
    ),
    path(
        "gestione/partecipazione/proposte/<int:pk>/contributi/",
        views.contribution_add,
        name="contribution_add",
    ),
    path(
        "gestione/partecipazione/proposte/<int:pk>/contributi/<int:contribution>/elimina/",
        views.contribution_delete,
        name="contribution_delete",
    ),
    path("gestione/partecipazione/proposte/<int:pk>/valuta/", views.evaluate, name="evaluate"),
]
