"""URLs of the public pact pages (Italian paths; /en/ gives English)."""

from django.urls import path

from . import views

app_name = "pact"

urlpatterns = [
    path("", views.home, name="home"),
    path("patti/<slug:pact>/", views.pact_detail, name="pact_detail"),
    path("patti/<slug:pact>/cluster/<slug:code>/", views.cluster_detail, name="cluster_detail"),
    path("patti/<slug:pact>/sfide/<slug:code>/", views.challenge_detail,
         name="challenge_detail"),
    path("soggetti/", views.party_list, name="party_list"),
    path("soggetti/<slug:code>/", views.party_detail, name="party_detail"),
    path("territorio/", views.territory, name="territory"),
    path("territorio/confini.geojson", views.territory_geojson, name="territory_geojson"),
    path("territorio/<slug:code>/", views.territory_detail, name="territory_detail"),
]
