"""Governance's pages: bodies, meetings, decisions and each body's calendar feed (public, under
/governance/), the secretariat's office and the members' page (under /gestione/governance/,
never cached: see patto.core.cache)."""

from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("governance/", views.index, name="index"),
    path("governance/<slug:pact>/organi/", views.body_list, name="bodies"),
    path("governance/<slug:pact>/organi/<slug:code>/", views.body_detail, name="body"),
    path("governance/<slug:pact>/organi/<slug:code>/calendario.ics", views.body_calendar,
         name="calendar"),
    path("governance/<slug:pact>/organi/<slug:code>/riunioni/<int:pk>/", views.meeting_detail,
         name="meeting"),
    path("governance/<slug:pact>/organi/<slug:code>/riunioni/<int:pk>/documenti/<int:doc>/",
         views.meeting_document, name="document"),
    path("governance/<slug:pact>/decisioni/", views.decision_list, name="decisions"),
    path("governance/<slug:pact>/decisioni/scarica.<str:fmt>", views.decision_download,
         name="decisions_download"),
    path("governance/<slug:pact>/decisioni/<slug:body>/<int:year>/<int:number>/",
         views.decision_detail, name="decision"),
    path("gestione/governance/", views.member_area, name="member_area"),
    path("gestione/governance/organi/", views.office_index, name="office_index"),
    path("gestione/governance/<slug:pact>/", views.office, name="office"),
    path("gestione/governance/<slug:pact>/organi/<slug:code>/", views.office_body,
         name="office_body"),
    path("gestione/governance/<slug:pact>/organi/<slug:code>/convoca/", views.meeting_convene,
         name="convene"),
    path("gestione/governance/<slug:pact>/riunioni/<int:pk>/", views.office_meeting,
         name="office_meeting"),
    path("gestione/governance/<slug:pact>/riunioni/<int:pk>/<slug:action>/",
         views.office_meeting, name="meeting_action"),
    path("gestione/governance/<slug:pact>/decisioni/<int:pk>/", views.office_decision,
         name="office_decision"),
    path("gestione/governance/<slug:pact>/azioni/", views.office_follow_ups,
         name="office_follow_ups"),
    path("gestione/governance/<slug:pact>/azioni/<int:pk>/", views.office_follow_up,
         name="office_follow_up"),
]
