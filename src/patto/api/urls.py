"""Machine addresses, outside the language prefix: the REST API under /api/v1/ and the
catalogue's RDF."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularJSONAPIView

from . import opendata_views, views
from .errors import not_found

V1 = "api/v1/"

urlpatterns: list = [
    path(f"{V1}pacts/", views.PactList.as_view(), name="api-pacts"),
    path(f"{V1}pacts/<slug:pact>/", views.PactDetail.as_view(), name="api-pact"),
    path(f"{V1}pacts/<slug:pact>/parties/", views.PartyList.as_view(), name="api-parties"),
    path(f"{V1}pacts/<slug:pact>/projects/<slug:code>/", views.ProjectDetail.as_view(),
         name="api-project"),
    path(f"{V1}pacts/<slug:pact>/projects/<slug:code>/reports/", views.ReportWrite.as_view(),
         name="api-project-reports"),
    path(f"{V1}pacts/<slug:pact>/indicators/", views.IndicatorList.as_view(),
         name="api-indicators"),
    path(f"{V1}pacts/<slug:pact>/indicators/<str:code>/", views.IndicatorDetail.as_view(),
         name="api-indicator"),
    path(f"{V1}pacts/<slug:pact>/indicators/<str:code>/observations/",
         views.ObservationList.as_view(), name="api-observations"),
    path(f"{V1}pacts/<slug:pact>/indicators/<str:code>/values/", views.ValuesWrite.as_view(),
         name="api-values"),
    path(f"{V1}pacts/<slug:pact>/assessments/goals/", views.GoalResultList.as_view(),
         name="api-goal-results"),
    path(f"{V1}pacts/<slug:pact>/funds/", views.FundList.as_view(), name="api-funds"),
    path(f"{V1}pacts/<slug:pact>/funds/<slug:fund>/movements/", views.MovementList.as_view(),
         name="api-movements"),
    path(f"{V1}projects/", views.ProjectList.as_view(), name="api-projects"),
    path(f"{V1}territories/", views.TerritoryList.as_view(), name="api-territories"),
    path(f"{V1}territories/<slug:code>/", views.TerritoryDetail.as_view(),
         name="api-territory"),
    path(f"{V1}token/", views.TokenInfo.as_view(), name="api-token"),
    path(f"{V1}schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(f"{V1}openapi.json", SpectacularJSONAPIView.as_view(), name="api-openapi-json"),
    path(f"{V1}docs/", views.Docs.as_view(url_name="api-schema"), name="api-docs"),
    # Open data: each dataset's files, the Data Package, the DCAT-AP_IT catalogue.
    path("dati/patto-datapackage.zip", opendata_views.package, name="opendata-package"),
    re_path(r"^dati/catalogo\.(?P<fmt>ttl|jsonld)$", opendata_views.catalogue_view,
            name="opendata-catalogue"),
    re_path(r"^dati/(?P<slug>[a-z-]+)\.(?P<fmt>csv|xlsx)$", opendata_views.table,
            name="opendata-table"),
    # Anything else under /api/: a 404 in the API's error shape.
    re_path(r"^api/", not_found),
]
