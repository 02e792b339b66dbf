"""URLs of the public monitoring pages (Italian paths)."""

from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("monitoraggio/", views.goals, name="goals"),
    path("monitoraggio/obiettivi/<int:number>/", views.goal_detail, name="goal_detail"),
    path("gestione/valori/<slug:pact>/modello/", views.indicator_template,
         name="indicator_template"),
    path("monitoraggio/<slug:pact>/indicatori/<slug:code>/", views.indicator_detail,
         name="indicator_detail"),
    path("monitoraggio/<slug:pact>/indicatori/<slug:code>/territorio/", views.indicator_map,
         name="indicator_map"),
    path("monitoraggio/<slug:pact>/indicatori/<slug:code>/territorio/valori.json",
         views.indicator_map_values, name="indicator_map_values"),
]
