"""Addresses of the funds' public pages and staff pages."""

from django.urls import path

from . import views

app_name = "funds"

urlpatterns = [
    path("fondi/", views.fund_index, name="index"),
    path("patti/<slug:pact>/fondi/<slug:fund>/", views.fund_detail, name="fund"),
    path("patti/<slug:pact>/fondi/<slug:fund>/movimenti.<str:fmt>", views.fund_movements_download,
         name="movements_download"),
    path("patti/<slug:pact>/fondi/<slug:fund>/giornale.<str:fmt>", views.fund_journal,
         name="journal"),
    path("patti/<slug:pact>/fondi/<slug:fund>/bilancio-di-verifica.<str:fmt>",
         views.fund_trial_balance, name="trial_balance"),
    path("fondi/estratto/<str:token>/", views.donor_statement, name="statement"),
    path("gestione/fondi/<slug:pact>/<slug:fund>/", views.manage, name="manage"),
    path("gestione/fondi/<slug:pact>/<slug:fund>/registra/<str:what>/", views.record,
         name="record"),
    path("gestione/fondi/<slug:pact>/<slug:fund>/movimenti/", views.movement_list,
         name="movements"),
    path("gestione/fondi/<slug:pact>/<slug:fund>/movimenti/<int:pk>/", views.movement_detail,
         name="movement"),
    path("gestione/fondi/<slug:pact>/<slug:fund>/movimenti/<int:pk>/storna/",
         views.reverse_movement, name="reverse"),
    path("gestione/fondi/<slug:pact>/<slug:fund>/esporta.csv", views.movements_export,
         name="export"),
    path("gestione/fondi/<slug:pact>/<slug:fund>/donatori/", views.donor_list, name="donors"),
    path("gestione/fondi/<slug:pact>/<slug:fund>/donatori/<int:pk>/revoca-estratti/",
         views.donor_statement_revoke, name="statement_revoke"),
    path("gestione/fondi/<slug:pact>/<slug:fund>/simulatore/", views.simulator,
         name="simulator"),
    path("gestione/fondi/<slug:pact>/<slug:fund>/simulatore/<int:pk>/", views.simulation_detail,
         name="simulation"),
    path("gestione/fondi/<slug:pact>/<slug:fund>/simulatore/<int:pk>/adotta/",
         views.simulation_adopt, name="adopt"),
    path("gestione/fondi/<slug:pact>/<slug:fund>/simulatore/confronto/", views.simulation_compare,
         name="compare"),
]
